"""The figure chips at the widest figures a server can send: nothing clipped, every kind lined up."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtGui import QFontMetrics

from playground.core.compare import PaneResult, PaneState
from playground.core.events import Finished, Usage
from playground.core.servertext import MAX_COST_USD, MAX_TOKENS_FIGURE
from playground.core.settings import MAX_SECONDS
from playground.ui.figures import PAD_X, result_chips
from playground.ui.response_pane import MIN_WIDTH, ResponsePane

MODEL = "sim/quick-mini"


def finished(ttft: float, rate: float, usage: Usage) -> PaneResult:
    result = PaneResult(MODEL, state=PaneState.DONE)
    result.finished = Finished(MODEL, "stop", ttft=ttft, duration=1.0, tokens_per_second=rate)
    result.usage = usage
    return result


ORDINARY = finished(0.42, 61.3, Usage(12, 345, cost=Decimal("0.0012")))
EXTREMES = [
    finished(99.99, 999.9, Usage(99_999, 99_999, estimated=True)),  # counted here: "cost unknown"
    finished(MAX_SECONDS - 1, 987_654_321.0, Usage(MAX_TOKENS_FIGURE, 99_950_000, cost=Decimal("1e-7"))),
    finished(12.5, 99_999.4, Usage(999_499, 9_999_999, cost=MAX_COST_USD)),
    finished(86_000.4, 12_345.0, Usage(12_345, 1_234_567, cost=Decimal("0.0000099"))),
]


@pytest.fixture
def pane(qtbot: Any) -> ResponsePane:
    """The narrowest pane the window makes, its figures row laid out."""
    widget = ResponsePane(MODEL)
    qtbot.addWidget(widget)
    widget.resize(MIN_WIDTH, 700)
    widget.show()
    widget.statsLabel.show()
    qtbot.waitExposed(widget)
    return widget


def laid_out(
    pane: ResponsePane, result: PaneResult, live: tuple[float | None, float | None] = (None, None)
) -> dict[str, float]:
    bar = pane.statsLabel
    bar.set_chips(result_chips(result, live))
    pane.layout().activate()
    metrics = QFontMetrics(bar._font())
    widths = {}
    for chip, rect in zip(bar.chips, bar.chip_rects(), strict=True):
        drawn = metrics.horizontalAdvance(f"{chip.caption} " if chip.caption else "")
        drawn += metrics.horizontalAdvance(chip.value)
        assert drawn + 2 * PAD_X <= rect.width(), f"{chip.text!r} is wider than its chip"
        assert rect.left() >= 0 and rect.right() <= bar.width(), f"{chip.text!r} is clipped by the pane"
        widths[chip.kind] = rect.width()
    return widths


def test_the_widest_figures_fit_their_chips_in_the_narrowest_pane_and_line_up(pane: ResponsePane) -> None:
    usual = laid_out(pane, ORDINARY)
    assert set(usual) == {"ttft", "speed", "tokens", "cost"}
    for result in EXTREMES:
        widths = laid_out(pane, result)
        assert widths == usual, f"{pane.statsLabel.text()!r}: a figure's chip changed width"
    streaming = PaneResult(MODEL, state=PaneState.STREAMING)
    streaming.usage = Usage(99_999, 99_999, estimated=True)
    assert laid_out(pane, streaming, (MAX_SECONDS - 1, 99_999.0)) == usual  # live "~99999 tok/s"


def test_a_stored_answer_uses_the_same_figures_as_a_live_one(qtbot) -> None:  # type: ignore[no-untyped-def]
    """A pane showing a past run wrote raw numbers ("250000 -> 1500000 tok", "123.46 s") that the chips
    are not sized for; it now uses the formatters the live figures use."""
    from decimal import Decimal

    from playground.core.history import AnswerRecord
    from playground.ui.figures import seconds_figure, tokens_figure
    from playground.ui.response_pane import ResponsePane

    pane = ResponsePane("sim/quick-mini")
    qtbot.addWidget(pane)
    answer = AnswerRecord(
        0,
        "sim/quick-mini",
        "sim/quick-mini",
        None,
        "hi",
        "",
        "complete",
        "stop",
        None,
        123.456,
        130.0,
        250_000,
        1_500_000,
        None,
        Decimal("0.5"),
        None,
    )
    pane.show_record(answer)
    values = {chip.kind: chip.value for chip in pane.statsLabel.chips}
    assert values["ttft"] == seconds_figure(123.456) == "123 s"
    assert values["tokens"] == tokens_figure(250_000, 1_500_000, estimated=False)
    assert "250000" not in values["tokens"]
