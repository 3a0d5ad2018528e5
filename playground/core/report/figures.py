"""The set of charts drawn from history, each able to give its picture (SVG) and its table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from playground.core.history import RunRecord
from playground.core.leaderboard import Standing
from playground.core.report.charts import (
    CostQualityChart,
    SpeedChart,
    SpendChart,
    Table,
    cost_rating_from_history,
    speed,
    spend_per_day,
)
from playground.core.report.svg import LIGHT, Palette, cost_quality_svg, speed_svg, spend_svg

Chart = CostQualityChart | SpendChart | SpeedChart
EMPTY = {
    "cost_quality": "No blind votes yet: vote on blind comparisons to rate models against their cost.",
    "spend": "Nothing spent in this period.",
    "ttft": "No finished answers yet.",
    "tps": "No finished answers with token counts yet.",
}


@dataclass(frozen=True)
class Figure:
    key: str  # cost_quality, spend, ttft or tps
    chart: Chart

    @property
    def title(self) -> str:
        return self.chart.title

    @property
    def empty(self) -> bool:
        c = self.chart
        return not (
            c.points
            if isinstance(c, CostQualityChart)
            else c.models
            if isinstance(c, SpendChart)
            else c.series
        )

    @property
    def empty_text(self) -> str:
        return EMPTY[self.key]

    def svg(self, palette: Palette = LIGHT) -> str:
        c = self.chart
        if isinstance(c, CostQualityChart):
            return cost_quality_svg(c, palette)
        return spend_svg(c, palette) if isinstance(c, SpendChart) else speed_svg(c, palette)

    def table(self) -> Table:
        return self.chart.table()


def history_figures(
    runs: Sequence[RunRecord],
    standings: Sequence[Standing] = (),
    *,
    daily_alert: Decimal | None = None,
    days: int = 30,
    now: float | None = None,
) -> list[Figure]:
    """Cost against rating, spend per day, and both speeds, for these runs."""
    return [
        Figure("cost_quality", cost_rating_from_history(runs, standings)),
        Figure("spend", spend_per_day(runs, days=days, daily_alert=daily_alert, now=now)),
        Figure("ttft", speed(runs, "ttft")),
        Figure("tps", speed(runs, "tps")),
    ]
