"""Which run a follow-up continues, found from what was sent rather than told by the caller.

A pane's answer is stored with ``turn_key``: a hash of the messages the pane sent plus its answer.
A follow-up sends each pane exactly those messages as its earlier turns, so the hash of a new
pane's earlier turns finds the run it follows - for the window, the CLI, a reopened run or an
edited earlier turn (which follows the turn it branched from) alike, and for databases made before
conversations were recorded (the migration links them the same way).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from playground.core.compare import CompareRequest
from playground.core.conversation import Message


def turn_key(messages: Iterable[tuple[str, str]]) -> str:
    """The hash of a thread's (role, text) pairs; attachments are left out (a reopened run whose
    file was not kept must still find its place)."""
    data = json.dumps([[role, text] for role, text in messages], ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def answered_key(sent: Sequence[tuple[str, str]], answer: str) -> str | None:
    """The key a follow-up of this answer will look for; none for an empty answer (not followed up)."""
    return turn_key([*sent, ("assistant", answer)]) if answer else None


def pairs(messages: Sequence[Message]) -> list[tuple[str, str]]:
    return [(m.role, m.text) for m in messages]


def find_parent(db: sqlite3.Connection, request: CompareRequest) -> sqlite3.Row | None:
    """The run whose answer the panes' earlier turns end with (the newest, when texts repeat)."""
    for pane in request.panes:
        if not pane.history:
            continue
        row = db.execute(
            "SELECT r.id, r.conversation, r.turn FROM answers a JOIN runs r ON r.id = a.run_id"
            " WHERE a.turn_key = ? ORDER BY r.id DESC LIMIT 1",
            (turn_key(pairs(pane.history)),),
        ).fetchone()
        if row is not None:
            return row  # type: ignore[no-any-return]
    return None


def join(db: sqlite3.Connection, run_id: int, parent: sqlite3.Row, created: float) -> None:
    """Make ``run_id`` the next turn of ``parent``'s conversation, now its latest activity."""
    conversation = parent["conversation"] or parent["id"]
    db.execute(
        "UPDATE runs SET parent = ?, conversation = ?, turn = ? WHERE id = ?",
        (parent["id"], conversation, (parent["turn"] or 1) + 1, run_id),
    )
    db.execute("UPDATE runs SET active = ? WHERE conversation = ?", (created, conversation))


def link_existing(db: sqlite3.Connection) -> None:
    """Migration: key every stored answer, then link the follow-ups among the runs, oldest first."""
    threads: dict[int, list[list[tuple[str, str]]]] = {}
    rows = db.execute(
        "SELECT a.id, a.run_id, a.answer, a.thread, r.prompt FROM answers a JOIN runs r ON r.id = a.run_id"
    ).fetchall()
    for a in rows:
        sent = _sent(a["thread"], a["prompt"])
        key = answered_key(sent, a["answer"])
        if key is not None:
            db.execute("UPDATE answers SET turn_key = ? WHERE id = ?", (key, a["id"]))
        if len(sent) > 1:
            threads.setdefault(a["run_id"], []).append(sent[:-1])
    for run_id in sorted(threads):
        parent = _earlier_parent(db, run_id, threads[run_id])
        if parent is not None:
            created = db.execute("SELECT created FROM runs WHERE id = ?", (run_id,)).fetchone()[0]
            join(db, run_id, parent, created)  # oldest first: the latest turn's time is kept last


def _earlier_parent(
    db: sqlite3.Connection, run_id: int, earlier: list[list[tuple[str, str]]]
) -> sqlite3.Row | None:
    for history in earlier:
        row = db.execute(
            "SELECT r.id, r.conversation, r.turn FROM answers a JOIN runs r ON r.id = a.run_id"
            " WHERE a.turn_key = ? AND r.id < ? ORDER BY r.id DESC LIMIT 1",
            (turn_key(history), run_id),
        ).fetchone()
        if row is not None:
            return row  # type: ignore[no-any-return]
    return None


def _sent(thread: str | None, prompt: str) -> list[tuple[str, str]]:
    messages: list[Mapping[str, Any]] = json.loads(thread or "[]")
    if not messages:
        return [("user", prompt)]
    return [(str(m.get("role", "user")), str(m.get("text", ""))) for m in messages]
