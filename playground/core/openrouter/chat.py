"""ChatStream: one streamed chat request with its retries, read within limits and deadlines."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from contextlib import aclosing
from typing import TYPE_CHECKING, Any

import httpx

from playground.core.events import (
    Delta,
    Failed,
    FailureKind,
    Finished,
    Reasoning,
    Retrying,
    Started,
    StreamEvent,
    Usage,
)
from playground.core.failures import (
    detail_for,
    kind_for_status,
    parse_error_body,
    routing_blocked,
    sentence_for,
    status_from_code,
    wait_words,
)
from playground.core.openrouter.body import BodyLimitError, SSEReader, decoded_chunks, read_head
from playground.core.openrouter.pacing import arm
from playground.core.redact import redact
from playground.core.request import ChatRequest
from playground.core.retry import is_retryable_status, server_wait_hint
from playground.core.servertext import AnswerMasker, ServerJSONError, loads_fast
from playground.core.stream import MalformedChunkError, StreamInterpreter

if TYPE_CHECKING:
    from playground.core.openrouter.client import OpenRouterClient

log = logging.getLogger("playground.core.openrouter")

_MAX_ERROR_BODY = 64 * 1024
_MB = 1024 * 1024


class _Stop(Exception):
    """Reading ends early with this failure (a limit or a deadline)."""

    def __init__(self, failed: Failed) -> None:
        super().__init__(failed.message)
        self.failed = failed


class ChatStream:
    """One streamed request with its retries; the state of the attempt under way."""

    def __init__(self, client: OpenRouterClient, request: ChatRequest) -> None:
        self.client = client
        self.config = client.config
        self.request = request
        self.model = request.label or request.model  # how messages name it (an endpoint's @name/id)
        self.attempt = 1
        self.started_at = 0.0
        self.deadline = 0.0
        self.first_token_at: float | None = None
        self.usage: Usage | None = None
        self.masker = AnswerMasker()
        self.reasoning_masker = AnswerMasker()
        self.texts: list[str] | None = [] if client.config.log_texts else None
        self._response: httpx.Response | None = None  # the attempt's, while its body is read

    async def events(self) -> AsyncGenerator[StreamEvent, None]:
        self.deadline = self.client._clock() + self.config.answer_deadline
        while True:
            self.started_at = self.client._clock()
            retry_event: Retrying | None = None
            async with aclosing(self._one_attempt()) as attempt_events:
                async for event in attempt_events:
                    if type(event) is Delta:  # by far the most common: straight through
                        if self.texts is not None:
                            self.texts.append(event.text)
                        yield event
                        continue
                    if isinstance(event, Retrying):
                        retry_event = event
                        break
                    elif isinstance(event, Finished | Failed):
                        self._log_outcome(event)
                    yield event
            if retry_event is None:
                return
            failed = self._wait_refused(retry_event)
            if failed is not None:
                self._log_outcome(failed)
                yield failed
                return
            log.info(
                "retry model=%s attempt=%d delay=%.2fs status=%s",
                self.model,
                retry_event.attempt,
                retry_event.delay,
                retry_event.status,
            )
            yield retry_event
            await self.client._sleep(retry_event.delay)
            self.attempt += 1

    def _wait_refused(self, event: Retrying) -> Failed | None:
        """A failure when the wait asked for is too long, or would pass the answer's deadline."""
        past_deadline = self.client._clock() + event.delay > self.deadline
        if event.delay <= self.client._retry.max_wait and not past_deadline:
            return None
        rate_limited = event.status in (409, 429)
        return Failed(
            model=self.model,
            kind=FailureKind.RATE_LIMITED if rate_limited else FailureKind.SERVER,
            message=f"{event.reason} - {self.client.server} asks to wait {_seconds(event.delay)}; "
            "try again later",
            status=event.status,
            detail=f"server asked for a {_seconds(event.delay)} wait",
            attempts=self.attempt,
        )

    def _log_outcome(self, event: Finished | Failed) -> None:
        """One line per request for the log: ids, models, provider, figures; never the key or text."""
        retries = self.attempt - 1
        self._log_texts()
        if isinstance(event, Failed):
            log.info(
                "request model=%s outcome=failed kind=%s status=%s retries=%d duration=%.3fs",
                self.model,
                event.kind,
                event.status,
                retries,
                self.client._clock() - self.started_at,
            )
            return
        usage = self.usage
        log.info(
            "request model=%s served=%s provider=%s generation=%s status=200 outcome=%s finish=%s "
            "retries=%d ttft=%s duration=%.3fs tokens_in=%s tokens_out=%s cost=%s",
            self.model,
            event.served_model,
            event.provider,
            event.generation_id,
            "cut-off" if event.truncated else "complete",
            event.finish_reason,
            retries,
            f"{event.ttft:.3f}s" if event.ttft is not None else "-",
            event.duration,
            usage.prompt_tokens if usage else "-",
            usage.completion_tokens if usage else "-",
            usage.cost if usage else "-",
        )

    def _log_texts(self) -> None:
        """Prompt and answer, only when the user turned that on (the key is masked by the filter)."""
        if self.texts is None:
            return
        prompt = [_loggable(m.get("content")) for m in self.request.messages]
        log.info("request model=%s messages=%r", self.model, prompt)
        log.info("request model=%s answer=%r", self.model, "".join(self.texts))

    def _can_retry(self) -> bool:
        return self.attempt < self.client._retry.max_attempts and self.first_token_at is None

    def _retry_or_fail(self, failure: Failed, hint: float | None) -> Retrying | Failed:
        if not self._can_retry():
            return failure
        delay = self.client._retry.delay(self.attempt, hint)
        return Retrying(self.model, self.attempt + 1, delay, failure.message, failure.status)

    async def _one_attempt(self) -> AsyncGenerator[StreamEvent, None]:
        try:
            response = await self._open()
            try:
                if response.status_code != 200:
                    yield await self._http_failure(response)
                    return
                self._response = response
                async for event in self._read_events(response):
                    yield event
            finally:
                self._response = None
                arm(response, False)  # the connection goes back to the pool reading at once
                await response.aclose()
        except _Stop as stop:
            yield stop.failed
        except httpx.TimeoutException as exc:
            for event in self._ending(self._transport_failure(exc, timeout=True)):
                yield event
        except httpx.TransportError as exc:
            failure = self._transport_failure(exc, timeout=False)
            connect = isinstance(exc, httpx.NetworkError | httpx.RemoteProtocolError)
            for event in self._ending(self._retry_or_fail(failure, None) if connect else failure):
                yield event

    async def _open(self) -> httpx.Response:
        """Send the request and read the headers, within the answer's deadline (a server may
        trickle its headers a byte at a time too)."""
        body = self.request.body(stream=True)
        try:
            async with asyncio.timeout(max(0.0, self.deadline - self.client._clock())):
                return await self.client._open_stream(body)
        except TimeoutError:
            raise _Stop(self._deadline_failure()) from None

    async def _http_failure(self, response: httpx.Response) -> Retrying | Failed:
        raw = await read_head(response, _MAX_ERROR_BODY)
        status = response.status_code
        if 300 <= status < 400:
            # Where it points is not repeated: a Location may carry the key in its query.
            return self._failed(
                FailureKind.REDIRECT,
                f"{self.model}: {self.client.server} answered with a redirect ({status}); not "
                "followed, so the key stays where it was sent - check the base URL",
                status,
            )
        error = parse_error_body(raw)
        routing = self.request.routing
        hint = server_wait_hint(response.headers, error)
        failed = self._failed(
            kind_for_status(status),
            sentence_for(status, self.model, error, routing, hint, server=self.client.server),
            status,
            detail_for(status, error, raw.decode("utf-8", "replace")),
        )
        if not is_retryable_status(status) or routing_blocked(status, error, routing):
            return failed
        return self._retry_or_fail(failed, hint)

    def _transport_failure(self, exc: Exception, *, timeout: bool) -> Failed:
        partial = self.first_token_at is not None
        server = "the server" if self.client.server == "OpenRouter" else self.client.server
        if timeout and isinstance(exc, httpx.ConnectTimeout):
            message = f"{self.model}: could not reach {server} (connection timed out)"
            kind = FailureKind.NETWORK
        elif timeout:
            idle = self.config.idle_timeout
            message = f"{self.model}: no data from {server} for {idle:.0f} s - stopped waiting"
            kind = FailureKind.TIMEOUT
        elif partial or isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
            message = f"{self.model}: the connection was lost mid-answer"
            kind = FailureKind.DISCONNECTED
        elif "CERTIFICATE_VERIFY_FAILED" in str(exc) or "SSL" in type(exc.__context__).__name__:
            whose = "the server's" if server == "the server" else f"{server}'s"
            message = f"{self.model}: {whose} TLS certificate could not be verified - key not sent"
            kind = FailureKind.NETWORK
        else:
            message = f"{self.model}: could not reach {server} - check the network and base URL"
            kind = FailureKind.NETWORK
        return self._failed(kind, message, None, redact(f"{type(exc).__name__}: {exc}"))

    def _failed(self, kind: FailureKind, message: str, status: int | None, detail: str = "") -> Failed:
        return Failed(
            model=self.model,
            kind=kind,
            message=message,
            status=status,
            detail=detail,
            partial=self.first_token_at is not None,
            attempts=self.attempt,
        )

    def _ending(self, last: StreamEvent) -> list[StreamEvent]:
        """The final event, after any answer text still held back by the masking."""
        held, thought = self.masker.flush(), self.reasoning_masker.flush()
        return [*([Reasoning(thought, 0)] if thought else []), *([Delta(held, 0)] if held else []), last]

    async def _read_events(self, response: httpx.Response) -> AsyncIterator[StreamEvent]:
        content_type = response.headers.get("content-type", "")
        if "text/event-stream" not in content_type:
            raw = await read_head(response, _MAX_ERROR_BODY)
            yield self._wrong_content(content_type, raw)
            return
        interpreter = StreamInterpreter(self.model)
        interpreter.server = self.client.server
        interpreter.generation_id = _header_id(response.headers.get("x-generation-id"))
        yield Started(self.model, self.attempt, interpreter.generation_id)
        try:
            async with aclosing(self._sse_events(response, interpreter)) as events:
                async for event in events:
                    yield event
        except _Stop as stop:
            for event in self._ending(stop.failed):
                yield event

    async def _sse_events(
        self, response: httpx.Response, interpreter: StreamInterpreter
    ) -> AsyncGenerator[StreamEvent, None]:
        reader = SSEReader(self.config.max_line_bytes)
        clock, masker = self.client._clock, self.masker
        last_data = clock()
        chunks = decoded_chunks(response, self.config.max_answer_bytes)
        async with aclosing(chunks):
            try:
                async for piece in chunks:
                    payloads = reader.feed(piece)
                    now = clock()
                    if not payloads or now > self.deadline:  # (the usual piece: one look, no call)
                        self._check_time(now, last_data, reader, bool(payloads))
                    else:
                        last_data = now
                    for data in payloads:
                        if data[:1] != "{" and data.strip() == "[DONE]":
                            for event in self._closing(interpreter, True):
                                yield event
                            return
                        for event in self._decode(interpreter, data, masker):
                            yield event
                            if type(event) is Failed:
                                return
            except BodyLimitError as exc:
                raise _Stop(self._limit_failure(exc)) from None
        for event in self._closing(interpreter, False):
            yield event

    def _closing(self, interpreter: StreamInterpreter, done: bool) -> list[StreamEvent]:
        """The last events: tool calls not yet given (no finish reason came), held text, the end."""
        finished = self._finished(interpreter, done)
        return [*interpreter.tool_calls(), *self._ending(finished)]

    def _decode(self, interpreter: StreamInterpreter, data: str, masker: AnswerMasker) -> list[StreamEvent]:
        """The events of one SSE payload: the text of a plain chunk straight away, anything else
        through the interpreter - the payload is parsed once either way."""
        if data[:1] != "{" and not data.strip():  # (no copy made of the usual chunk, an object)
            return []
        try:
            chunk = loads_fast(data)
            text = interpreter._plain_delta(chunk)
            if text is not None and self.first_token_at is not None:  # the usual chunk: its text
                shown = masker.feed(text) if text else text
                return [Delta(shown)] if shown else []
            events = interpreter.feed(chunk) if text is None else [Delta(text)] if text else []
        except (ServerJSONError, MalformedChunkError) as exc:
            return self._ending(self._malformed(exc, data))
        if self.first_token_at is None and any(type(e) in (Delta, Reasoning) for e in events):
            self.first_token_at = self.client._clock()
            if self._response is not None:  # from now on a trickle may wait for the next frame
                arm(self._response)
        out: list[StreamEvent] = []
        for event in events:
            if type(event) is Delta:
                text = masker.feed(event.text)
                if text:  # the masker hands back the very string when it changed nothing
                    out.append(event if text is event.text else Delta(text, event.chunks))
            elif type(event) is Reasoning:
                thought = self.reasoning_masker.feed(event.text)
                if thought:
                    out.append(Reasoning(thought, event.chunks))
            elif type(event) is Failed:
                return out + self._ending(_with_attempts(event, self.attempt))
            else:
                if type(event) is Usage:
                    self.usage = event
                out.append(event)
        return out

    def _malformed(self, exc: Exception, data: str) -> Failed:
        nested = "nested too deeply" in str(exc)
        why = "a chunk nested too deeply to read" if nested else "a malformed chunk"
        return self._failed(
            FailureKind.MALFORMED,
            f"{self.model}: the server sent {why} - the answer stops here",
            200,
            redact(data[:300]),
        )

    def _check_time(self, now: float, last_data: float, reader: SSEReader, got_data: bool) -> None:
        """Stops a stream that passed its deadline, or that sends keep-alives (or a byte now and
        then) but no answer, however steadily it trickles."""
        if now > self.deadline:
            raise _Stop(self._deadline_failure())
        if not got_data and now - last_data > self.config.keepalive_wait:
            limit = wait_words(self.config.keepalive_wait)
            sent = "only keep-alive signals" if reader.keepalives else "only a trickle of bytes"
            message = (
                f"{self.model}: {self.client.server} sent {sent} and no answer for {limit} - stopped waiting"
            )
            raise _Stop(self._failed(FailureKind.TIMEOUT, message + self._kept(), 200))

    def _deadline_failure(self) -> Failed:
        limit = self.config.answer_deadline
        message = f"{self.model}: the answer took longer than {wait_words(limit)} - stopped"
        return self._failed(FailureKind.TIMEOUT, message + self._kept(), None)

    def _kept(self) -> str:
        return "; the text so far is kept" if self.first_token_at is not None else ""

    def _limit_failure(self, exc: BodyLimitError) -> Failed:
        if exc.what == "encoding":
            message = f"{self.model}: the server's compressed answer could not be read"
            return self._failed(FailureKind.MALFORMED, message + self._kept(), 200)
        size = f"{exc.limit / _MB:.0f} MB" if exc.limit >= _MB else f"{exc.limit} bytes"
        where = "in one line" if exc.what == "line" else "in all"
        message = f"{self.model}: answer too large - stopped (over {size} {where})"
        return self._failed(FailureKind.TOO_LARGE, message + self._kept(), 200)

    def _wrong_content(self, content_type: str, raw: bytes) -> Failed:
        error = parse_error_body(raw)
        if error is not None:  # HTTP 200 carrying an error body
            status = status_from_code(error.get("code"))
            return self._failed(
                kind_for_status(status) if status else FailureKind.STREAM_ERROR,
                sentence_for(status, self.model, error, server=self.client.server),
                status,
                detail_for(status, error),
            )
        shown = redact(content_type.split(";")[0][:100]) or "no content type"
        return self._failed(
            FailureKind.WRONG_CONTENT,
            f"{self.model}: the server answered with {shown} instead of an event stream - "
            "is the base URL an OpenRouter-compatible API?",
            200,
            redact(raw[:300].decode("utf-8", "replace")),
        )

    def _finished(self, interpreter: StreamInterpreter, done: bool) -> Finished:
        now = self.client._clock()
        usage = interpreter.usage
        tokens = usage.completion_tokens if usage and usage.completion_tokens else None
        tps = None
        if self.first_token_at is not None:
            generating = now - self.first_token_at
            count = tokens if tokens is not None else interpreter.content_chunks
            tps = count / generating if generating > 0 and count else None
        return interpreter.finished(
            ttft=None if self.first_token_at is None else self.first_token_at - self.started_at,
            duration=now - self.started_at,
            tokens_per_second=tps,
            truncated=interpreter.finish_reason is None and not done,
        )


def _seconds(delay: float) -> str:
    return f"{delay:.0f} s" if delay < 86_400 else "more than a day"


def _header_id(value: str | None) -> str | None:
    return redact(value[:200]) if value else None


def _loggable(content: Any) -> Any:
    """Message content for the log: text as is, attachments named, never their base64 bytes."""
    if not isinstance(content, list):
        return content
    parts = []
    for part in content:
        kind = part.get("type") if isinstance(part, Mapping) else None
        if kind == "text":
            parts.append(part.get("text", ""))
        elif kind == "file":
            parts.append(f"[file {part.get('file', {}).get('filename', '')}]")
        else:
            parts.append(f"[{kind or 'part'}]")
    return " ".join(parts)


def _with_attempts(event: Failed, attempts: int) -> Failed:
    return Failed(event.model, event.kind, event.message, event.status, event.detail, event.partial, attempts)
