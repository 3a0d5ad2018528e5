"""Conversations: one thread per pane, so each model only ever sees its own earlier answers.

A pane's thread is the list of messages it has exchanged (user, assistant, user, assistant...). A
follow-up sends each pane its own thread plus the new prompt; editing an earlier turn branches that
pane's thread from there. Context length is checked per model before anything is sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from playground.core.attachments import Attachment, user_content
from playground.core.estimate import estimate_tokens

NEAR_CONTEXT = 0.85  # warn when a thread (plus room for the answer) passes this share of the context


@dataclass(frozen=True)
class Message:
    """One message of a thread. Attachments only on user messages."""

    role: str  # "user" or "assistant"
    text: str
    attachments: tuple[Attachment, ...] = ()

    def to_api(self) -> dict[str, Any]:
        if self.role == "user":
            return {"role": "user", "content": user_content(self.text, self.attachments)}
        return {"role": self.role, "content": self.text}

    def estimated_tokens(self) -> int:
        return estimate_tokens(self.text) + sum(a.estimated_tokens() for a in self.attachments) + 4

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"role": self.role, "text": self.text}
        if self.attachments:
            data["attachments"] = [{"hash": a.hash, "name": a.name, "mime": a.mime} for a in self.attachments]
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any], blobs: Mapping[str, Attachment]) -> Message:
        """``blobs`` maps attachment hashes to attachments (from history); a missing one is dropped."""
        found = [blobs[a["hash"]] for a in data.get("attachments") or [] if a.get("hash") in blobs]
        return cls(str(data.get("role", "user")), str(data.get("text", "")), tuple(found))


Thread = tuple[Message, ...]


def turns(thread: Sequence[Message]) -> list[tuple[Message, Message | None]]:
    """The thread as (user message, its answer) pairs."""
    pairs: list[tuple[Message, Message | None]] = []
    for message in thread:
        if message.role == "user":
            pairs.append((message, None))
        elif pairs and pairs[-1][1] is None:
            pairs[-1] = (pairs[-1][0], message)
    return pairs


def extend(history: Sequence[Message], prompt: Message, answer: str | None) -> Thread:
    """The thread after one turn; a turn without an answer (failed, stopped) is not kept as context."""
    if not answer:
        return tuple(history)
    return (*history, prompt, Message("assistant", answer))


def branch(thread: Sequence[Message], turn_index: int) -> Thread:
    """The messages before user turn ``turn_index`` (0-based): edit that turn and send from there."""
    kept: list[Message] = []
    seen = -1
    for message in thread:
        if message.role == "user":
            seen += 1
            if seen == turn_index:
                break
        kept.append(message)
    return tuple(kept)


class ContextLevel(StrEnum):
    OK = "ok"
    NEAR = "near"
    OVER = "over"


@dataclass(frozen=True)
class ContextCheck:
    """How much of a model's context a request would use, counting room for the answer."""

    tokens: int
    limit: int | None
    reserve: int

    @property
    def level(self) -> ContextLevel:
        if not self.limit:
            return ContextLevel.OK
        if self.tokens + self.reserve > self.limit:
            return ContextLevel.OVER
        return (
            ContextLevel.NEAR if self.tokens + self.reserve >= self.limit * NEAR_CONTEXT else ContextLevel.OK
        )

    def words(self, model: str) -> str:
        """What the pane says before sending; empty when there is plenty of room."""
        if self.level is ContextLevel.OK or not self.limit:
            return ""
        share = (self.tokens + self.reserve) / self.limit
        used = f"about {self.tokens:,} tokens of thread + {self.reserve:,} for the answer"
        if self.level is ContextLevel.OVER:
            return (
                f"Too long for {model}: {used} is over its {self.limit:,}-token context. "
                "Start a new comparison, branch from an earlier turn, or lower max tokens."
            )
        return f"Near {model}'s context: {used} = {share:.0%} of {self.limit:,} tokens."


def check_context(
    messages: Iterable[Message],
    system: str | None,
    context_length: int | None,
    max_tokens: int | None,
    max_completion: int | None = None,
) -> ContextCheck:
    """Tokens the request would send (estimated) and the room its answer needs."""
    tokens = estimate_tokens(system or "") + sum(m.estimated_tokens() for m in messages)
    reserve = max_tokens or min(max_completion or 1024, 1024)
    return ContextCheck(tokens, context_length, reserve)


def input_tokens(messages: Iterable[Message]) -> int:
    """Estimated input tokens of messages, their attachments included (for cost estimates)."""
    return sum(m.estimated_tokens() for m in messages)


def thread_markdown(thread: Sequence[Message], model: str) -> str:
    """The whole conversation as Markdown: each of your turns quoted, each answer under the model."""
    parts = []
    for index, (user, answer) in enumerate(turns(thread)):
        names = ", ".join(a.name for a in user.attachments)
        attached = f" (attached: {names})" if names else ""
        quoted = "\n".join(f"> {line}" for line in user.text.splitlines() or [""])
        parts.append(f"### You - turn {index + 1}{attached}\n\n{quoted}")
        if answer is not None:
            parts.append(f"### {model}\n\n{answer.text}")
    return "\n\n---\n\n".join(parts)


def thread_text(messages: Iterable[Message]) -> str:
    """All the text a thread sends, for cost estimates."""
    return "\n".join(m.text for m in messages)
