"""RunHistory: every run, its inputs, each model's answer and figures, in one SQLite database (WAL).

Each pane is recorded when the run starts (as "incomplete") and its answer written when it ends, so
a crash or a SIGKILL mid-run keeps what had finished and shows what had not. Only a damaged database
(SQLite says CORRUPT or NOTADB) is moved aside (kept, renamed with a timestamp) and a fresh one
started; a locked, full, read-only or unreadable one is left alone and reported as unavailable.
Template versions live here too, so a run can name the exact version it used.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import sqlite3
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from playground.core.answer_extras import extras_export, extras_json, extras_markdown, read_extras
from playground.core.atomic import quarantine
from playground.core.attachments import Attachment
from playground.core.compare import CompareRequest, PaneResult
from playground.core.conversation import Message
from playground.core.errors import PlaygroundError
from playground.core.export import SafeCsvWriter
from playground.core.leaderboard import Vote
from playground.core.redact import redact

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    created REAL NOT NULL,
    template TEXT,
    template_version TEXT,
    case_name TEXT,
    variables TEXT NOT NULL DEFAULT '{}',
    system TEXT,
    prompt TEXT NOT NULL,
    params TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS answers (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    pane INTEGER NOT NULL,
    requested_model TEXT NOT NULL,
    served_model TEXT,
    provider TEXT,
    answer TEXT NOT NULL DEFAULT '',
    reasoning TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL,
    finish_reason TEXT,
    error TEXT,
    ttft REAL,
    duration REAL,
    tokens_in INTEGER,
    tokens_out INTEGER,
    tokens_reasoning INTEGER,
    cost TEXT,
    generation_id TEXT,
    created REAL NOT NULL,
    UNIQUE (run_id, pane)
);
CREATE INDEX IF NOT EXISTS answers_run ON answers(run_id);
CREATE INDEX IF NOT EXISTS answers_model ON answers(requested_model);
CREATE INDEX IF NOT EXISTS runs_created ON runs(created);
CREATE TABLE IF NOT EXISTS template_versions (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    hash TEXT NOT NULL,
    created REAL NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    content TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS versions_name ON template_versions(name);
CREATE VIRTUAL TABLE IF NOT EXISTS search USING fts5(text, tokenize = 'unicode61');
CREATE TABLE IF NOT EXISTS votes (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    created REAL NOT NULL,
    kind TEXT NOT NULL,
    ranking TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '[]',
    UNIQUE (run_id)
);
CREATE TABLE IF NOT EXISTS attachments (
    hash TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    mime TEXT NOT NULL,
    size INTEGER NOT NULL,
    data BLOB NOT NULL
);
"""
# Columns added after the first release, with how to add them to an older database.
MIGRATIONS = (
    ("runs", "attachments", "ALTER TABLE runs ADD COLUMN attachments TEXT NOT NULL DEFAULT '[]'"),
    ("answers", "thread", "ALTER TABLE answers ADD COLUMN thread TEXT"),
    ("answers", "extras", "ALTER TABLE answers ADD COLUMN extras TEXT"),  # tool calls, citations...
)
# ``attachments`` holds each attached file once, by SHA-256; runs and threads refer to it by hash.
# ``answers.thread`` is, for a follow-up or an edited turn, the messages that pane sent (JSON).
# ``search`` holds, per run (rowid = run id), its prompt, system prompt and answers, so finding a
# word among 10,000 runs is an index look-up rather than a scan of every answer.


SUMMARY_COLUMNS = (
    "run_id, pane, requested_model, served_model, provider, '' AS answer, '' AS reasoning, state,"
    " finish_reason, error, ttft, duration, tokens_in, tokens_out, tokens_reasoning, cost, generation_id,"
    " NULL AS thread"
)


class HistoryError(PlaygroundError):
    """The history database could not be read or written."""


