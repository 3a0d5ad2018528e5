"""Spend watch: what was spent (per day, model, template, this session) and the alerts the user set.

The figures come from the local history (what this app spent) and from the key's ``/key`` figures
(what the key spent anywhere). Alerts fire at their threshold - never after the money is gone:
remaining credit at or below X, today's spend at or above Y, one comparison estimated at or above Z.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from playground.core.account import KeyInfo
from playground.core.format import usd
from playground.core.history import RunHistory
from playground.core.settings import Settings


class AlertKind(StrEnum):
    LOW_CREDIT = "low_credit"
    DAILY_SPEND = "daily_spend"
    ESTIMATE = "estimate"


@dataclass(frozen=True)
class Alert:
    kind: AlertKind
    message: str


@dataclass(frozen=True)
class Thresholds:
    """The user's alert settings, in USD; None means off."""

    remaining_below: Decimal | None = None
    daily_above: Decimal | None = None
    estimate_above: Decimal | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Thresholds:
        def dec(value: float | None) -> Decimal | None:
            return None if value is None else Decimal(str(value))

        return cls(
            dec(settings.alert_remaining_below_usd),
            dec(settings.alert_daily_spend_usd),
            dec(settings.spend_cap_usd),
        )


def remaining_credit(info: KeyInfo | None) -> Decimal | None:
    """What the key may still spend: its limit's remainder (None when the key has no limit)."""
    if info is None or info.limit is None:
        return None
    if info.limit_remaining is not None:
        return info.limit_remaining
    return info.limit - (info.usage or Decimal(0))


def check_alerts(
    thresholds: Thresholds,
    *,
    key_info: KeyInfo | None = None,
    spent_today: Decimal | None = None,
    estimate: Decimal | None = None,
) -> list[Alert]:
    """The alerts that have reached their threshold, in words."""
    alerts: list[Alert] = []
    remaining = remaining_credit(key_info)
    if (
        thresholds.remaining_below is not None
        and remaining is not None
        and remaining <= thresholds.remaining_below
    ):
        alerts.append(
            Alert(
                AlertKind.LOW_CREDIT,
                f"Credit low: {usd(remaining)} left on this key "
                f"(alert at {usd(thresholds.remaining_below)}).",
            )
        )
    today = _today_spend(key_info, spent_today)
    if thresholds.daily_above is not None and today is not None and today >= thresholds.daily_above:
        alerts.append(
            Alert(
                AlertKind.DAILY_SPEND,
                f"Spent {usd(today)} today, at or above your daily alert of {usd(thresholds.daily_above)}.",
            )
        )
    if (
        thresholds.estimate_above is not None
        and estimate is not None
        and estimate >= thresholds.estimate_above
    ):
        alerts.append(
            Alert(
                AlertKind.ESTIMATE,
                f"This comparison could cost up to {usd(estimate)}, at or above your alert of "
                f"{usd(thresholds.estimate_above)}.",
            )
        )
    return alerts


def _today_spend(key_info: KeyInfo | None, local: Decimal | None) -> Decimal | None:
    """The larger of the key's own daily usage and what this app recorded today."""
    values = [v for v in (key_info.usage_daily if key_info else None, local) if v is not None]
    return max(values) if values else None


@dataclass(frozen=True)
class SpendReport:
    """What this app spent, from the history database."""

    per_day: list[tuple[str, Decimal]]
    per_model: list[tuple[str, Decimal]]
    per_template: list[tuple[str, Decimal]]
    today: Decimal
    session: Decimal | None = None
    key_info: KeyInfo | None = None
    alerts: list[Alert] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        info = self.key_info
        key: dict[str, Any] | None = None
        if info is not None:
            key = {
                "label": info.label,
                "limit": _num(info.limit),
                "limit_remaining": _num(remaining_credit(info)),
                "limit_reset": info.limit_reset,
                "usage": _num(info.usage),
                "usage_daily": _num(info.usage_daily),
                "usage_weekly": _num(info.usage_weekly),
                "usage_monthly": _num(info.usage_monthly),
            }
        return {
            "key": key,
            "today": _num(self.today),
            "session": _num(self.session),
            "per_day": [{"day": d, "cost": _num(c)} for d, c in self.per_day],
            "per_model": [{"model": m, "cost": _num(c)} for m, c in self.per_model],
            "per_template": [{"template": t, "cost": _num(c)} for t, c in self.per_template],
            "alerts": [{"kind": str(a.kind), "message": a.message} for a in self.alerts],
        }


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def today_key(now: float | None = None) -> str:
    return datetime.fromtimestamp(time.time() if now is None else now).strftime("%Y-%m-%d")


def spend_report(
    history: RunHistory,
    *,
    days: int = 30,
    session_since: float | None = None,
    key_info: KeyInfo | None = None,
    thresholds: Thresholds | None = None,
    now: float | None = None,
) -> SpendReport:
    per_day = history.totals_per_day(days)
    today = dict(per_day).get(today_key(now), Decimal(0))
    session = history.total_since(session_since) if session_since is not None else None
    alerts = check_alerts(thresholds, key_info=key_info, spent_today=today) if thresholds else []
    return SpendReport(
        per_day=per_day,
        per_model=history.totals_per_model(),
        per_template=history.totals_per_template(),
        today=today,
        session=session,
        key_info=key_info,
        alerts=alerts,
    )
