"""Blind votes, one per run (a second vote on the same run replaces the first)."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from playground.core.history.db import HistoryDB

if TYPE_CHECKING:  # the leaderboard's code loads when votes are read or cast, not to record a run
    from playground.core.leaderboard import Vote


class VoteStore(HistoryDB):
    """The votes cast on blind runs, for the leaderboard."""

    def save_vote(
        self,
        run_id: int,
        kind: str,
        ranking: Sequence[str],
        *,
        tags: Sequence[str] = (),
        now: float | None = None,
    ) -> Vote:
        """The vote on a blind run (a second vote on the same run replaces the first)."""
        from playground.core.leaderboard import Vote

        vote = Vote(kind, tuple(ranking), run_id, now or time.time(), tags=tuple(tags))
        with self._write() as db:
            db.execute(
                "INSERT OR REPLACE INTO votes (run_id, created, kind, ranking, tags) VALUES (?, ?, ?, ?, ?)",
                (run_id, vote.created, kind, json.dumps(list(ranking)), json.dumps(list(tags))),
            )
        return vote

    def votes(self, *, template: str | None = None, tag: str | None = None) -> list[Vote]:
        rows = self.db.execute(
            "SELECT v.*, r.template FROM votes v JOIN runs r ON r.id = v.run_id ORDER BY v.created"
        ).fetchall()
        found = [_vote(r) for r in rows]
        if template is not None:
            found = [v for v in found if v.template == template]
        if tag is not None:
            found = [v for v in found if tag in v.tags]
        return found

    def vote_for(self, run_id: int) -> Vote | None:
        row = self.db.execute(
            "SELECT v.*, r.template FROM votes v JOIN runs r ON r.id = v.run_id WHERE v.run_id = ?", (run_id,)
        ).fetchone()
        return None if row is None else _vote(row)


def _vote(r: sqlite3.Row) -> Vote:
    from playground.core.leaderboard import Vote

    ranking = tuple(json.loads(r["ranking"]))
    tags = tuple(json.loads(r["tags"] or "[]"))
    return Vote(r["kind"], ranking, r["run_id"], r["created"], r["template"], tags)
