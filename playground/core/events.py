"""Typed events a chat stream yields, from ``Started`` to exactly one ``Finished`` or ``Failed``."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class FailureKind(StrEnum):
    """Why a request failed; the UI and CLI choose their words from this."""

    BAD_REQUEST = "bad_request"  # 400, 413, 422
    AUTH = "auth"  # 401
    CREDITS = "credits"  # 402
    FORBIDDEN = "forbidden"  # 403: moderation, key limit
    NOT_FOUND = "not_found"  # 404
    RATE_LIMITED = "rate_limited"  # 429
    TIMEOUT = "timeout"  # 408, 524, idle stream, the answer's deadline
    SERVER = "server"  # 5xx
    NETWORK = "network"  # could not connect
    DISCONNECTED = "disconnected"  # connection lost mid-answer
    STREAM_ERROR = "stream_error"  # error reported inside a 200 stream
    MALFORMED = "malformed"  # a chunk that is not JSON / not the expected shape
    WRONG_CONTENT = "wrong_content"  # e.g. an HTML page instead of an event stream
    REDIRECT = "redirect"  # refused to follow a redirect with the key
    TOO_LARGE = "too_large"  # the answer (or one line of it) passed the size limit
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Started:
    """The server accepted the request (HTTP 200) and the answer is on its way."""

    model: str
    attempt: int
    generation_id: str | None = None


@dataclass(frozen=True)
class Retrying:
    """A retryable failure before the first token; the next attempt starts after ``delay`` s."""

    model: str
    attempt: int  # the attempt that is about to start (2, 3, ...)
    delay: float
    reason: str
    status: int | None = None


@dataclass(frozen=True)
class Delta:
    """A piece of the answer; ``chunks`` counts the stream chunks it joins (a window batches them)."""

    text: str
    chunks: int = 1


@dataclass(frozen=True)
class Reasoning:
    """A piece of the model's reasoning, shown apart from the answer."""

    text: str
    chunks: int = 1


@dataclass(frozen=True)
class Usage:
    """Token counts and cost as the server reported them."""

    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    reasoning_tokens: int | None = None
    cached_tokens: int | None = None
    total_tokens: int | None = None
    cost: Decimal | None = None
    estimated: bool = False  # counted by this app from the text: the server sent no usage
    cache_write_tokens: int | None = None  # prompt tokens written to the provider's cache
    cache_discount: Decimal | None = None  # USD saved (negative: paid extra) by the cache


@dataclass(frozen=True)
class ToolCall:
    """One function call the model asked for, its streamed arguments joined (text, maybe JSON)."""

    index: int
    call_id: str
    name: str
    arguments: str


@dataclass(frozen=True)
class Citation:
    """A source the answer cites (web search): numbered from 1 in the order they arrived."""

    number: int
    url: str
    title: str = ""


@dataclass(frozen=True)
class Image:
    """An image the model returned (a ``data:`` or https URL), numbered from 1."""

    number: int
    url: str


@dataclass(frozen=True)
class SchemaCheck:
    """Whether the finished answer is valid JSON for the schema asked for (structured outputs)."""

    valid: bool
    message: str  # "valid JSON" or the first error with its path


@dataclass(frozen=True)
class Finished:
    """The stream ended. ``truncated`` means it stopped with no finish reason and no ``[DONE]``."""

    model: str
    finish_reason: str | None
    native_finish_reason: str | None = None
    served_model: str | None = None
    provider: str | None = None
    generation_id: str | None = None
    ttft: float | None = None
    duration: float = 0.0
    tokens_per_second: float | None = None
    truncated: bool = False

    @property
    def complete(self) -> bool:
        return not self.truncated


@dataclass(frozen=True)
class Failed:
    """The request failed. ``message`` is one sentence for a person; ``detail`` the server's words."""

    model: str
    kind: FailureKind
    message: str
    status: int | None = None
    detail: str = ""
    partial: bool = False  # some answer text had arrived (and may have been billed)
    attempts: int = 1


AnswerExtra = ToolCall | Citation | Image | SchemaCheck
StreamEvent = Started | Retrying | Delta | Reasoning | Usage | AnswerExtra | Finished | Failed
TERMINAL_EVENTS = (Finished, Failed)
