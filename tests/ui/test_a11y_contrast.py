"""WCAG contrast of what the window draws, in the light and the dark theme: text (measured on the
rendered pixels, as a user sees it), code blocks after a theme switch (from the document's own
colours), and the keyboard focus ring (3:1 against what it replaces)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QImage, QTextTable
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget

from playground.simulator import Behaviour
from playground.ui.figures import BadgePills, FiguresBar
from playground.ui.markdown_view import MarkdownView
from tests.ui.conftest import Harness, wait_until

ANSWER = (
    "Intro with `inline code`.\n\n| Header | Value |\n|---|---|\n| a | 1 |\n\n"
    '```python\nimport os  # a comment\n\ndef f(x: int) -> str:\n    return f"{x} items"\n```\n\nDone.\n'
)


def _luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = channel(colour.redF()), channel(colour.greenF()), channel(colour.blueF())
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(a: QColor, b: QColor) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def drawn_contrast(image: QImage, rect: QRect) -> float:
    """Background = the commonest pixel in ``rect``; text = the pixel that differs from it most."""
    rect = rect.intersected(image.rect())
    counts = Counter(
        image.pixel(x, y)
        for y in range(rect.top(), rect.bottom() + 1)
        for x in range(rect.left(), rect.right() + 1)
    )
    if not counts:
        return 21.0
    background = QColor.fromRgb(counts.most_common(1)[0][0])
    return max(ratio(QColor.fromRgb(rgb), background) for rgb in counts)


def _shows_text(widget: QWidget) -> bool:
    if isinstance(widget, QLabel):
        return bool(widget.text().strip()) and widget.pixmap().isNull()
    if isinstance(widget, QAbstractButton):
        return bool(widget.text().strip())
    return isinstance(widget, FiguresBar | BadgePills) and bool(widget.chips)


def text_widgets(window: QWidget) -> list[QWidget]:
    return [
        w
        for w in window.findChildren(QWidget)
        if w.isVisible() and w.isEnabled() and w.width() >= 8 and _shows_text(w)
    ]


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_text_reads_at_aa_in_both_themes(aio, make_harness: Callable[..., Harness], theme: str) -> None:
    h = make_harness()
    h.sim.set_default("sim/quick-mini", Behaviour(text=ANSWER))
    h.sim.set_default("sim/balanced-pro", Behaviour(text="A longer answer, so badges differ. " * 4))

    async def go() -> None:
        window = await h.start()
        window.set_theme(theme)
        window.resize(1400, 900)
        h.set_models("sim/quick-mini", "sim/balanced-pro", "fault/402")
        await h.send()
        await h.finish()
        image = window.grab().toImage()
        low = []
        for widget in text_widgets(window):
            rect = QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())
            measured = drawn_contrast(image, rect)
            if measured < 4.5:
                low.append(f"{widget.objectName() or type(widget).__name__}: {measured:.2f}")
        assert low == []
        assert any(isinstance(w, BadgePills) for w in text_widgets(window))  # the pills were measured
        await h.close()

    aio(go())


def code_contrasts(view: MarkdownView) -> list[float]:
    """Each run of text inside the code blocks against its cell's background."""
    out = []
    default_text = view.palette().text().color()
    for frame in view.document().rootFrame().childFrames():
        if not isinstance(frame, QTextTable):
            continue
        table_brush = frame.format().background()
        table_bg = table_brush.color() if table_brush.style().value else view.palette().base().color()
        for row in range(frame.rows()):
            cell = frame.cellAt(row, 0)
            cell_brush = cell.format().background()
            background = cell_brush.color() if cell_brush.style().value else table_bg
            block = cell.firstCursorPosition().block()
            while block.isValid() and block.position() <= cell.lastPosition():
                iterator = block.begin()
                while not iterator.atEnd():
                    fragment = iterator.fragment()
                    if fragment.text().strip():
                        brush = fragment.charFormat().foreground()
                        colour = brush.color() if brush.style().value else default_text
                        out.append(ratio(colour, background))
                    iterator += 1
                block = block.next()
    return out


def test_code_blocks_read_at_aa_after_each_theme_switch(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness()
    h.sim.set_default("sim/quick-mini", Behaviour(text=ANSWER))

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini")
        await h.send()
        await h.finish()
        view = window.compare.panes[0].outputView
        for theme in ("dark", "light", "dark", "system"):
            window.set_theme(theme)
            await wait_until(lambda: not view.recolouring, what="the answer in its new colours")
            contrasts = code_contrasts(view)
            assert len(contrasts) > 5, theme  # the code's tokens and the header were found
            assert min(contrasts) >= 4.5, (theme, min(contrasts))
        await h.close()

    aio(go())


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_focus_ring_is_clearly_visible(aio, make_harness: Callable[..., Harness], theme: str) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        window.set_theme(theme)
        window.activateWindow()
        window.promptEdit.setPlainText("Hello")
        weak = []
        for widget in (
            window.attachButton,
            window.sendButton,
            window.systemToggle,
            window.params.stop,
            window.params.temperature,
            window.compare.panes[0].modelSelector,
        ):
            window.promptEdit.setFocus()
            await wait_until(window.promptEdit.hasFocus, what="focus in the prompt")
            before = widget.grab().toImage()
            widget.setFocus(Qt.FocusReason.TabFocusReason)  # as the keyboard moves it
            await wait_until(widget.hasFocus, what=f"focus on {widget.objectName()}")
            after = widget.grab().toImage()
            changed = [
                ratio(after.pixelColor(x, y), before.pixelColor(x, y))
                for y in range(after.height())
                for x in range(after.width())
                if after.pixel(x, y) != before.pixel(x, y)
            ]
            if not changed or max(changed) < 3.0:
                weak.append(f"{widget.objectName()}: {max(changed, default=1.0):.2f}")
        assert weak == []
        await h.close()

    aio(go())