class HistoryUnavailable(HistoryError):
    """The database is intact but cannot be used now (locked, disk full, read-only, I/O error)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"history unavailable ({reason})")


# SQLite's primary result codes that mean the file itself is damaged; every other error (BUSY,
# LOCKED, FULL, READONLY, IOERR, CANTOPEN, PERM...) leaves an intact file that must not be set aside.
SQLITE_CORRUPT, SQLITE_NOTADB = 11, 26
# What a pane that has started but not ended reads as; a run killed mid-way keeps it.
UNFINISHED_STATE = "incomplete"
UNFINISHED_NOTE = "not finished: the run ended (closed or killed) before this answer did"


def is_damage(exc: sqlite3.Error) -> bool:
    """True only when SQLite says the file is corrupt or not a database."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (SQLITE_CORRUPT, SQLITE_NOTADB)


def unavailable(exc: sqlite3.Error | OSError) -> HistoryUnavailable:
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or type(exc).__name__
    return HistoryUnavailable(reason)


@dataclass(frozen=True)
class AnswerRecord:
    pane: int
    requested_model: str
    served_model: str | None
    provider: str | None
    answer: str
    reasoning: str
    state: str
    finish_reason: str | None
    error: str | None
    ttft: float | None
    duration: float | None
    tokens_in: int | None
    tokens_out: int | None
    tokens_reasoning: int | None
    cost: Decimal | None
    generation_id: str | None
    thread: tuple[Message, ...] = ()  # what this pane sent, when more than the run's prompt
    extras: Mapping[str, Any] = field(default_factory=dict)  # tool calls, citations, images...


