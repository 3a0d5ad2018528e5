"""The history schema and its migrations, numbered by SQLite's ``PRAGMA user_version``.

A database made by any earlier release opens: every step runs once, in order, each in its own
transaction, and a database already at ``SCHEMA_VERSION`` is only read (so a read-only file still
opens). Version 0 is every database from before the numbering (the tables below, created as the
first release did, with columns added later).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable

SCHEMA_VERSION = 6

# Version 1: the tables as they were before the numbering.
TABLES = """
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
# ``attachments`` holds each attached file once, by SHA-256; runs and threads refer to it by hash.
# ``answers.thread`` is, for a follow-up or an edited turn, the messages that pane sent (JSON).
COLUMNS = (
    ("runs", "attachments", "ALTER TABLE runs ADD COLUMN attachments TEXT NOT NULL DEFAULT '[]'"),
    ("answers", "thread", "ALTER TABLE answers ADD COLUMN thread TEXT"),
)

# Version 2: conversations. A follow-up names the run it follows (``parent``); all the turns of one
# conversation share ``conversation`` (its first run's id) and ``active`` (when its latest turn was
# sent), so the list shows a conversation together, where its latest turn would be. ``turn_key`` is a
# hash of what a pane sent plus its answer: the next turn's earlier messages hash the same.
CONVERSATIONS = (
    ("runs", "parent", "ALTER TABLE runs ADD COLUMN parent INTEGER"),
    ("runs", "conversation", "ALTER TABLE runs ADD COLUMN conversation INTEGER"),
    ("runs", "turn", "ALTER TABLE runs ADD COLUMN turn INTEGER NOT NULL DEFAULT 1"),
    ("runs", "active", "ALTER TABLE runs ADD COLUMN active REAL"),
    ("answers", "turn_key", "ALTER TABLE answers ADD COLUMN turn_key TEXT"),
)
# Version 6: what an answer carried beyond text (tool calls, citations, images, schema check), as JSON.
EXTRAS = (("answers", "extras", "ALTER TABLE answers ADD COLUMN extras TEXT"),)
CONVERSATION_INDEXES = """
CREATE INDEX IF NOT EXISTS runs_listed ON runs(active DESC, conversation DESC, turn, id);
CREATE INDEX IF NOT EXISTS runs_conversation ON runs(conversation);
CREATE INDEX IF NOT EXISTS answers_turn ON answers(turn_key);
CREATE TRIGGER IF NOT EXISTS runs_own_conversation AFTER INSERT ON runs
WHEN new.conversation IS NULL OR new.active IS NULL BEGIN
    UPDATE runs SET conversation = coalesce(new.conversation, new.id),
        active = coalesce(new.active, new.created)
    WHERE id = new.id;
END;
"""

# Version 3: the search index (FTS5, rowid = run id: system prompt, prompt and answers) kept in step
# by triggers, whoever writes (the app, a test run, a bulk import), and rebuilt once for older files.
# Prefixes of one to three letters are indexed too: the first keys typed ("c", "ca") are the broadest
# searches and would otherwise walk every word that starts so.
SEARCH_TABLE = "CREATE VIRTUAL TABLE search USING fts5(text, tokenize = 'unicode61', prefix = '1 2 3')"
RUN_TEXT = (
    "SELECT coalesce(r.system, '') || char(10) || r.prompt || coalesce((SELECT char(10) || "
    "group_concat(a.answer, char(10)) FROM answers a WHERE a.run_id = r.id), '') FROM runs r WHERE r.id = {}"
)
SEARCH_TRIGGERS = f"""
CREATE TRIGGER IF NOT EXISTS search_run_added AFTER INSERT ON runs BEGIN
    INSERT INTO search (rowid, text) VALUES (new.id, coalesce(new.system, '') || char(10) || new.prompt);
END;
CREATE TRIGGER IF NOT EXISTS search_run_deleted AFTER DELETE ON runs BEGIN
    DELETE FROM search WHERE rowid = old.id;
END;
CREATE TRIGGER IF NOT EXISTS search_answer_added AFTER INSERT ON answers BEGIN
    UPDATE search SET text = ({RUN_TEXT.format("new.run_id")}) WHERE rowid = new.run_id;
END;
CREATE TRIGGER IF NOT EXISTS search_answer_changed AFTER UPDATE OF answer ON answers BEGIN
    UPDATE search SET text = ({RUN_TEXT.format("new.run_id")}) WHERE rowid = new.run_id;
END;
"""

