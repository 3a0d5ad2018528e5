"""Turns decoded stream chunks (OpenAI-style, with OpenRouter's variants) into typed events."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from playground.core.events import Delta, Failed, FailureKind, Finished, Reasoning, StreamEvent, Usage
from playground.core.failures import detail_for, kind_for_status, sentence_for, status_from_code
from playground.core.servertext import cost_figure, server_text, token_figure
from playground.core.tools import AnswerExtras


class MalformedChunkError(ValueError):
    """A chunk that is valid JSON but not shaped like a chat completion chunk."""


class StreamInterpreter:
    """Reads one chunk at a time and remembers what the end of the stream needs to know."""

    def __init__(self, model: str) -> None:
        self.model = model
        self.finish_reason: str | None = None
        self.native_finish_reason: str | None = None
        self.served_model: str | None = None
        self.provider: str | None = None
        self.generation_id: str | None = None
        self.usage: Usage | None = None
        self.failed: Failed | None = None
        self.content_chunks = 0
        self.extras = AnswerExtras()
        self.calls_sent = False
        self.server = "OpenRouter"  # who answers, for the words of an error inside the stream

    def feed(self, chunk: Any) -> list[StreamEvent]:
        """Events for one chunk (a decoded ``data:`` payload or a non-streaming body)."""
        text = self._plain_delta(chunk)
        if text is not None:
            return [Delta(text)] if text else []
        if not isinstance(chunk, Mapping):
            raise MalformedChunkError("a stream chunk is not a JSON object")
        self._remember_top_level(chunk)
        events: list[StreamEvent] = []
        choices = chunk.get("choices")
        if choices is not None and not isinstance(choices, list):
            raise MalformedChunkError("'choices' is not a list")
        if choices and isinstance(choices[0], Mapping):
            events.extend(self._read_choice(choices[0]))
        usage = chunk.get("usage")
        if isinstance(usage, Mapping):
            self.usage = parse_usage(usage)
            events.append(self.usage)
        error = chunk.get("error")
        if isinstance(error, Mapping):
            events.append(self._fail(error))
        elif self.finish_reason == "error" and self.failed is None:
            events.append(self._fail(None))
        return events

    def finished(
        self, *, ttft: float | None, duration: float, tokens_per_second: float | None, truncated: bool
    ) -> Finished:
        """The closing event, with what the chunks said about the answer."""
        return Finished(
            model=self.model,
            finish_reason=self.finish_reason,
            native_finish_reason=self.native_finish_reason,
            served_model=self.served_model,
            provider=self.provider,
            generation_id=self.generation_id,
            ttft=ttft,
            duration=duration,
            tokens_per_second=tokens_per_second,
            truncated=truncated,
        )

    def _plain_delta(self, chunk: Any) -> str | None:
        """The common case - one choice carrying only answer text - without the general path's checks:
        the text ("" for none). None for anything else (usage, errors, finish, reasoning, odd shapes)."""
        if type(chunk) is not dict or "usage" in chunk or "error" in chunk or self.served_model is None:
            return None
        choices = chunk.get("choices")
        if type(choices) is not list or len(choices) != 1:
            return None
        choice = choices[0]
        if type(choice) is not dict or choice.get("finish_reason") is not None:
            return None
        delta = choice.get("delta")
        if type(delta) is not dict or delta.get("reasoning"):
            return None
        if len(delta) > 1 and ("tool_calls" in delta or "annotations" in delta or "images" in delta):
            return None
        content = delta.get("content")
        if type(content) is not str:
            return None
        if content:
            self.content_chunks += 1
        return content

    def _remember_top_level(self, chunk: Mapping[str, Any]) -> None:
        for attr, key in (("served_model", "model"), ("provider", "provider"), ("generation_id", "id")):
            value = server_text(chunk.get(key), 200)
            if value:
                setattr(self, attr, value)

    def _read_choice(self, choice: Mapping[str, Any]) -> list[StreamEvent]:
        events: list[StreamEvent] = []
        delta = choice.get("delta")
        if not isinstance(delta, Mapping):
            delta = choice.get("message")  # non-streaming responses
        if isinstance(delta, Mapping):
            reasoning = delta.get("reasoning")
            if isinstance(reasoning, str) and reasoning:
                events.append(Reasoning(reasoning))
            content = delta.get("content")
            if isinstance(content, str) and content:
                self.content_chunks += 1
                events.append(Delta(content))
            events.extend(self.extras.feed(delta))
        finish = server_text(choice.get("finish_reason"), 100)
        if finish:
            self.finish_reason = finish
            self.native_finish_reason = server_text(choice.get("native_finish_reason"), 100)
            events.extend(self.tool_calls())
        return events

    def tool_calls(self) -> list[StreamEvent]:
        """The joined tool calls, once: when the finish reason arrives (or the stream ends)."""
        if self.calls_sent:
            return []
        self.calls_sent = True
        return list(self.extras.calls())

    def _fail(self, error: Mapping[str, Any] | None) -> Failed:
        status = status_from_code(error.get("code")) if error else None
        if error is None:
            message = f"{self.model}: the provider ended the answer with an error"
        else:
            message = sentence_for(status, self.model, error, server=self.server)
        kind = FailureKind.STREAM_ERROR if status is None else kind_for_status(status)
        self.failed = Failed(
            model=self.model,
            kind=kind,
            message=message,
            status=status,
            detail=detail_for(status, error) or "finish_reason: error",
            partial=self.content_chunks > 0,
        )
        return self.failed


def parse_usage(usage: Mapping[str, Any]) -> Usage:
    """The figures of a usage block; any that is not a sane number (negative, huge, NaN, text)
    reads as unknown (None) - a wrong figure never fails the answer it came with."""
    prompt_details = usage.get("prompt_tokens_details")
    completion_details = usage.get("completion_tokens_details")
    details = prompt_details if isinstance(prompt_details, Mapping) else {}
    cached = details.get("cached_tokens")
    written = details.get("cache_write_tokens")
    reasoning = (
        completion_details.get("reasoning_tokens") if isinstance(completion_details, Mapping) else None
    )
    return Usage(
        prompt_tokens=token_figure(usage.get("prompt_tokens")),
        completion_tokens=token_figure(usage.get("completion_tokens")),
        reasoning_tokens=token_figure(reasoning),
        cached_tokens=token_figure(cached),
        total_tokens=token_figure(usage.get("total_tokens")),
        cost=cost_figure(usage.get("cost")),
        cache_write_tokens=token_figure(written),
        cache_discount=discount_figure(usage.get("cache_discount")),
    )


def discount_figure(value: Any) -> Decimal | None:
    """The cache discount in USD: negative when writing the cache cost more than it saved."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        figure = cost_figure(abs(value))
        return None if figure is None else (figure if value >= 0 else -figure)
    return None
