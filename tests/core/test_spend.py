"""Spend watch: figures from a known history, and each alert at its threshold and not before."""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

import pytest

from playground.core.account import KeyInfo
from playground.core.compare import CompareRequest, PaneResult, PaneSpec, PaneState
from playground.core.events import Finished, Usage
from playground.core.history import RunHistory
from playground.core.settings import Settings
from playground.core.spend import AlertKind, Thresholds, check_alerts, spend_report, today_key

DAY = 86400.0


def _key(limit: str | None = "10", remaining: str | None = "2.50", daily: str | None = "0.40") -> KeyInfo:
    def d(v: str | None) -> Decimal | None:
        return None if v is None else Decimal(v)

    return KeyInfo(
        "sk-or-v1-abc...xyz", d(limit), d(remaining), "monthly", d("7.5"), d(daily), d("2"), d("7.5"),
        False, False, None, None, None,
    )  # fmt: skip


def _record(history: RunHistory, when: float, template: str | None, costs: dict[str, str]) -> None:
    models = list(costs)
    request = CompareRequest("p", tuple(PaneSpec(m) for m in models))
    run_id = history.start_run(request, template=template, now=when)
    for pane, model in enumerate(models):
        result = PaneResult(model, state=PaneState.DONE)
        result.usage = Usage(10, 20, cost=Decimal(costs[model]))
        result.finished = Finished(model, "stop")
        history.save_answer(run_id, pane, result, now=when)


@pytest.fixture
def history(tmp_path: Path) -> RunHistory:
    h = RunHistory(tmp_path / "history.db")
    yield h
    h.close()


def test_spend_per_day_model_template_and_session(history: RunHistory) -> None:
    noon = time.localtime()
    now = time.mktime((noon.tm_year, noon.tm_mon, noon.tm_mday, 12, 0, 0, 0, 0, -1))  # same day all along
    _record(history, now - 2 * DAY, "summarise", {"a/one": "0.10", "b/two": "0.30"})
    _record(history, now - 600, None, {"a/one": "0.05"})
    _record(history, now - 60, "summarise", {"b/two": "0.02", "a/one": "0.01"})
    report = spend_report(history, session_since=now - 300, now=now)
    assert report.today == Decimal("0.08")
    assert report.session == Decimal("0.03")  # only the run after the session started
    assert report.per_model == [("b/two", Decimal("0.32")), ("a/one", Decimal("0.16"))]
    assert report.per_template == [("summarise", Decimal("0.43")), ("(no template)", Decimal("0.05"))]
    days = dict(report.per_day)
    assert days[today_key(now)] == Decimal("0.08")
    assert days[today_key(now - 2 * DAY)] == Decimal("0.40")
    data = report.to_json()
    assert data["today"] == 0.08 and data["per_template"][0] == {"template": "summarise", "cost": 0.43}


def test_remaining_credit_alert_fires_at_its_threshold_and_not_before() -> None:
    info = _key(remaining="2.50")
    assert check_alerts(Thresholds(remaining_below=Decimal("2.49")), key_info=info) == []
    (alert,) = check_alerts(Thresholds(remaining_below=Decimal("2.50")), key_info=info)
    assert alert.kind is AlertKind.LOW_CREDIT and "$2.50 left on this key" in alert.message
    # a key with no limit has no remaining credit to watch
    assert check_alerts(Thresholds(remaining_below=Decimal("100")), key_info=_key(limit=None)) == []


def test_daily_spend_alert_uses_the_larger_of_key_and_history() -> None:
    info = _key(daily="0.40")
    limit = Thresholds(daily_above=Decimal("0.50"))
    assert check_alerts(limit, key_info=info, spent_today=Decimal("0.49")) == []
    (alert,) = check_alerts(limit, key_info=info, spent_today=Decimal("0.50"))
    assert alert.kind is AlertKind.DAILY_SPEND and "Spent $0.50 today" in alert.message
    (alert,) = check_alerts(Thresholds(daily_above=Decimal("0.40")), key_info=info, spent_today=Decimal(0))
    assert alert.kind is AlertKind.DAILY_SPEND


def test_estimate_alert_fires_at_its_threshold_and_not_before() -> None:
    limit = Thresholds(estimate_above=Decimal("0.05"))
    assert check_alerts(limit, estimate=Decimal("0.0499")) == []
    (alert,) = check_alerts(limit, estimate=Decimal("0.05"))
    assert alert.kind is AlertKind.ESTIMATE and "could cost up to $0.05" in alert.message


def test_no_threshold_no_alert_and_settings_round_trip() -> None:
    assert check_alerts(Thresholds(), key_info=_key(), spent_today=Decimal(5), estimate=Decimal(5)) == []
    settings = Settings.from_json(
        {"alert_remaining_below_usd": 3, "alert_daily_spend_usd": 1.5, "spend_cap_usd": 0.2}
    )
    assert Thresholds.from_settings(settings) == Thresholds(Decimal("3.0"), Decimal("1.5"), Decimal("0.2"))
    assert Settings.from_json({"alert_daily_spend_usd": -1}).alert_daily_spend_usd is None
