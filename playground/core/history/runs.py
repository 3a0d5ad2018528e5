"""Writing runs and reading them back whole.

Each pane is recorded when the run starts (as "incomplete") and its answer written when it ends, so
a crash or a SIGKILL mid-run keeps what had finished and shows what had not. A follow-up is linked
to the run it continues as it starts (see ``conversations``).
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Mapping, Sequence
from typing import Any

from playground.core.answer_extras import extras_json
from playground.core.attachments import Attachment
from playground.core.compare import CompareRequest, PaneResult
from playground.core.conversation import Message
from playground.core.history.conversations import answered_key, find_parent, join, pairs
from playground.core.history.db import HistoryDB, HistoryError
from playground.core.history.records import (
    UNFINISHED_NOTE,
    UNFINISHED_STATE,
    AnswerRecord,
    RunRecord,
    answer_record,
    run_record,
)
from playground.core.redact import redact

# A list needs the figures, not megabytes of text: these columns leave answer, reasoning and thread out.
SUMMARY_COLUMNS = (
    "run_id, pane, requested_model, served_model, provider, '' AS answer, '' AS reasoning, state,"
    " finish_reason, error, ttft, duration, tokens_in, tokens_out, tokens_reasoning, cost, generation_id,"
    " NULL AS thread, NULL AS extras"
)
ANSWER_COLUMNS = (
    "run_id, pane, requested_model, served_model, provider, answer, reasoning, state, finish_reason, error,"
    " ttft, duration, tokens_in, tokens_out, tokens_reasoning, cost, generation_id, created, thread,"
    " turn_key, extras"
)


class RunStore(HistoryDB):
    """Runs and their answers."""

    def start_run(
        self,
        request: CompareRequest,
        *,
        template: str | None = None,
        template_version: str | None = None,
        case_name: str | None = None,
        variables: Mapping[str, str] | None = None,
        now: float | None = None,
    ) -> int:
        created = now or time.time()
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO runs (created, template, template_version, case_name, variables, system, prompt,"
                " params, attachments) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    created,
                    template,
                    template_version,
                    case_name,
                    json.dumps(dict(variables or {})),
                    request.system,
                    request.prompt,
                    json.dumps(_params(request)),
                    json.dumps([a.hash for a in request.attachments]),
                ),
            )
            run_id = int(cursor.lastrowid or 0)
            _store_blobs(db, request.attachments)
            db.executemany(
                "INSERT INTO answers (run_id, pane, requested_model, state, error, created)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (run_id, i, pane.model, UNFINISHED_STATE, UNFINISHED_NOTE, created)
                    for i, pane in enumerate(request.panes)
                ],
            )
            parent = find_parent(db, request)
            if parent is not None:
                join(db, run_id, parent, created)
            return run_id

    def save_answer(
        self,
        run_id: int,
        pane: int,
        result: PaneResult,
        *,
        thread: Sequence[Message] = (),
        now: float | None = None,
    ) -> None:
        """Store one pane's answer; ``thread`` is what the pane sent when that was more than the run's
        prompt (earlier turns, an edited turn)."""
        f, u = result.finished, result.usage
        with self._write() as db:
            _store_blobs(db, [a for m in thread for a in m.attachments])
            sent = pairs(thread) or [("user", _prompt_of(db, run_id))]
            db.execute(
                f"INSERT OR REPLACE INTO answers ({ANSWER_COLUMNS})"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run_id,
                    pane,
                    result.model,
                    f.served_model if f else None,
                    f.provider if f else None,
                    result.text,
                    result.reasoning,
                    result.state.name.lower(),
                    f.finish_reason if f else None,
                    redact(result.failed.message) if result.failed else None,
                    f.ttft if f else None,
                    f.duration if f else None,
                    u.prompt_tokens if u else None,
                    u.completion_tokens if u else None,
                    u.reasoning_tokens if u else None,
                    str(u.cost) if u and u.cost is not None else None,
                    f.generation_id if f else None,
                    now or time.time(),
                    json.dumps([m.to_json() for m in thread]) if thread else None,
                    answered_key(sent, result.text),
                    extras_json(result),
                ),
            )

    def delete_run(self, run_id: int) -> None:
        with self._write() as db:
            db.execute("DELETE FROM runs WHERE id = ?", (run_id,))

    def get_run(self, run_id: int) -> RunRecord:
        found = self._read("SELECT * FROM runs WHERE id = ?", (run_id,))
        row = found[0] if found else None
        if row is None:
            raise HistoryError(f"No run with id {run_id}. See `playground history list`.")
        return self._with_answers([row])[0]

    def count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM runs").fetchone()[0])

    def attachment_count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM attachments").fetchone()[0])

    def _with_answers(self, rows: Sequence[sqlite3.Row], *, texts: bool = True) -> list[RunRecord]:
        """Runs with their answers; without ``texts`` the answer and reasoning are left empty."""
        if not rows:
            return []
        ids = [row["id"] for row in rows]
        marks = ",".join("?" * len(ids))
        columns = "*" if texts else SUMMARY_COLUMNS
        query = f"SELECT {columns} FROM answers WHERE run_id IN ({marks}) ORDER BY pane"
        rows_of: dict[int, list[sqlite3.Row]] = {i: [] for i in ids}
        for a in self._read(query, ids):
            rows_of[a["run_id"]].append(a)
        blobs = self._blobs(rows, rows_of) if texts else {}
        answers: dict[int, list[AnswerRecord]] = {
            run_id: [answer_record(a, blobs) for a in found] for run_id, found in rows_of.items()
        }
        return [run_record(row, answers[row["id"]], blobs) for row in rows]

    def _blobs(
        self, runs: Sequence[sqlite3.Row], answers: Mapping[int, Sequence[sqlite3.Row]]
    ) -> dict[str, Attachment]:
        """The attachments these runs and threads refer to, loaded once each."""
        hashes: set[str] = set()
        for run in runs:
            hashes.update(json.loads(run["attachments"] or "[]"))
        for found in answers.values():
            for a in found:
                for message in json.loads(a["thread"] or "[]"):
                    hashes.update(x["hash"] for x in message.get("attachments") or [])
        if not hashes:
            return {}
        marks = ",".join("?" * len(hashes))
        query = f"SELECT hash, name, mime, data FROM attachments WHERE hash IN ({marks})"
        return {
            r["hash"]: Attachment(r["name"], r["mime"], bytes(r["data"]))
            for r in self.db.execute(query, list(hashes))
        }


def _params(request: CompareRequest) -> dict[str, Any]:
    params: dict[str, Any] = {n: _json_value(getattr(request.params, n)) for n in request.params.set_names()}
    routing = {
        str(i): request.pane_routing(i).to_mapping()
        for i in range(len(request.panes))
        if not request.pane_routing(i).empty
    }
    if routing:
        params["routing"] = routing  # per pane, as sent
    return params


def _prompt_of(db: sqlite3.Connection, run_id: int) -> str:
    row = db.execute("SELECT prompt FROM runs WHERE id = ?", (run_id,)).fetchone()
    return str(row[0]) if row is not None else ""


def _json_value(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _store_blobs(db: sqlite3.Connection, attachments: Sequence[Attachment]) -> None:
    for a in attachments:
        db.execute(
            "INSERT OR IGNORE INTO attachments (hash, name, mime, size, data) VALUES (?, ?, ?, ?, ?)",
            (a.hash, a.name, a.mime, a.size, a.data),
        )
