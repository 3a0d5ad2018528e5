"""Non-streaming chat: one JSON answer, reported as the same events a stream gives."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import httpx

from playground.core.events import Failed, FailureKind, Started, StreamEvent
from playground.core.failures import (
    detail_for,
    kind_for_status,
    parse_error_body,
    sentence_for,
    status_from_code,
)
from playground.core.redact import redact
from playground.core.stream import MalformedChunkError, StreamInterpreter

if TYPE_CHECKING:
    from playground.core.openrouter import OpenRouterClient
    from playground.core.request import ChatRequest


async def complete_once(client: OpenRouterClient, request: ChatRequest) -> list[StreamEvent]:
    """One attempt, no retries: a non-streamed answer is billed in full, so never resend it."""
    model = request.model
    start = client._clock()
    try:
        async with client._post(request.body(stream=False), stream=False) as response:
            raw = await response.aread()
    except httpx.TimeoutException:
        return [_failed(model, FailureKind.TIMEOUT, f"{model}: the request timed out")]
    except httpx.TransportError as exc:
        message = f"{model}: could not reach the server - check the network and base URL"
        return [_failed(model, FailureKind.NETWORK, message, detail=redact(str(exc)))]
    error = parse_error_body(raw)
    if response.status_code != 200 or error is not None:
        status = response.status_code if response.status_code != 200 else None
        status = status or (status_from_code(error.get("code")) if error else None)
        kind = kind_for_status(status) if status else FailureKind.STREAM_ERROR
        text = sentence_for(status, model, error, request.routing)
        return [_failed(model, kind, text, status, detail_for(status, error, raw[:300].decode()))]
    interpreter = StreamInterpreter(model)
    try:
        events = interpreter.feed(json.loads(raw))
    except (ValueError, MalformedChunkError):
        message = f"{model}: the server's answer was not a chat completion"
        return [_failed(model, FailureKind.MALFORMED, message, 200)]
    duration = client._clock() - start
    usage = interpreter.usage
    tokens = usage.completion_tokens if usage else None
    interpreter.generation_id = interpreter.generation_id or response.headers.get("x-generation-id")
    finished = interpreter.finished(
        ttft=duration,
        duration=duration,
        tokens_per_second=(tokens / duration) if tokens and duration > 0 else None,
        truncated=interpreter.finish_reason is None,
    )
    return [Started(model, 1, finished.generation_id), *events, finished]


def _failed(
    model: str, kind: FailureKind, message: str, status: int | None = None, detail: str = ""
) -> Failed:
    return Failed(model=model, kind=kind, message=message, status=status, detail=detail)
