"""A pane's hidden parts are built when first needed, in their places (start-up, benchmark 6).

A fresh pane holds its model selector, state line, answer and buttons; its note, reasoning, earlier
turns, failure words and extras (JSON view, tool calls, citations, images) are built the first time
an answer or a follow-up needs them. These tests prove a fresh window (and a plain answer) builds
none of them - the saving, without a timing - and that a part built late stands where it always
stood: in the column, in the keyboard's Tab order, with its object and accessible names.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from playground.core.compare import PaneResult
from playground.core.conversation import Message
from playground.core.events import Citation, Reasoning
from playground.simulator import Behaviour
from playground.ui.response_pane import ResponsePane
from tests.ui.conftest import Harness, wait_until
from tests.ui.test_a11y_names import unnamed

CONTRACT = ("modelSelector", "outputView", "statsLabel", "stopButton", "retryButton")
HIDDEN_PARTS = (
    "noteLabel",
    "reasoningToggle",
    "reasoningView",
    "threadToggle",
    "threadView",
    "errorLabel",
    "detailsButton",
    "detailsLabel",
    "paneExtras",
    "prettyJsonView",
    "citationsView",
)


def built_parts(pane: ResponsePane) -> list[str]:
    return [name for name in HIDDEN_PARTS if pane.findChild(QWidget, name) is not None]


def test_a_fresh_window_and_a_plain_answer_build_no_hidden_part(
    aio, make_harness: Callable[..., Harness]
) -> None:
    h = make_harness()
    h.sim.set_default("sim/quick-mini", Behaviour(text="A plain answer."))
    h.sim.set_default("sim/balanced-pro", Behaviour(text="Another plain answer."))

    async def go() -> None:
        window = await h.start()
        assert len(window.compare.panes) == 3
        for pane in window.compare.panes:
            assert all(pane.findChild(QWidget, name) is not None for name in CONTRACT)
            assert built_parts(pane) == []
        h.set_models("sim/quick-mini", "sim/balanced-pro")
        await h.send()
        await h.finish()
        for pane in window.compare.panes:
            assert pane.outputView.text.endswith("plain answer.")
            assert built_parts(pane) == []  # Send cleared nothing it had to build first
        await h.close()

    aio(go())


def test_reasoning_is_built_above_the_answer_and_next_in_tab_order(
    aio, make_harness: Callable[..., Harness], qtbot
) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini", "sim/deep-reasoner")
        await h.send()
        await h.finish()
        plain, deep = window.compare.panes
        assert "reasoningToggle" not in built_parts(plain)
        toggle = deep.findChild(QWidget, "reasoningToggle")
        assert toggle is deep.reasoningToggle and toggle.isVisible()
        words = len(deep.result.reasoning.split())
        assert words and toggle.text() == f"▸ Reasoning ({words} words)"
        qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
        await wait_until(lambda: deep.reasoningView.isVisible(), what="the reasoning")
        assert deep.reasoningView.toPlainText() == deep.result.reasoning
        assert deep.reasoningView.accessibleName() == "Reasoning"
        assert toggle.geometry().bottom() < deep.reasoningView.geometry().top()
        assert deep.reasoningView.geometry().bottom() < deep.outputView.geometry().top()
        window.activateWindow()
        deep.menuButton.setFocus()
        QApplication.processEvents()
        focus = []
        for _ in range(3):
            qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
            focus.append(QApplication.focusWidget())
        assert focus == [toggle, deep.reasoningView, deep.outputView]
        await h.close()

    aio(go())


def _focus_chain(start: QWidget) -> list[QWidget]:
    chain, widget = [start], start.nextInFocusChain()
    while widget is not start and len(chain) < 1000:
        chain.append(widget)
        widget = widget.nextInFocusChain()
    return chain


def test_parts_built_in_any_order_stand_in_their_places(qtbot) -> None:
    pane = ResponsePane("sim/deep-reasoner")
    qtbot.addWidget(pane)
    pane.resize(420, 1100)  # room for every part at once
    pane.show()
    qtbot.waitExposed(pane)
    assert built_parts(pane) == []
    # the reverse of the order they stand in, each the way the pane builds it
    cited = PaneResult("sim/deep-reasoner")
    cited.citations.append(Citation(1, "https://example.org/a", "A source"))
    pane.show_result(cited)
    pane.flush()
    assert pane.extras.isVisible() and pane.extras.citationsView.isVisible()
    pane.errorLabel.setText("It failed.")
    pane.errorLabel.show()
    pane.left_behind.append((Message("user", "an earlier try"),))
    pane.set_thread((Message("user", "first"), Message("assistant", "one"), Message("user", "second")))
    pane.on_event(Reasoning("thinking it over"))
    pane.flush()
    pane.set_note("Ignores temperature.")
    for toggle in (pane.reasoningToggle, pane.threadToggle):
        toggle.setChecked(True)
    order = [
        pane.noteLabel,
        pane.reasoningToggle,
        pane.reasoningView,
        pane.threadToggle,
        pane.threadView,
        pane.errorLabel,
        pane.detailsButton,
        pane.detailsLabel,
        pane.outputView,
        pane.extras,
    ]
    assert [pane.column.indexOf(w) for w in order] == sorted(pane.column.indexOf(w) for w in order)
    QApplication.processEvents()  # the column lays the parts out
    shown = [w for w in order if w.isVisible()]
    assert shown == [w for w in order if w is not pane.detailsButton and w is not pane.detailsLabel]
    tops = [w.geometry().top() for w in shown]
    assert tops == sorted(tops) and len(set(tops)) == len(tops)  # one under another, as listed
    chain = _focus_chain(pane.modelSelector)
    tabbed = [
        pane.menuButton,
        pane.reasoningToggle,
        pane.reasoningView,
        pane.threadToggle,
        pane.threadView,
        pane.detailsButton,
        pane.outputView,
        pane.extras.jsonToggle,
        pane.extras.citationsView,
        pane.copyButton,
    ]
    assert [chain.index(w) for w in tabbed] == sorted(chain.index(w) for w in tabbed)


def test_every_part_once_built_keeps_its_names(qtbot) -> None:
    pane = ResponsePane("sim/quick-mini")
    qtbot.addWidget(pane)
    for widget in (pane.noteLabel, pane.reasoningView, pane.threadView, pane.detailsLabel, pane.extras):
        assert widget.parentWidget() is not None
    assert built_parts(pane) == list(HIDDEN_PARTS)
    assert unnamed(pane) == []
    assert pane.threadView.accessibleName() == "Earlier turns"
    assert pane.extras.citationsView.accessibleName() == "Sources"


def test_the_more_button_shows_at_the_bottom_right_of_the_panes(
    aio, make_harness: Callable[..., Harness]
) -> None:
    """It is put in the view's viewport the first time panes are out of sight (not at start-up:
    the window's first viewport() makes PySide6 load every widget class)."""
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        window.resize(800, 600)
        h.set_models(*["sim/quick-mini"] * 6)
        compare = window.compare
        await wait_until(lambda: compare.moreButton.isVisible(), what="the more button")
        viewport = compare.viewport()
        button = compare.moreButton
        assert button.parentWidget() is viewport and not button.isWindow()
        assert viewport.rect().contains(button.geometry())
        assert button.geometry().right() > viewport.width() * 3 // 4  # at the right...
        assert button.geometry().bottom() > viewport.height() * 3 // 4  # ...and the bottom
        assert button.text().startswith(f"{len(compare.hidden_panes())} more ")
        await h.close()

    aio(go())
