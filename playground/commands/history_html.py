"""``history export --format html``: the selected runs as one self-contained page, with charts."""

from __future__ import annotations

from collections.abc import Sequence

from playground.core.context import AppContext
from playground.core.history import RunRecord


def html_export(ctx: AppContext, runs: Sequence[RunRecord], *, redact_prompts: bool = False) -> str:
    """The page for these runs, with their votes, the leaderboard and the daily spend alert."""
    from playground.core.leaderboard import leaderboard
    from playground.core.report import Options, history_report_html
    from playground.core.spend import Thresholds

    history = ctx.history()
    votes = {r.id: v for r in runs if (v := history.vote_for(r.id)) is not None}
    thresholds = Thresholds.from_settings(ctx.settings.load())
    return history_report_html(
        runs,
        votes=votes,
        standings=leaderboard(history.votes()),
        daily_alert=thresholds.daily_above,
        options=Options(redact_prompts=redact_prompts),
    )
