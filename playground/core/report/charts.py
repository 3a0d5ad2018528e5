"""The numbers behind the charts, built from history (or a test run), shared by the report and the window.

Three charts: cost against quality per model with its Pareto front; spend per day stacked by model
with the daily alert; time to first token and tokens per second per model as distributions. Each
also gives the same numbers as a table (the accessible alternative to the picture).
"""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from playground.core.format import usd
from playground.core.history import AnswerRecord, RunRecord
from playground.core.leaderboard import Standing

Table = tuple[tuple[str, ...], list[tuple[str, ...]]]


@dataclass(frozen=True)
class ModelPoint:
    """One model on the cost / quality chart: mean cost per answer, its quality and median latency."""

    model: str
    cost: float
    quality: float
    latency: float | None
    answers: int


@dataclass(frozen=True)
class CostQualityChart:
    quality_label: str  # "pass rate" (test runs) or "rating" (blind votes)
    points: tuple[ModelPoint, ...]
    front: tuple[str, ...]  # the models no other model beats on both cost and quality, cheapest first

    title = "Cost and quality per model"

    def table(self) -> Table:
        rows: list[tuple[str, ...]] = [
            (
                p.model,
                usd(Decimal(str(round(p.cost, 9)))),
                _quality_text(p.quality, self.quality_label),
                "-" if p.latency is None else f"{p.latency:.2f} s",
                str(p.answers),
                "yes" if p.model in self.front else "no",
            )
            for p in sorted(self.points, key=lambda p: p.cost)
        ]
        return (
            "model",
            "cost per answer",
            self.quality_label,
            "median latency",
            "answers",
            "on the front",
        ), rows


@dataclass(frozen=True)
class SpendChart:
    days: tuple[str, ...]  # YYYY-MM-DD, oldest first, every day of the span
    models: tuple[str, ...]  # biggest spender first
    cost: Mapping[tuple[str, str], Decimal]  # (day, model) -> USD
    daily_alert: Decimal | None = None

    title = "Spend per day"

    def total(self, day: str) -> Decimal:
        return sum((self.cost.get((day, m), Decimal(0)) for m in self.models), Decimal(0))

    def table(self) -> Table:
        headers = ("day", *self.models, "total")
        rows = [
            (day, *(usd(self.cost.get((day, m), Decimal(0))) for m in self.models), usd(self.total(day)))
            for day in self.days
        ]
        return headers, rows


@dataclass(frozen=True)
class Distribution:
    """One model's values with the five numbers of a box plot (whiskers at 1.5 IQR)."""

    model: str
    values: tuple[float, ...]

    @property
    def quartiles(self) -> tuple[float, float, float]:
        if len(self.values) < 2:
            v = self.values[0]
            return v, v, v
        q1, median, q3 = statistics.quantiles(self.values, n=4, method="inclusive")
        return q1, median, q3

    @property
    def whiskers(self) -> tuple[float, float]:
        q1, _, q3 = self.quartiles
        reach = 1.5 * (q3 - q1)
        inside = [v for v in self.values if q1 - reach <= v <= q3 + reach]
        # With outliers on one side the nearest value inside can lie past the interpolated quartile;
        # the whisker then ends at the box rather than inside it.
        return min([*inside, q1]), max([*inside, q3])


@dataclass(frozen=True)
class SpeedChart:
    metric: str  # "ttft" or "tps"
    series: tuple[Distribution, ...]

    @property
    def title(self) -> str:
        return "Time to first token per model" if self.metric == "ttft" else "Tokens per second per model"

    @property
    def unit(self) -> str:
        return "s" if self.metric == "ttft" else "tokens/s"

    def table(self) -> Table:
        rows = []
        for d in self.series:
            q1, median, q3 = d.quartiles
            low, high = d.whiskers
            rows.append((d.model, str(len(d.values)), *(f"{v:.2f}" for v in (low, q1, median, q3, high))))
        return ("model", "answers", "low", "25%", "median", "75%", "high"), rows


