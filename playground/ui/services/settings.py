"""SettingsService: the settings the window reads (typed) and writes. A write that fails is said on the
status bar (the ``notice`` signal) and returns False: it never raises into a Qt slot."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from playground.core.context import AppContext
from playground.core.errors import PlaygroundError
from playground.core.settings import Settings

if TYPE_CHECKING:
    from playground.ui.session import Session

log = logging.getLogger(__name__)


class SettingsService:
    """Typed reads and safe writes of the user's settings."""

    def __init__(self, ctx: AppContext, session: Session) -> None:
        self._ctx = ctx
        self._session = session

    def load(self) -> Settings:
        """The settings now (defaults where the file is missing or damaged; the start-up warning says)."""
        return self._ctx.settings.load()

    def update(self, **changes: Any) -> bool:
        """Store these changes; False, with the reason on the status bar, when they cannot be."""
        try:
            self._ctx.settings.update(**changes)
        except PlaygroundError as exc:
            log.warning("settings not saved: %s", exc)
            self._session.notice.emit(str(exc))
            return False
        return True

    # ----- the switches and lists the window keeps ---------------------------------------------

    def set_log_prompts(self, on: bool) -> bool:
        """The "log prompts and answers" switch; new requests follow it (the clients are rebuilt)."""
        if not self.update(log_prompts=on):
            return False
        self._session.spawn(self._follow_log_prompts(on), "log-prompts")
        return True

    async def _follow_log_prompts(self, on: bool) -> None:
        await self._session.keys.rebuild_clients()
        self._session.notice.emit(
            "Prompts and answers will be logged." if on else "Prompts and answers are not logged."
        )

    def set_blind_show_speed(self, on: bool) -> bool:
        return self.update(blind_show_speed=on)

    def set_favourite_models(self, ids: list[str]) -> bool:
        return self.update(favourite_models=tuple(ids))
