"""Non-streaming chat: one JSON answer, reported as the same events a stream gives."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import httpx

from playground.core.events import Delta, Failed, FailureKind, Reasoning, Started, StreamEvent
from playground.core.failures import (
    detail_for,
    kind_for_status,
    parse_error_body,
    sentence_for,
    status_from_code,
    wait_words,
)
from playground.core.openrouter.body import BodyLimitError, read_bounded
from playground.core.redact import redact
from playground.core.servertext import AnswerMasker, ServerJSONError, loads
from playground.core.stream import MalformedChunkError, StreamInterpreter

if TYPE_CHECKING:
    from playground.core.openrouter import OpenRouterClient
    from playground.core.request import ChatRequest


async def complete_once(client: OpenRouterClient, request: ChatRequest) -> list[StreamEvent]:
    """One attempt, no retries: a non-streamed answer is billed in full, so never resend it."""
    model = request.label or request.model
    start = client._clock()
    limit = client.config.max_json_bytes
    deadline = client.config.answer_deadline
    try:
        async with (
            asyncio.timeout(deadline),
            client._post(request.body(stream=False), stream=False) as response,
        ):
            raw = await read_bounded(response, limit)
    except TimeoutError:  # the deadline: a server trickling its answer a byte at a time
        message = f"{model}: the answer took longer than {wait_words(deadline)} - stopped"
        return [_failed(model, FailureKind.TIMEOUT, message)]
    except httpx.TimeoutException:
        return [_failed(model, FailureKind.TIMEOUT, f"{model}: the request timed out")]
    except httpx.TransportError as exc:
        message = f"{model}: could not reach {client.server} - check the network and base URL"
        return [_failed(model, FailureKind.NETWORK, message, detail=redact(str(exc)))]
    except BodyLimitError:
        message = f"{model}: answer too large - not read (over {limit // (1024 * 1024)} MB)"
        return [_failed(model, FailureKind.TOO_LARGE, message, 200)]
    if 300 <= response.status_code < 400:
        message = f"{model}: {client.server} answered with a redirect ({response.status_code}); not followed"
        return [_failed(model, FailureKind.REDIRECT, message, response.status_code)]
    error = parse_error_body(raw)
    if response.status_code != 200 or error is not None:
        return [_error(client, request, response.status_code, raw, error)]
    interpreter = StreamInterpreter(model)
    interpreter.server = client.server
    try:
        events = interpreter.feed(loads(raw))
    except (ServerJSONError, MalformedChunkError):
        message = f"{model}: the server's answer was not a chat completion"
        return [_failed(model, FailureKind.MALFORMED, message, 200)]
    duration = client._clock() - start
    usage = interpreter.usage
    tokens = usage.completion_tokens if usage else None
    interpreter.generation_id = interpreter.generation_id or _header_id(response)
    finished = interpreter.finished(
        ttft=duration,
        duration=duration,
        tokens_per_second=(tokens / duration) if tokens and duration > 0 else None,
        truncated=interpreter.finish_reason is None,
    )
    return [Started(model, 1, finished.generation_id), *_masked(events), finished]


def _error(
    client: OpenRouterClient, request: ChatRequest, code: int, raw: bytes, body: Mapping[str, Any] | None
) -> Failed:
    model = request.label or request.model
    status = code if code != 200 else None
    status = status or (status_from_code(body.get("code")) if body else None)
    kind = kind_for_status(status) if status else FailureKind.STREAM_ERROR
    text = sentence_for(status, model, body, request.routing, server=client.server)
    detail = detail_for(status, body, raw[:300].decode("utf-8", "replace"))
    return _failed(model, kind, text, status, detail)


def _masked(events: list[StreamEvent]) -> list[StreamEvent]:
    """The answer and reasoning with any key in them masked, like a streamed answer's."""
    out: list[StreamEvent] = []
    for event in events:
        if isinstance(event, Delta | Reasoning):
            masker = AnswerMasker()
            text = masker.feed(event.text) + masker.flush()
            out.append(type(event)(text, event.chunks))
        else:
            out.append(event)
    return out


def _header_id(response: httpx.Response) -> str | None:
    value = response.headers.get("x-generation-id")
    return redact(value[:200]) if value else None


def _failed(
    model: str, kind: FailureKind, message: str, status: int | None = None, detail: str = ""
) -> Failed:
    return Failed(model=model, kind=kind, message=message, status=status, detail=detail)
