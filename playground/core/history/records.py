"""What history gives back: a run with its answers (``RunRecord``), a template version; rows to records."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from playground.core.answer_extras import read_extras
from playground.core.attachments import Attachment
from playground.core.conversation import Message

# What a pane that has started but not ended reads as; a run killed mid-way keeps it.
UNFINISHED_STATE = "incomplete"
UNFINISHED_NOTE = "not finished: the run ended (closed or killed) before this answer did"


@dataclass(frozen=True)
class AnswerRecord:
    """One pane's stored answer and its figures."""

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
    """One run: its inputs and every pane's answer; ``conversation``/``turn`` place a follow-up."""

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
    conversation: int | None = None  # the id of the conversation's first run (its own id when it is one)
    turn: int = 1  # 1 for a first prompt, 2 for its follow-up...
    turns: int = 1  # how many runs the conversation holds (known in lists)
    parent: int | None = None  # the run this one followed up

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
    """One saved version of a template's TOML."""

    id: int
    name: str
    hash: str
    created: float
    note: str
    content: str


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def loads(text: str | None, empty: Any) -> Any:
    """A JSON column; the empty values lists are full of are not parsed at all."""
    return json.loads(text) if text and text not in ("[]", "{}") else empty


def answer_record(a: sqlite3.Row, blobs: Mapping[str, Attachment]) -> AnswerRecord:
    thread = tuple(Message.from_json(m, blobs) for m in loads(a["thread"], ()))
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
        read_extras(a["extras"]),
    )


def run_record(row: sqlite3.Row, answers: list[AnswerRecord], blobs: Mapping[str, Attachment]) -> RunRecord:
    hashes = loads(row["attachments"], [])
    keys = row.keys()
    return RunRecord(
        id=row["id"],
        created=row["created"],
        prompt=row["prompt"],
        system=row["system"],
        params=loads(row["params"], {}),
        template=row["template"],
        template_version=row["template_version"],
        case_name=row["case_name"],
        variables=loads(row["variables"], {}),
        answers=tuple(answers),
        attachments=tuple(blobs[h] for h in hashes if h in blobs),
        attached=len(hashes),
        conversation=row["conversation"],
        turn=row["turn"] or 1,
        turns=row["turns"] if "turns" in keys else 1,
        parent=row["parent"],
    )


def template_version(r: sqlite3.Row) -> TemplateVersion:
    return TemplateVersion(r["id"], r["name"], r["hash"], r["created"], r["note"], r["content"])
