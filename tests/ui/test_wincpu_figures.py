"""A streaming window costs only what changes on screen.

A new speed or token count in a chip of a fixed-width kind repaints the line without asking the pane
for a layout pass; a line whose values did not change is not touched at all; and the measurements
kept between paints follow a font or theme change. While a model is silent the frame clock sleeps
instead of ticking 60 times a second, and the model's next event wakes it.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from playground.core.compare import PaneResult, PaneState
from playground.core.events import Delta, Finished, Started, Usage
from playground.simulator import Behaviour
from playground.ui.figures import FiguresBar, result_chips
from playground.ui.net import frame_clock
from playground.ui.response_pane import MIN_WIDTH, ResponsePane
from playground.ui.theme import Colours
from tests.ui.conftest import Harness, wait_until

MODEL = "sim/quick-mini"


class _Seen(QObject):
    """Counts the layout requests and repaints posted to the widgets it watches."""

    def __init__(self, widgets: list[QWidget]) -> None:
        super().__init__()
        self.layouts = 0
        self.paints = 0
        for widget in widgets:
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            self.layouts += 1
        elif event.type() == QEvent.Type.Paint:
            self.paints += 1
        return False


@pytest.fixture
def pane(qtbot: Any) -> ResponsePane:
    widget = ResponsePane(MODEL)
    qtbot.addWidget(widget)
    widget.resize(MIN_WIDTH + 200, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def streaming(pane: ResponsePane) -> PaneResult:
    """A pane drawing a run's state, its first words in and its figures line shown."""
    result = PaneResult(MODEL)
    pane.reset(starting=True)
    pane.show_result(result)
    for event in (Started(MODEL, 1), Delta("Hello", 1)):
        result.apply(event)
        pane.on_event(event)
    result.usage = Usage(12, 40, estimated=True)
    pane.flush()
    return result


def everything_in(pane: ResponsePane) -> list[QWidget]:
    return [pane, *pane.findChildren(QWidget)]


def settled() -> None:
    """Deliver what earlier changes posted (their layout passes and paints) before watching."""
    QApplication.sendPostedEvents()
    QApplication.processEvents()


def test_a_new_token_count_repaints_the_figures_line_without_a_layout_pass(
    qtbot: Any, pane: ResponsePane
) -> None:
    result = streaming(pane)
    qtbot.waitUntil(lambda: "~40 out" in pane.statsLabel.text())
    settled()
    seen = _Seen(everything_in(pane))
    result.usage = Usage(12, 97, estimated=True)
    pane.on_event(Delta(" world", 1))  # (applied to result by the run)
    pane.flush(render=False, figures=True)  # a figures frame: the view paces the text apart
    qtbot.waitUntil(lambda: seen.paints > 0)  # the new figure is painted...
    assert "~97 out" in pane.statsLabel.text()
    assert [c.value for c in pane.statsLabel.chips if c.kind == "tokens"] == ["~12 → ~97 tok"]
    assert seen.layouts == 0  # ...in place: the chips keep their widths, the pane is not laid out


def test_a_figures_line_whose_values_did_not_change_is_not_touched(qtbot: Any, pane: ResponsePane) -> None:
    result = streaming(pane)
    finished = Finished(MODEL, "stop", ttft=0.4, duration=1.0, tokens_per_second=61.3)
    result.apply(finished)
    pane.on_event(finished)
    pane.flush()
    qtbot.waitUntil(lambda: any(c.value == "61.3 tok/s" for c in pane.statsLabel.chips))
    settled()
    seen = _Seen(everything_in(pane))
    pane._dirty = True  # an event that changed nothing shown (e.g. the same usage again)
    pane.flush()
    pane.flush()  # and an idle frame: nothing new at all
    probe = QWidget()
    probe.show()
    qtbot.waitExposed(probe)  # the event loop has run: anything posted would have been seen
    probe.close()
    assert (seen.layouts, seen.paints) == (0, 0)


def test_the_chips_are_measured_again_after_a_font_change(qtbot: Any) -> None:
    bar = FiguresBar()
    qtbot.addWidget(bar)
    result = PaneResult(MODEL, state=PaneState.DONE)
    result.usage = Usage(1200, 3400, cost=Decimal("0.0012"))
    bar.set_chips(result_chips(result, (None, None)))
    small = bar.sizeHint().width()
    font = QFont(bar.font())
    font.setPointSizeF(font.pointSizeF() * 2)
    bar.setFont(font)
    assert bar.sizeHint().width() > small * 1.6
    assert bar.heightForWidth(10_000) > 0


def test_the_chips_are_painted_in_the_new_theme_after_a_palette_change(qtbot: Any) -> None:
    bar = FiguresBar()
    qtbot.addWidget(bar)
    result = PaneResult(MODEL, state=PaneState.DONE)
    result.usage = Usage(1200, 3400, cost=Decimal("0.0012"))
    bar.set_chips(result_chips(result, (None, None)))
    bar.resize(bar.sizeHint())
    bar.show()
    qtbot.waitExposed(bar)
    for base, text in (("#ffffff", "#1f2328"), ("#0d1117", "#e6edf3")):
        palette = QPalette(bar.palette())
        palette.setColor(QPalette.ColorRole.Base, QColor(base))
        palette.setColor(QPalette.ColorRole.Text, QColor(text))
        bar.setPalette(palette)
        rect = bar.chip_rects()[0]
        image = bar.grab().toImage()
        pixel = image.pixelColor(int(rect.center().x() * image.devicePixelRatio()), 1)  # above the text
        assert pixel.name() == Colours.of(palette).chip.name()


def test_the_frame_clock_sleeps_while_a_model_is_silent_and_wakes_for_its_answer(
    aio, make_harness: Callable[..., Harness]
) -> None:
    h = make_harness()
    answer = "Caching keeps a copy close by, so the second read is cheap."

    async def go() -> None:
        await h.start()
        h.sim.set_default("sim/quick-mini", Behaviour(text=answer, tokens_per_second=0, ttft=1.5))
        h.set_models("sim/quick-mini")
        clock = frame_clock()
        woken_at: list[tuple[int, bool]] = []  # (frame, timer running) when the answer woke it
        wake = clock._woken

        def woken() -> None:
            woken_at.append((clock.frame, clock._timer.isActive()))
            wake()

        clock._wake.disconnect(wake)
        clock._wake.connect(woken)
        await h.send()
        await wait_until(lambda: clock.asleep, what="the clock asleep while nothing streams")
        asleep_at = clock.frame
        assert not clock._timer.isActive()
        assert h.window.compare.running  # the run goes on: only the ticking stopped
        await h.finish(timeout=30)
        pane = h.window.compare.panes[0]
        assert pane.result.state is PaneState.DONE
        assert pane.outputView.text == answer
        assert woken_at[0] == (asleep_at, False)  # no frame ticked while the model was silent
        await h.close()

    aio(go())