@dataclass(frozen=True)
class RunRecord:
    id: int
    created: float
    prompt: str
    system: str | None
    params: Mapping[str, Any]
    template: str | None = None
    template_version: str | None = None
    case_name: str | None = None
    variables: Mapping[str, str] = field(default_factory=dict)
    answers: tuple[AnswerRecord, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    attached: int = 0  # how many files went with the prompt (known in lists, where the files are not loaded)

    @property
    def cost(self) -> Decimal:
        return sum((a.cost for a in self.answers if a.cost is not None), Decimal(0))

    @property
    def models(self) -> list[str]:
        return [a.requested_model for a in self.answers]

    @property
    def outcome(self) -> str:
        states = {a.state for a in self.answers}
        return "complete" if states == {"done"} else ("failed" if "failed" in states else "incomplete")


@dataclass(frozen=True)
class TemplateVersion:
    id: int
    name: str
    hash: str
    created: float
    note: str
    content: str


class RunHistory:
    """The history database. Open it once; every method is a short transaction."""

    def __init__(self, path: Path, *, busy_timeout: float = 5.0) -> None:
        """``busy_timeout``: how long to wait for another process's write to end before giving up."""
        self.path = path
        self.busy_timeout = busy_timeout
        self.warnings: list[str] = []
        self.db = self._open()

    def _open(self) -> sqlite3.Connection:
        try:
            return _connect(self.path, self.busy_timeout)
        except (sqlite3.Error, OSError) as exc:
            if not isinstance(exc, sqlite3.Error) or not is_damage(exc) or not self.path.exists():
                log.warning("history unavailable: %s", exc)
                raise unavailable(exc) from None
        try:
            moved = self._set_aside()
            db = _connect(self.path, self.busy_timeout)
        except (sqlite3.Error, OSError) as exc:
            raise unavailable(exc) from None
        message = f"The history database was damaged; it was kept as {moved.name} and a new one started."
        self.warnings.append(message)
        log.warning(message)
        return db

    def _set_aside(self) -> Path:
        moved = quarantine(self.path)
        for suffix in ("-wal", "-shm"):
            side = self.path.with_name(self.path.name + suffix)
            if side.exists():
                side.replace(moved.with_name(moved.name + suffix))
        return moved

    def close(self) -> None:
        self.db.close()

    # ----- writing ---------------------------------------------------------------------------

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
        params: dict[str, Any] = {
            n: _json_value(getattr(request.params, n)) for n in request.params.set_names()
        }
        routing = {
            str(i): request.pane_routing(i).to_mapping()
            for i in range(len(request.panes))
            if not request.pane_routing(i).empty
        }
        if routing:
            params["routing"] = routing  # per pane, as sent
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO runs (created, template, template_version, case_name, variables, system, prompt,"
                " params, attachments) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    now or time.time(),
                    template,
                    template_version,
                    case_name,
                    json.dumps(dict(variables or {})),
                    request.system,
                    request.prompt,
                    json.dumps(params),
                    json.dumps([a.hash for a in request.attachments]),
                ),
            )
            run_id = int(cursor.lastrowid or 0)
            _store_blobs(db, request.attachments)
            created = now or time.time()
            db.executemany(
                "INSERT INTO answers (run_id, pane, requested_model, state, error, created)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (run_id, i, pane.model, UNFINISHED_STATE, UNFINISHED_NOTE, created)
                    for i, pane in enumerate(request.panes)
                ],
            )
            db.execute(
                "INSERT INTO search (rowid, text) VALUES (?, ?)",
                (run_id, f"{request.system or ''}\n{request.prompt}"),
            )
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
        row = (
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
            extras_json(result),
        )
        with self._write() as db:
            _store_blobs(db, [a for m in thread for a in m.attachments])
            db.execute(
                "INSERT OR REPLACE INTO answers (run_id, pane, requested_model, served_model, provider,"
                " answer, reasoning, state, finish_reason, error, ttft, duration, tokens_in, tokens_out,"
                " tokens_reasoning, cost, generation_id, created, thread, extras)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            db.execute("UPDATE search SET text = text || ? WHERE rowid = ?", (f"\n{result.text}", run_id))

    def delete_run(self, run_id: int) -> None:
        with self._write() as db:
            db.execute("DELETE FROM runs WHERE id = ?", (run_id,))
            db.execute("DELETE FROM search WHERE rowid = ?", (run_id,))

    def _write(self) -> _Transaction:
        return _Transaction(self.db)

    # ----- reading ---------------------------------------------------------------------------

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
    ) -> list[RunRecord]:
        """Newest first. ``search`` matches the prompt, system prompt and answers.

        ``texts=False`` leaves the answers' text out (for lists; ``get_run`` has it all).
        """
        where: list[str] = ["1 = 1"]
        args: list[Any] = []
        query = _match_query(search)
        if query:
            where.append("r.id IN (SELECT rowid FROM search WHERE search MATCH ?)")
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
        sql = f"SELECT * FROM runs r WHERE {' AND '.join(where)} ORDER BY r.created DESC, r.id DESC"
        rows = self.db.execute(
            sql + " LIMIT ? OFFSET ?", (*args, limit if not outcome else -1, offset)
        ).fetchall()
        runs = self._with_answers(rows, texts=texts)
        if outcome:
            runs = [r for r in runs if r.outcome == outcome][:limit]
        return runs

    def get_run(self, run_id: int) -> RunRecord:
        row = self.db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise HistoryError(f"No run with id {run_id}. See `playground history list`.")
        return self._with_answers([row])[0]

    def count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM runs").fetchone()[0])

    def _with_answers(self, rows: Sequence[sqlite3.Row], *, texts: bool = True) -> list[RunRecord]:
        """Runs with their answers; without ``texts`` the answer and reasoning are left empty
        (a list of many runs needs their figures, not megabytes of text)."""
        if not rows:
            return []
        ids = [row["id"] for row in rows]
        marks = ",".join("?" * len(ids))
        answers: dict[int, list[AnswerRecord]] = {i: [] for i in ids}
        columns = "*" if texts else SUMMARY_COLUMNS
        query = f"SELECT {columns} FROM answers WHERE run_id IN ({marks}) ORDER BY pane"
        rows_of: dict[int, list[sqlite3.Row]] = {i: [] for i in ids}
        for a in self.db.execute(query, ids):
            rows_of[a["run_id"]].append(a)
        blobs = self._blobs(rows, rows_of) if texts else {}
        for run_id, found in rows_of.items():
            answers[run_id] = [_answer(a, blobs) for a in found]
        return [_run(row, answers[row["id"]], blobs) for row in rows]

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

    # ----- blind votes --------------------------------------------------------------------------

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
        found = [
            Vote(
                r["kind"],
                tuple(json.loads(r["ranking"])),
                r["run_id"],
                r["created"],
                r["template"],
                tuple(json.loads(r["tags"] or "[]")),
            )
            for r in rows
        ]
        if template is not None:
            found = [v for v in found if v.template == template]
        if tag is not None:
            found = [v for v in found if tag in v.tags]
        return found

    def vote_for(self, run_id: int) -> Vote | None:
        row = self.db.execute(
            "SELECT v.*, r.template FROM votes v JOIN runs r ON r.id = v.run_id WHERE v.run_id = ?", (run_id,)
        ).fetchone()
        if row is None:
            return None
        ranking = tuple(json.loads(row["ranking"]))
        tags = tuple(json.loads(row["tags"] or "[]"))
        return Vote(row["kind"], ranking, row["run_id"], row["created"], row["template"], tags)

    def attachment_count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM attachments").fetchone()[0])

    def totals_per_day(self, limit: int = 30) -> list[tuple[str, Decimal]]:
        """Cost per day, newest first (summed in SQL as floats: for display, to 9 decimals)."""
        rows = self.db.execute(
            "SELECT date(created, 'unixepoch', 'localtime') AS day, SUM(CAST(cost AS REAL)) AS total "
            "FROM answers WHERE cost IS NOT NULL GROUP BY day ORDER BY day DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [(r["day"], _rounded(r["total"])) for r in rows]

    def totals_per_model(self) -> list[tuple[str, Decimal]]:
        rows = self.db.execute(
            "SELECT requested_model, SUM(CAST(cost AS REAL)) AS total FROM answers WHERE cost IS NOT NULL "
            "GROUP BY requested_model ORDER BY total DESC"
        ).fetchall()
        return [(r["requested_model"], _rounded(r["total"])) for r in rows]

    def totals_per_template(self) -> list[tuple[str, Decimal]]:
        """Cost per template; runs typed by hand are listed as "(no template)"."""
        rows = self.db.execute(
            "SELECT COALESCE(r.template, '(no template)') AS name, SUM(CAST(a.cost AS REAL)) AS total "
            "FROM answers a JOIN runs r ON r.id = a.run_id WHERE a.cost IS NOT NULL "
            "GROUP BY name ORDER BY total DESC"
        ).fetchall()
        return [(r["name"], _rounded(r["total"])) for r in rows]

    def total_since(self, since: float) -> Decimal:
        """Cost of the answers of runs started at or after ``since`` (e.g. this session)."""
        row = self.db.execute(
            "SELECT SUM(CAST(a.cost AS REAL)) AS total FROM answers a JOIN runs r ON r.id = a.run_id "
            "WHERE a.cost IS NOT NULL AND r.created >= ?",
            (since,),
        ).fetchone()
        return _rounded(row["total"])

    # ----- template versions ---------------------------------------------------------------------

    def record_version(self, name: str, content: str, content_hash: str, note: str = "") -> TemplateVersion:
        latest = self.versions(name)
        if latest and latest[0].hash == content_hash and not note:
            return latest[0]  # saving unchanged content records nothing new
        with self._write() as db:
            db.execute(
                "INSERT INTO template_versions (name, hash, created, note, content) VALUES (?, ?, ?, ?, ?)",
                (name, content_hash, time.time(), note, content),
            )
        return self.versions(name)[0]

    def versions(self, name: str) -> list[TemplateVersion]:
        rows = self.db.execute(
            "SELECT * FROM template_versions WHERE name = ? ORDER BY created DESC, id DESC", (name,)
        ).fetchall()
        return [
            TemplateVersion(r["id"], r["name"], r["hash"], r["created"], r["note"], r["content"])
            for r in rows
        ]

    def rename_versions(self, old: str, new: str) -> None:
        with self._write() as db:
            db.execute("UPDATE template_versions SET name = ? WHERE name = ?", (new, old))


class _Transaction:
    """``with history._write() as db:`` commits, or rolls back and raises HistoryError."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise unavailable(exc) from None
        return self.db

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        if kind is None:
            try:
                self.db.execute("COMMIT")
            except sqlite3.Error as error:
                self._rollback()
                raise unavailable(error) from None
            return
        self._rollback()
        if isinstance(exc, sqlite3.Error):
            raise unavailable(exc) from None

    def _rollback(self) -> None:
        # SQLite may already have rolled back (a full disk, an I/O error): nothing left to undo
        with contextlib.suppress(sqlite3.Error):
            self.db.execute("ROLLBACK")


def _connect(path: Path, busy_timeout: float) -> sqlite3.Connection:
    _private_file(path)
    db = sqlite3.connect(path, isolation_level=None, timeout=busy_timeout)
    try:
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA foreign_keys=ON")
        db.executescript(SCHEMA)
        db.execute("SELECT COUNT(*) FROM runs").fetchone()  # a damaged file fails here, not later
        _migrate(db)
        _index_old_runs(db)
    except BaseException:
        db.close()
        raise
    return db


def _private_file(path: Path) -> None:
    """Create the database 0600 (prompts and answers are private); SQLite gives its -wal and -shm
    files the same mode. An older world-readable file is tightened."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)
    except OSError:
        pass  # a read-only file or folder: SQLite says so itself, as "history unavailable"


def _migrate(db: sqlite3.Connection) -> None:
    for table, column, statement in MIGRATIONS:
        columns = {row["name"] for row in db.execute(f"PRAGMA table_info({table})")}
        if column not in columns:
            db.execute(statement)


def _store_blobs(db: sqlite3.Connection, attachments: Sequence[Attachment]) -> None:
    for a in attachments:
        db.execute(
            "INSERT OR IGNORE INTO attachments (hash, name, mime, size, data) VALUES (?, ?, ?, ?, ?)",
            (a.hash, a.name, a.mime, a.size, a.data),
        )


def _index_old_runs(db: sqlite3.Connection) -> None:
    """Runs saved before the search index existed (or by a bulk import) get indexed once."""
    missing = db.execute("SELECT COUNT(*) FROM runs WHERE id NOT IN (SELECT rowid FROM search)").fetchone()[0]
    if not missing:
        return
    db.execute("BEGIN IMMEDIATE")
    db.execute(
        "INSERT INTO search (rowid, text) SELECT r.id, coalesce(r.system, '') || char(10) || r.prompt || "
        "coalesce((SELECT char(10) || group_concat(a.answer, char(10)) FROM answers a "
        "WHERE a.run_id = r.id), '') "
        "FROM runs r WHERE r.id NOT IN (SELECT rowid FROM search)"
    )
    db.execute("COMMIT")


def _json_value(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _answer(a: sqlite3.Row, blobs: Mapping[str, Attachment]) -> AnswerRecord:
    thread = tuple(Message.from_json(m, blobs) for m in json.loads(a["thread"] or "[]"))
    return AnswerRecord(
        a["pane"],
        a["requested_model"],
        a["served_model"],
        a["provider"],
        a["answer"],
        a["reasoning"],
        a["state"],
        a["finish_reason"],
        a["error"],
        a["ttft"],
        a["duration"],
        a["tokens_in"],
        a["tokens_out"],
        a["tokens_reasoning"],
        _dec(a["cost"]),
        a["generation_id"],
        thread,
        read_extras(a["extras"] if "extras" in a.keys() else None),  # noqa: SIM118 - a Row, not a dict
    )


def _run(row: sqlite3.Row, answers: list[AnswerRecord], blobs: Mapping[str, Attachment]) -> RunRecord:
    return RunRecord(
        id=row["id"],
        created=row["created"],
        prompt=row["prompt"],
        system=row["system"],
        params=json.loads(row["params"] or "{}"),
        template=row["template"],
        template_version=row["template_version"],
        case_name=row["case_name"],
        variables=json.loads(row["variables"] or "{}"),
        answers=tuple(answers),
        attachments=tuple(blobs[h] for h in json.loads(row["attachments"] or "[]") if h in blobs),
        attached=len(json.loads(row["attachments"] or "[]")),
    )


def _rounded(total: float | None) -> Decimal:
    return Decimal(str(round(total or 0.0, 9))).normalize()


def _match_query(search: str) -> str:
    """Words to an FTS5 query: every word must appear, each as a prefix ("cach" finds "caching")."""
    words = [w for w in "".join(ch if ch.isalnum() else " " for ch in search).split() if w]
    return " AND ".join(f'"{w}"*' for w in words)


# ----- export ----------------------------------------------------------------------------------


def export_runs(runs: Sequence[RunRecord], fmt: str) -> str:
    """Runs as Markdown, JSON or CSV (one row per answer)."""
    if fmt == "json":
        return json.dumps([_run_json(r) for r in runs], indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        return _runs_csv(runs)
    if fmt == "md":
        return "\n\n".join(_run_markdown(r) for r in runs) + "\n"
    raise PlaygroundError(f"Unknown export format {fmt!r}: choose md, json or csv.")


def _run_json(run: RunRecord) -> dict[str, Any]:
    return {
        "id": run.id,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(run.created)),
        "template": run.template,
        "template_version": run.template_version,
        "case": run.case_name,
        "variables": dict(run.variables),
        "system": run.system,
        "prompt": run.prompt,
        "parameters": dict(run.params),
        "attachments": [_attachment_json(a) for a in run.attachments],
        "answers": [
            {
                "model": a.requested_model,
                "served_model": a.served_model,
                "provider": a.provider,
                "answer": a.answer,
                "reasoning": a.reasoning or None,
                "state": a.state,
                "finish_reason": a.finish_reason,
                "error": a.error,
                "ttft_s": a.ttft,
                "duration_s": a.duration,
                "tokens_in": a.tokens_in,
                "tokens_out": a.tokens_out,
                "tokens_reasoning": a.tokens_reasoning,
                "cost_usd": None if a.cost is None else str(a.cost),
                "generation_id": a.generation_id,
                **extras_export(a.extras),
                "thread": [
                    {
                        "role": m.role,
                        "text": m.text,
                        "attachments": [_attachment_json(x) for x in m.attachments],
                    }
                    for m in a.thread
                ],
            }
            for a in run.answers
        ],
    }


def _attachment_json(a: Attachment) -> dict[str, Any]:
    return {"name": a.name, "type": a.mime, "bytes": a.size, "sha256": a.hash}


CSV_COLUMNS = [
    "run_id",
    "created",
    "template",
    "template_version",
    "case",
    "model",
    "served_model",
    "provider",
    "state",
    "finish_reason",
    "ttft_s",
    "duration_s",
    "tokens_in",
    "tokens_out",
    "cost_usd",
    "prompt",
    "answer",
]


def _runs_csv(runs: Sequence[RunRecord]) -> str:
    out = io.StringIO()
    writer = SafeCsvWriter(out)
    writer.writerow(CSV_COLUMNS)
    for run in runs:
        created = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(run.created))
        for a in run.answers:
            writer.writerow(
                [
                    run.id,
                    created,
                    run.template or "",
                    run.template_version or "",
                    run.case_name or "",
                    a.requested_model,
                    a.served_model or "",
                    a.provider or "",
                    a.state,
                    a.finish_reason or "",
                    a.ttft if a.ttft is not None else "",
                    a.duration if a.duration is not None else "",
                    a.tokens_in or "",
                    a.tokens_out or "",
                    "" if a.cost is None else str(a.cost),
                    run.prompt,
                    a.answer,
                ]
            )
    return out.getvalue()


def _run_markdown(run: RunRecord) -> str:
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(run.created))
    version = f" @ {run.template_version}" if run.template_version else ""
    title = f"# Run {run.id} - {when}" + (f" - template {run.template}{version}" if run.template else "")
    lines = [title, ""]
    if run.system:
        lines += ["**System:**", "", run.system, ""]
    lines += ["**Prompt:**", "", run.prompt, ""]
    if run.attachments:
        lines += ["**Attached:** " + ", ".join(a.describe() for a in run.attachments), ""]
    for a in run.answers:
        cost = f"${a.cost}" if a.cost is not None else "-"
        lines += [f"## {a.requested_model} ({a.state}, {cost})", ""]
        if a.thread:
            lines += _thread_markdown(a.thread)
        lines += [a.answer or f"_{a.error or 'no answer'}_", ""]
        lines += extras_markdown(a.extras)
    return "\n".join(lines)


def _thread_markdown(thread: Sequence[Message]) -> list[str]:
    """The turns this pane sent, quoted, before its answer."""
    lines: list[str] = []
    for message in thread:
        who = "You" if message.role == "user" else "Model"
        quoted = "\n".join(f"> {line}" for line in message.text.splitlines() or [""])
        lines += [f"**{who}:**", "", quoted, ""]
        if message.attachments:
            lines += ["> attached: " + ", ".join(x.describe() for x in message.attachments), ""]
    return lines
