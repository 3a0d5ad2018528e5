"""Finding runs: words through the FTS5 index, filters, outcome and paging all in one SQL query.

Nothing here reads every run: a search is an index look-up, a filter an indexed condition, and a
page (``limit``/``offset``) reads only its own rows, so a list of 10,000 runs costs what one page does.
"""

from __future__ import annotations

from typing import Any

from playground.core.history.records import RunRecord
from playground.core.history.runs import RunStore

# How a run's outcome is decided (RunRecord.outcome), in SQL so a filter on it still pages.
_DONE_ONLY = (
    "EXISTS (SELECT 1 FROM answers o WHERE o.run_id = r.id) AND NOT EXISTS "
    "(SELECT 1 FROM answers o WHERE o.run_id = r.id AND o.state != 'done')"
)
_ANY_FAILED = "EXISTS (SELECT 1 FROM answers o WHERE o.run_id = r.id AND o.state = 'failed')"
OUTCOMES = {
    "complete": _DONE_ONLY,
    "failed": _ANY_FAILED,
    "incomplete": f"NOT ({_DONE_ONLY}) AND NOT {_ANY_FAILED}",
}
ORDERS = {
    "created": "r.created DESC, r.id DESC",  # newest first (the CLI's list)
    # a conversation's turns together, in order, where its latest turn would be (the window's list)
    "conversation": "r.active DESC, r.conversation DESC, r.turn, r.id",
}
TURNS = "(SELECT COUNT(*) FROM runs c WHERE c.conversation = r.conversation) AS turns"
MATCHED = "r.id IN (SELECT rowid FROM search WHERE search MATCH ?)"
# a conversation's first run, when the words are found in any of its turns
MATCHED_TURN = (
    "r.id IN (SELECT c.conversation FROM runs c"
    " WHERE c.id IN (SELECT rowid FROM search WHERE search MATCH ?))"
)


class SearchStore(RunStore):
    """Lists of runs: searched, filtered, paged."""

    def list_runs(
        self,
        *,
        search: str = "",
        template: str | None = None,
        model: str | None = None,
        since: float | None = None,
        until: float | None = None,
        outcome: str | None = None,
        limit: int = 100,
        offset: int = 0,
        texts: bool = True,
        order: str = "created",
        first_turns: bool = False,
    ) -> list[RunRecord]:
        """Newest first (or by conversation). ``search`` matches the prompt, system prompt and answers.

        ``texts=False`` leaves the answers' text out (for lists; ``get_run`` has it all).
        ``first_turns`` lists each conversation once, by its first run (found when any turn matches).
        """
        where, args = _conditions(search, template, model, since, until, outcome)
        if first_turns:
            where = [w.replace(MATCHED, MATCHED_TURN) for w in where] + ["r.parent IS NULL"]
        sql = f"SELECT r.*, {TURNS} FROM runs r WHERE {' AND '.join(where)} ORDER BY {ORDERS[order]}"
        sql += " LIMIT ? OFFSET ?"
        rows = self._read(sql, (*args, limit, offset))
        return self._with_answers(rows, texts=texts)

    def templates_used(self) -> list[str]:
        """Every template a run was made from, for a filter's choices."""
        rows = self.db.execute("SELECT DISTINCT template FROM runs WHERE template IS NOT NULL ORDER BY 1")
        return [str(r[0]) for r in rows]


def _conditions(
    search: str,
    template: str | None,
    model: str | None,
    since: float | None,
    until: float | None,
    outcome: str | None,
) -> tuple[list[str], list[Any]]:
    where: list[str] = ["1 = 1"]
    args: list[Any] = []
    query = match_query(search)
    if query:
        where.append(MATCHED)
        args.append(query)
    if template:
        where.append("r.template = ?")
        args.append(template)
    if model:
        where.append("EXISTS (SELECT 1 FROM answers m WHERE m.run_id = r.id AND m.requested_model = ?)")
        args.append(model)
    if since is not None:
        where.append("r.created >= ?")
        args.append(since)
    if until is not None:
        where.append("r.created < ?")
        args.append(until)
    if outcome:
        where.append(OUTCOMES.get(outcome, "0 = 1"))  # an unknown outcome matches nothing
    return where, args


def match_query(search: str) -> str:
    """Words to an FTS5 query: every word must appear, each as a prefix ("cach" finds "caching")."""
    words = [w for w in "".join(ch if ch.isalnum() else " " for ch in search).split() if w]
    return " AND ".join(f'"{w}"*' for w in words)
