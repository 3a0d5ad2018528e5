"""The charts' numbers come from the history they describe, and the SVG draws those numbers."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from playground.core.leaderboard import leaderboard
from playground.core.report.charts import (
    Distribution,
    ModelPoint,
    cost_quality,
    cost_rating_from_history,
    pareto_front,
    speed,
    spend_per_day,
)
from playground.core.report.svg import DARK, cost_quality_svg, point_positions, speed_svg, spend_svg
from playground.simulator import Simulator
from tests.core.report_fixtures import MODELS, history_over_days

SVG = "{http://www.w3.org/2000/svg}"
NOON = time.mktime(date.today().timetuple()) + 12 * 3600  # no run crosses midnight


def test_spend_per_day_matches_the_history_totals(sim: Simulator, tmp_path: Path) -> None:
    history = history_over_days(sim, tmp_path / "h.sqlite3", NOON, days=3)
    runs = history.list_runs(limit=1000, texts=False)
    chart = spend_per_day(runs, days=7, daily_alert=Decimal("0.004"), now=NOON)
    by_day = dict(history.totals_per_day())
    assert len(chart.days) == 3 and chart.days[-1] == date.today().isoformat()
    for day in chart.days:
        assert abs(chart.total(day) - by_day[day]) < Decimal("1e-9"), day
    per_model = dict(history.totals_per_model())
    assert set(chart.models) == set(MODELS)
    for model in chart.models:
        assert abs(
            sum(chart.cost.get((d, model), Decimal(0)) for d in chart.days) - per_model[model]
        ) < Decimal("1e-9")
    assert chart.models[0] == max(per_model, key=lambda m: per_model[m])  # biggest spender first
    headers, rows = chart.table()
    assert headers == ("day", *chart.models, "total") and [r[0] for r in rows] == list(chart.days)


def test_spend_keeps_only_the_days_asked_for(sim: Simulator, tmp_path: Path) -> None:
    history = history_over_days(sim, tmp_path / "h.sqlite3", NOON, days=3)
    chart = spend_per_day(history.list_runs(texts=False), days=2, now=NOON)
    assert len(chart.days) == 2
    assert sum(chart.total(d) for d in chart.days) < sum(v for _, v in history.totals_per_day())


def test_speed_distributions_hold_each_answers_figures(sim: Simulator, tmp_path: Path) -> None:
    history = history_over_days(sim, tmp_path / "h.sqlite3", NOON, days=2)
    runs = history.list_runs(texts=False)
    ttft = speed(runs, "ttft")
    expected: dict[str, list[float]] = defaultdict(list)
    for r in runs:
        for a in r.answers:
            if a.ttft is not None:
                expected[a.requested_model].append(a.ttft)
    assert {d.model: sorted(d.values) for d in ttft.series} == {m: sorted(v) for m, v in expected.items()}
    tps = speed(runs, "tps")
    for d in tps.series:
        answers = [a for r in runs for a in r.answers if a.requested_model == d.model]
        assert sorted(d.values) == sorted(a.tokens_out / (a.duration - a.ttft) for a in answers)  # type: ignore[operator]
    _model, count, low, q1, median, q3, high = ttft.table()[1][0]
    assert float(low) <= float(q1) <= float(median) <= float(q3) <= float(high) and int(count) == 4


def test_a_box_plot_with_an_outlier_keeps_its_whiskers_outside_the_box() -> None:
    d = Distribution("m", (0.001, 0.06, 0.06, 0.06))  # q1 falls between the outlier and the rest
    low, high = d.whiskers
    q1, median, q3 = d.quartiles
    assert low <= q1 <= median <= q3 <= high
    assert 0.001 in d.values and low > 0.001  # the outlier stays a dot, beyond the whisker


def test_cost_against_rating_uses_the_votes_and_each_answers_cost(sim: Simulator, tmp_path: Path) -> None:
    history = history_over_days(sim, tmp_path / "h.sqlite3", NOON, days=1)
    runs = history.list_runs(texts=False)
    for r in runs:
        history.save_vote(r.id, "rank", ["sim/deep-reasoner", "sim/quick-mini", "sim/balanced-pro"])
    standings = leaderboard(history.votes())
    chart = cost_rating_from_history(runs, standings)
    costs = {m: v for m, v in history.totals_per_model()}
    for point in chart.points:
        assert point.cost == pytest.approx(float(costs[point.model]) / 2)  # two answers each
        assert point.quality == next(s.rating for s in standings if s.model == point.model)
    # quick-mini is the cheapest and second best; balanced-pro costs more and is rated last
    assert "sim/balanced-pro" not in chart.front and chart.front[0] == "sim/quick-mini"


def test_pareto_front_keeps_only_the_models_nothing_beats() -> None:
    points = [
        ModelPoint("cheap-ok", 0.001, 0.6, 1.0, 3),
        ModelPoint("dear-best", 0.010, 0.9, 2.0, 3),
        ModelPoint("dear-worse", 0.012, 0.5, 3.0, 3),
        ModelPoint("mid-good", 0.004, 0.8, 1.0, 3),
        ModelPoint("mid-same-cost-worse", 0.004, 0.7, 1.0, 3),
    ]
    assert pareto_front(points) == ("cheap-ok", "mid-good", "dear-best")


def test_the_svg_draws_one_point_per_model_where_the_window_looks_for_it() -> None:
    chart = cost_quality(
        {"a/one": [Decimal("0.001")], "b/two": [Decimal("0.003")], "c/<three>": [Decimal("0.002")]},
        {"a/one": 0.5, "b/two": 1.0, "c/<three>": 0.25},
        {"a/one": [1.0]},
        "pass rate",
    )
    root = ET.fromstring(cost_quality_svg(chart, DARK))
    circles = root.findall(f"{SVG}circle")
    positions = point_positions(chart)
    drawn = {
        c.find(f"{SVG}title").text.split(":")[0]: (float(c.get("cx")), float(c.get("cy"))) for c in circles
    }  # type: ignore[union-attr]
    assert drawn.keys() == positions.keys()
    for model, (x, y) in positions.items():
        assert drawn[model] == pytest.approx((x, y), abs=0.06)
    assert (
        positions["b/two"][1] < positions["a/one"][1] < positions["c/<three>"][1]
    )  # higher rate is higher up
    assert root.find(f"{SVG}polyline") is not None  # the front: a/one then b/two


def test_spend_svg_draws_the_alert_line_at_its_value(sim: Simulator, tmp_path: Path) -> None:
    history = history_over_days(sim, tmp_path / "h.sqlite3", NOON, days=2)
    chart = spend_per_day(history.list_runs(texts=False), days=5, daily_alert=Decimal("0.002"), now=NOON)
    root = ET.fromstring(spend_svg(chart))
    bars = [r for r in root.findall(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert len(bars) == sum(1 for d in chart.days for m in chart.models if chart.cost.get((d, m)))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "daily alert $0.002" in texts
    assert ET.fromstring(speed_svg(speed(history.list_runs(texts=False), "ttft"))).tag == f"{SVG}svg"