def _quality_text(value: float, label: str) -> str:
    return f"{value * 100:.0f}%" if label == "pass rate" else f"{value:.0f}"


def pareto_front(points: Iterable[ModelPoint]) -> tuple[str, ...]:
    """Models that no other model matches or beats on both cost (lower) and quality (higher)."""
    points = list(points)
    front = [
        p
        for p in points
        if not any(
            o is not p
            and o.cost <= p.cost
            and o.quality >= p.quality
            and (o.cost, o.quality) != (p.cost, p.quality)
            for o in points
        )
    ]
    return tuple(p.model for p in sorted(front, key=lambda p: (p.cost, -p.quality)))


def cost_quality(
    costs: Mapping[str, Sequence[Decimal]],
    quality: Mapping[str, float],
    latencies: Mapping[str, Sequence[float]],
    label: str,
) -> CostQualityChart:
    """A point per model that has both a cost and a quality figure."""
    points = []
    for model in sorted(set(costs) & set(quality)):
        spent = [float(c) for c in costs[model]]
        if not spent:
            continue
        times = latencies.get(model) or []
        latency = statistics.median(times) if times else None
        points.append(ModelPoint(model, statistics.fmean(spent), quality[model], latency, len(spent)))
    return CostQualityChart(label, tuple(points), pareto_front(points))


def cost_rating_from_history(runs: Sequence[RunRecord], standings: Sequence[Standing]) -> CostQualityChart:
    """Cost per answer (from the runs) against the blind-vote rating (from the leaderboard)."""
    costs: dict[str, list[Decimal]] = defaultdict(list)
    latencies: dict[str, list[float]] = defaultdict(list)
    for answer in _finished(runs):
        if answer.cost is not None:
            costs[answer.requested_model].append(answer.cost)
        if answer.duration is not None:
            latencies[answer.requested_model].append(answer.duration)
    return cost_quality(costs, {s.model: s.rating for s in standings}, latencies, "rating")


def spend_per_day(
    runs: Sequence[RunRecord], *, days: int = 30, daily_alert: Decimal | None = None, now: float | None = None
) -> SpendChart:
    """What each model cost per local day over the last ``days`` days (days with no spend included)."""
    today = date.fromtimestamp(time.time() if now is None else now)
    first = today - timedelta(days=days - 1)
    cost: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    per_model: dict[str, Decimal] = defaultdict(Decimal)
    for run in runs:
        day = date.fromtimestamp(run.created)
        if not first <= day <= today:
            continue
        for a in run.answers:
            if a.cost is not None:
                cost[(day.isoformat(), a.requested_model)] += a.cost
                per_model[a.requested_model] += a.cost
    spent_days = sorted(d for d, _ in cost)
    start = date.fromisoformat(spent_days[0]) if spent_days else today
    span = tuple((start + timedelta(days=i)).isoformat() for i in range((today - start).days + 1))
    models = tuple(sorted(per_model, key=lambda m: (-per_model[m], m)))
    return SpendChart(span, models, dict(cost), daily_alert)


def speed(runs: Sequence[RunRecord], metric: str) -> SpeedChart:
    """Each model's TTFT (``ttft``) or generation speed (``tps``) over its finished answers."""
    values: dict[str, list[float]] = defaultdict(list)
    for a in _finished(runs):
        value = a.ttft if metric == "ttft" else tokens_per_second(a)
        if value is not None:
            values[a.requested_model].append(value)
    return SpeedChart(metric, tuple(Distribution(m, tuple(v)) for m, v in sorted(values.items())))


def tokens_per_second(answer: AnswerRecord) -> float | None:
    """Output tokens over the time spent generating them (after the first token), as the panes show."""
    if not answer.tokens_out or answer.duration is None:
        return None
    generating = answer.duration - (answer.ttft or 0.0)
    return answer.tokens_out / generating if generating > 0 else None


def _finished(runs: Sequence[RunRecord]) -> Iterable[AnswerRecord]:
    return (a for r in runs for a in r.answers if a.state == "done")
