"""SpendService: the alert thresholds, the alerts reached now, and the spend report (Usage and spend)."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import TYPE_CHECKING

from playground.core.context import AppContext
from playground.core.errors import PlaygroundError

if TYPE_CHECKING:
    from playground.core.spend import Alert, SpendReport, Thresholds
    from playground.ui.session import Session


class SpendService:
    """What was spent (from history and the key's figures) against the thresholds in the settings."""

    def __init__(self, ctx: AppContext, session: Session) -> None:
        self._ctx = ctx
        self._session = session
        self.started_at = time.time()  # "this session" in the spend figures
        self.alerts: list[Alert] = []

    def thresholds(self) -> Thresholds:
        from playground.core.spend import Thresholds

        return Thresholds.from_settings(self._ctx.settings.load())

    def report(self, days: int = 30) -> SpendReport:
        """Spend per day, model and template; raises PlaygroundError when history cannot be read."""
        from playground.core.spend import spend_report

        return spend_report(
            self._ctx.history(),
            days=days,
            session_since=self.started_at,
            key_info=self._session.keys.key_info,
            thresholds=self.thresholds(),
        )

    def estimate_alerts(self, estimate: Decimal) -> list[Alert]:
        from playground.core.preflight import spend_cap
        from playground.core.spend import Alert, AlertKind

        finding = spend_cap(self.thresholds(), estimate)
        return [Alert(AlertKind.ESTIMATE, finding.text)] if finding else []

    def refresh_alerts(self) -> None:
        from playground.core.spend import check_alerts, spend_report

        try:
            today = spend_report(self._ctx.history(), days=1).today
        except PlaygroundError:
            today = None
        key_info = self._session.keys.key_info
        self.alerts = check_alerts(self.thresholds(), key_info=key_info, spent_today=today)
        self._session.alertsChanged.emit(self.alerts)

    def save_alerts(self, remaining: float | None, daily: float | None, estimate: float | None) -> bool:
        """Store the alert thresholds (None = off) and re-check them now; False (said) when not stored."""
        saved = self._session.settings.update(
            alert_remaining_below_usd=remaining, alert_daily_spend_usd=daily, spend_cap_usd=estimate
        )
        if saved:
            self.refresh_alerts()
        return saved