# Version 5: the cost totals read an index, not every answer's text (the table is mostly text).
SPEND_INDEXES = """
CREATE INDEX IF NOT EXISTS answers_model_cost ON answers(requested_model, cost);
CREATE INDEX IF NOT EXISTS answers_created_cost ON answers(created, cost);
"""

# Version 4: test runs (``templates test``), moved here from the evaluation code's own set-up.
TEST_RUNS = """
CREATE TABLE IF NOT EXISTS test_runs (
    id INTEGER PRIMARY KEY,
    created REAL NOT NULL,
    template TEXT NOT NULL,
    plan TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS test_cells (
    test_run INTEGER NOT NULL REFERENCES test_runs(id) ON DELETE CASCADE,
    variant TEXT NOT NULL,
    case_name TEXT NOT NULL,
    model TEXT NOT NULL,
    repeat INTEGER NOT NULL,
    run_id INTEGER,
    state TEXT NOT NULL,
    passed INTEGER NOT NULL,
    score REAL NOT NULL,
    cost TEXT,
    judge_cost TEXT NOT NULL DEFAULT '0',
    latency_ms REAL,
    error TEXT,
    outcomes TEXT NOT NULL DEFAULT '[]',
    created REAL NOT NULL,
    UNIQUE (test_run, variant, case_name, model, repeat)
);
CREATE TABLE IF NOT EXISTS judge_votes (
    id INTEGER PRIMARY KEY,
    test_run INTEGER NOT NULL REFERENCES test_runs(id) ON DELETE CASCADE,
    created REAL NOT NULL,
    judge TEXT NOT NULL,
    template TEXT NOT NULL,
    kind TEXT NOT NULL,
    ranking TEXT NOT NULL,
    flipped INTEGER NOT NULL
);
"""


def version(db: sqlite3.Connection) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: sqlite3.Connection) -> None:
    """Bring the database to ``SCHEMA_VERSION``; each step once, even with two processes opening it."""
    if version(db) >= SCHEMA_VERSION:
        return
    for number, step in STEPS:
        db.execute("BEGIN IMMEDIATE")
        try:
            if version(db) < number:  # another process may have done it while this one waited
                step(db)
                db.execute(f"PRAGMA user_version = {number}")
            db.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):  # SQLite may have rolled back already (disk full)
                db.execute("ROLLBACK")
            raise


def _tables(db: sqlite3.Connection) -> None:
    _script(db, TABLES)
    _add_columns(db, COLUMNS)


def _conversations(db: sqlite3.Connection) -> None:
    from playground.core.history.conversations import link_existing

    _add_columns(db, CONVERSATIONS)
    db.execute("UPDATE runs SET conversation = id, turn = 1, active = created")
    _script(db, CONVERSATION_INDEXES)
    link_existing(db)


def _search(db: sqlite3.Connection) -> None:
    """Rebuilt from scratch: older files could hold an answer twice (a pane saved again)."""
    db.execute("DROP TABLE IF EXISTS search")
    db.execute(SEARCH_TABLE)
    _script(db, SEARCH_TRIGGERS)
    db.execute(f"INSERT INTO search (rowid, text) SELECT id, ({RUN_TEXT.format('runs.id')}) FROM runs")


def _test_runs(db: sqlite3.Connection) -> None:
    _script(db, TEST_RUNS)


STEPS: tuple[tuple[int, Callable[[sqlite3.Connection], None]], ...] = (
    (1, _tables),
    (2, _conversations),
    (3, _search),
    (4, _test_runs),
    (5, lambda db: _script(db, SPEND_INDEXES)),
    (6, lambda db: _add_columns(db, EXTRAS)),
)


def _add_columns(db: sqlite3.Connection, columns: tuple[tuple[str, str, str], ...]) -> None:
    for table, column, statement in columns:
        present = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        if column not in present:
            db.execute(statement)


def _script(db: sqlite3.Connection, script: str) -> None:
    """``executescript`` would commit the open transaction: run the statements one by one instead."""
    for statement in _statements(script):
        db.execute(statement)


def _statements(script: str) -> list[str]:
    statements, pending = [], ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    return [s for s in statements if s]
