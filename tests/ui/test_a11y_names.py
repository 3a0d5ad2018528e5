"""Every interactive widget of the window and of each dialog has an accessible name in words, as a
screen reader reads it (through Qt's accessibility interface, so a button's text or a field's
label counts); and the keyboard moves through the composer in the order it appears on screen."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDockWidget,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QScrollBar,
    QTabBar,
    QTextEdit,
    QWidget,
)

from playground.simulator import Behaviour
from tests.ui.conftest import Harness

INTERACTIVE = (
    QAbstractButton,
    QLineEdit,
    QAbstractSpinBox,
    QComboBox,
    QAbstractItemView,
    QPlainTextEdit,
    QTextEdit,
)
WORDS = re.compile(r"[A-Za-z]{2,}")


def spoken_name(widget: QWidget) -> str:
    interface = QAccessible.queryAccessibleInterface(widget)
    return interface.text(QAccessible.Text.Name) if interface is not None else ""


def _internal(widget: QWidget) -> bool:
    """Parts of a compound widget that a screen reader reaches through the compound itself."""
    parent = widget.parentWidget()
    if isinstance(widget, QHeaderView | QScrollBar):
        return True
    while parent is not None:
        if isinstance(parent, QComboBox | QAbstractSpinBox | QAbstractItemView | QTabBar | QLineEdit):
            return True
        parent = parent.parentWidget()
    return widget.objectName().startswith("qt_")


def unnamed(root: QWidget) -> list[str]:
    """Interactive widgets under ``root`` whose spoken name is missing or not words ("top_p",
    "maxPrice", "⟳")."""
    bad = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not isinstance(widget, INTERACTIVE) or _internal(widget):
            continue
        name = spoken_name(widget)
        if not WORDS.search(name) or "_" in name or re.fullmatch(r"[a-z]+[A-Z]\w*", name):
            bad.append(f"{type(widget).__name__}#{widget.objectName() or '?'} named {name!r}")
    return bad


def test_every_interactive_widget_has_a_name_in_words(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness()
    h.sim.set_default("sim/quick-mini", Behaviour(text="Alpha answer.\n\n```python\nx = 1\n```\n"))
    h.sim.set_default("sim/balanced-pro", Behaviour(text="Beta answer, a little longer.\n"))

    async def go() -> None:
        window = await h.start()
        window.templatePanel.show()
        window.historyView.show()
        h.set_models("sim/quick-mini", "sim/balanced-pro")
        await h.send()
        await h.finish()
        window.historyView.refresh()
        problems = {"window": unnamed(window)}
        opened = {
            "key dialog": window.show_key_dialog(),
            "model browser": window.show_model_browser(),
            "usage": window.show_usage(),
            "endpoints": window.show_endpoints(),
            "leaderboard": window.show_leaderboard(),
            "routing": window.compare.panes[0].edit_routing(),
        }
        window.show_diff()
        opened["diff"] = window.diff_dialog
        window.show_shortcuts()
        opened["shortcuts"] = window.shortcuts_dialog
        for name, dialog in opened.items():
            problems[name] = unnamed(dialog)
            dialog.close()
        bad = {k: v for k, v in problems.items() if v}
        assert bad == {}, "\n".join(f"{k}: {v}" for k, v in bad.items())
        await h.close()

    aio(go())


def test_tab_leaves_the_prompt_and_follows_the_screen(
    aio, make_harness: Callable[..., Harness], qtbot
) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        window.activateWindow()
        window.promptEdit.setPlainText("Hello")
        window.systemToggle.setFocus()
        QApplication.processEvents()
        order = [QApplication.focusWidget()]
        for _ in range(18):
            qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
            order.append(QApplication.focusWidget())
        names = [w.objectName() or type(w).__name__ for w in order]
        assert window.promptEdit.toPlainText() == "Hello"  # Tab moved on, it typed nothing
        prompt = names.index("promptEdit")
        assert names.index("systemToggle") < prompt < names.index("temperature") < names.index("sendButton")
        assert names[names.index("modelsButton") + 1] == "modelSelector"  # then into the first pane
        composer = [w for w in order if window.splitter.widget(0).isAncestorOf(w)]
        centres = [w.mapTo(window, w.rect().center()) for w in composer]
        for a, b in itertools.pairwise(centres):
            same_row = abs(a.y() - b.y()) <= 8
            assert b.y() > a.y() or same_row, names  # never back up the screen
            assert not same_row or b.x() > a.x(), names  # along a row, left to right
        await h.close()

    aio(go())


def test_dock_widgets_are_named(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        window.templatePanel.show()
        window.historyView.show()
        for dock in window.findChildren(QDockWidget):
            assert WORDS.search(spoken_name(dock)), dock.objectName()
        await h.close()

    aio(go())
