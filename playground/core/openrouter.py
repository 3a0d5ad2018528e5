"""OpenRouterClient: the one HTTP client of the app, over one pooled ``httpx.AsyncClient``."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Mapping
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any

import httpx
from httpx_sse import EventSource, SSEError

from playground import APP_NAME, APP_URL
from playground.core.account import Credits, KeyInfo
from playground.core.errors import ApiError, NoKeyError, UnsafeBaseUrlError
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
)
from playground.core.redact import redact
from playground.core.request import ChatRequest
from playground.core.retry import RetryPolicy, is_retryable_status, server_wait_hint
from playground.core.stream import MalformedChunkError, StreamInterpreter

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://openrouter.ai/api/v1"
_MAX_ERROR_BODY = 64 * 1024


def is_loopback_host(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def valid_url(url: str) -> str:
    """An http(s) URL with a host, normalised; UnsafeBaseUrlError otherwise."""
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError):
        raise UnsafeBaseUrlError(f"{url!r} is not a valid URL.") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise UnsafeBaseUrlError(f"{url!r} is not an http(s) URL, e.g. http://localhost:11434/v1.")
    return str(parsed).rstrip("/")


def check_base_url(url: str) -> str:
    """The URL, if a key may be sent to it: https anywhere, plain http only to this machine."""
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError) as exc:
        raise UnsafeBaseUrlError(f"The API base URL {url!r} is not a valid URL.") from exc
    if parsed.scheme == "https" and parsed.host:
        return str(parsed).rstrip("/")
    if parsed.scheme == "http" and parsed.host and is_loopback_host(parsed.host):
        return str(parsed).rstrip("/")
    raise UnsafeBaseUrlError(
        f"Refusing to use {url!r}: the key is only sent over https, or over http to this "
        "machine (localhost, 127.0.0.1, ::1). Fix OPENROUTER_BASE_URL or the base URL setting."
    )


@dataclass(frozen=True)
class ClientConfig:
    """Where to send requests and how long to wait."""

    base_url: str = DEFAULT_BASE_URL
    connect_timeout: float = 10.0
    idle_timeout: float = 60.0  # longest silence between two stream chunks
    app_url: str = APP_URL
    app_title: str = APP_NAME
    log_texts: bool = False  # the user's "log prompts and answers" switch; off by default
    key_required: bool = True  # False for other endpoints (a local server may need no key)


Sleep = Callable[[float], Awaitable[None]]


class OpenRouterClient:
    """Talks to OpenRouter (or anything that speaks its API). Close it with ``aclose()``."""

    def __init__(
        self,
        api_key: str | None,
        config: ClientConfig | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config or ClientConfig()
        # Without a key nothing secret is sent, so a keyless endpoint may be plain http on the LAN.
        keyless = not api_key and not self.config.key_required
        self.base_url = valid_url(self.config.base_url) if keyless else check_base_url(self.config.base_url)
        self._key = api_key
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._clock = clock
        timeout = httpx.Timeout(
            connect=self.config.connect_timeout, read=self.config.idle_timeout, write=30.0, pool=30.0
        )
        self._http = httpx.AsyncClient(
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
            headers={
                "HTTP-Referer": self.config.app_url,
                "X-OpenRouter-Title": self.config.app_title,
                "X-Title": self.config.app_title,
            },
        )

    def __repr__(self) -> str:
        return f"OpenRouterClient(base_url={self.base_url!r})"

    async def __aenter__(self) -> OpenRouterClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    def _auth_headers(self, *, required: bool = True) -> dict[str, str]:
        if not self._key:
            if required:
                raise NoKeyError(
                    "No OpenRouter API key is set. Run `playground key set`, or set "
                    "OPENROUTER_API_KEY, or try `--demo`."
                )
            return {}
        return {"Authorization": f"Bearer {self._key}"}

    # ----- plain JSON endpoints -------------------------------------------------------------

    async def _get_json(self, path: str, *, auth: bool = True, what: str) -> Any:
        headers = self._auth_headers(required=auth) if auth else self._auth_headers(required=False)
        try:
            response = await self._http.get(self.base_url + path, headers=headers)
        except httpx.TimeoutException as exc:
            raise _network_error(what, exc, timeout=True) from None
        except httpx.TransportError as exc:
            raise _network_error(what, exc) from None
        if response.status_code != 200:
            raise _http_error(what, response.status_code, response.content, response.headers)
        try:
            return response.json()
        except ValueError:
            raise ApiError(
                f"{what}: the server's answer was not JSON - is the base URL right?",
                kind=FailureKind.MALFORMED,
                status=200,
            ) from None

    async def models(self, *, all_modalities: bool = False) -> list[Any]:
        """The raw model objects of ``GET /models`` (no key needed)."""
        path = "/models?output_modalities=all" if all_modalities else "/models"
        body = await self._get_json(path, auth=False, what="model list")
        data = body.get("data") if isinstance(body, Mapping) else None
        if not isinstance(data, list):
            raise ApiError(
                "model list: the server's answer has no model list",
                kind=FailureKind.MALFORMED,
                status=200,
            )
        return data

    async def key_info(self) -> KeyInfo:
        """``GET /key``, falling back to the legacy ``/auth/key`` on 404."""
        try:
            return KeyInfo.parse(await self._get_json("/key", what="key check"))
        except ApiError as exc:
            if exc.status != 404:
                raise
        return KeyInfo.parse(await self._get_json("/auth/key", what="key check"))

    async def credits(self) -> Credits | None:
        """Account credits, or None when this key may not read them (403)."""
        try:
            return Credits.parse(await self._get_json("/credits", what="credits"))
        except ApiError as exc:
            if exc.status == 403:
                return None
            raise

    async def generation(self, generation_id: str) -> Mapping[str, Any]:
        body = await self._get_json(
            f"/generation?id={httpx.QueryParams({'id': generation_id})['id']}", what="generation"
        )
        data = body.get("data") if isinstance(body, Mapping) else None
        return data if isinstance(data, Mapping) else {}

    # ----- chat ------------------------------------------------------------------------------

    async def complete(self, request: ChatRequest) -> list[StreamEvent]:
        """A non-streaming chat request, as the same events a stream would give."""
        from playground.core.nonstream import complete_once

        return await complete_once(self, request)

    def stream_chat(self, request: ChatRequest) -> AsyncGenerator[StreamEvent, None]:
        """Stream one answer as typed events, ending in exactly one Finished or Failed.

        Cancelling the consuming task (or closing this iterator) closes the connection.
        """
        return _ChatStream(self, request).events()

    def _post(self, body: Mapping[str, Any], *, stream: bool) -> Any:
        headers = self._auth_headers(required=self.config.key_required)
        if stream:
            headers |= {"Accept": "text/event-stream", "Cache-Control": "no-store"}
        return self._http.stream("POST", self.base_url + "/chat/completions", json=body, headers=headers)


class _ChatStream:
    """One streamed request with its retries; the state of the attempt under way."""

    def __init__(self, client: OpenRouterClient, request: ChatRequest) -> None:
        self.client = client
        self.request = request
        self.model = request.model
        self.attempt = 1
        self.started_at = 0.0
        self.first_token_at: float | None = None
        self.usage: Usage | None = None
        self.texts: list[str] | None = [] if client.config.log_texts else None

    async def events(self) -> AsyncGenerator[StreamEvent, None]:
        retry = self.client._retry
        texts = self.texts
        while True:
            self.started_at = self.client._clock()
            retry_event: Retrying | None = None
            async with aclosing(self._one_attempt()) as attempt_events:
                async for event in attempt_events:
                    if type(event) is Delta:  # by far the most common: straight through
                        if texts is not None:
                            texts.append(event.text)
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
            if retry_event.delay > retry.max_wait:
                failed = self._too_long_wait(retry_event)
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

    def _too_long_wait(self, event: Retrying) -> Failed:
        return Failed(
            model=self.model,
            kind=FailureKind.RATE_LIMITED if event.status == 429 else FailureKind.SERVER,
            message=f"{event.reason} - OpenRouter asks to wait {event.delay:.0f} s; try again later",
            status=event.status,
            detail=f"server asked for a {event.delay:.0f} s wait",
            attempts=self.attempt,
        )

    def _can_retry(self) -> bool:
        return self.attempt < self.client._retry.max_attempts and self.first_token_at is None

    def _retry_or_fail(self, failure: Failed, hint: float | None) -> Retrying | Failed:
        if not self._can_retry():
            return failure
        delay = self.client._retry.delay(self.attempt, hint)
        return Retrying(self.model, self.attempt + 1, delay, failure.message, failure.status)

    async def _one_attempt(self) -> AsyncGenerator[StreamEvent, None]:
        body = self.request.body(stream=True)
        try:
            async with self.client._post(body, stream=True) as response:
                if response.status_code != 200:
                    yield await self._http_failure(response)
                    return
                async for event in self._read_events(response):
                    yield event
        except httpx.TimeoutException as exc:
            yield self._transport_failure(exc, timeout=True)
        except httpx.TransportError as exc:
            failure = self._transport_failure(exc, timeout=False)
            connect = isinstance(exc, httpx.NetworkError | httpx.RemoteProtocolError)
            yield self._retry_or_fail(failure, None) if connect else failure

    async def _http_failure(self, response: httpx.Response) -> Retrying | Failed:
        raw = await _read_capped(response)
        status = response.status_code
        if 300 <= status < 400:
            return self._failed(
                FailureKind.REDIRECT,
                f"{self.model}: the server redirected the request to "
                f"{response.headers.get('location', 'another address')}; not followed, so the "
                "key stays where it was sent - check the base URL",
                status,
            )
        error = parse_error_body(raw)
        routing = self.request.routing
        hint = server_wait_hint(response.headers, error)
        failed = self._failed(
            kind_for_status(status),
            sentence_for(status, self.model, error, routing, hint),
            status,
            detail_for(status, error, raw.decode("utf-8", "replace")),
        )
        if not is_retryable_status(status) or routing_blocked(status, error, routing):
            return failed
        return self._retry_or_fail(failed, hint)

    def _transport_failure(self, exc: Exception, *, timeout: bool) -> Failed:
        partial = self.first_token_at is not None
        if timeout and isinstance(exc, httpx.ConnectTimeout):
            message = f"{self.model}: could not reach the server (connection timed out)"
            kind = FailureKind.NETWORK
        elif timeout:
            idle = self.client.config.idle_timeout
            message = f"{self.model}: no data from the server for {idle:.0f} s - stopped waiting"
            kind = FailureKind.TIMEOUT
        elif partial or isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
            message = f"{self.model}: the connection was lost mid-answer"
            kind = FailureKind.DISCONNECTED
        elif "CERTIFICATE_VERIFY_FAILED" in str(exc) or "SSL" in type(exc.__context__).__name__:
            message = f"{self.model}: the server's TLS certificate could not be verified - key not sent"
            kind = FailureKind.NETWORK
        else:
            message = f"{self.model}: could not reach the server - check the network and base URL"
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

    async def _read_events(self, response: httpx.Response) -> AsyncIterator[StreamEvent]:
        content_type = response.headers.get("content-type", "")
        if "text/event-stream" not in content_type:
            raw = await _read_capped(response)
            yield self._wrong_content(content_type, raw)
            return
        interpreter = StreamInterpreter(self.model)
        interpreter.generation_id = response.headers.get("x-generation-id")
        yield Started(self.model, self.attempt, interpreter.generation_id)
        done = False
        plain_delta, loads = interpreter._plain_delta, json.loads
        async with aclosing(EventSource(response).aiter_sse()) as sse_events:
            try:
                async for sse in sse_events:
                    data = sse.data
                    if data[:1] == "{":  # the hot path: one chunk of answer text, checked cheaply
                        try:
                            chunk = loads(data)
                        except ValueError:
                            chunk = None
                        fast = plain_delta(chunk) if chunk is not None else None
                        if fast:
                            if self.first_token_at is None:
                                self.first_token_at = self.client._clock()
                            yield fast[0]
                            continue
                    elif data.strip() == "[DONE]":
                        done = True
                        break
                    for event in self._decode(interpreter, data):
                        yield event
                        if isinstance(event, Failed):
                            return
            except SSEError as exc:
                yield self._failed(FailureKind.MALFORMED, f"{self.model}: {exc}", 200)
                return
        yield self._finished(interpreter, done)

    def _decode(self, interpreter: StreamInterpreter, data: str) -> list[StreamEvent]:
        if not data.strip():
            return []
        try:
            events = interpreter.feed(json.loads(data))
        except (ValueError, MalformedChunkError):
            return [
                self._failed(
                    FailureKind.MALFORMED,
                    f"{self.model}: the server sent a malformed chunk - the answer stops here",
                    200,
                    redact(data[:300]),
                )
            ]
        for event in events:
            if type(event) is Usage:
                self.usage = event
        if self.first_token_at is None and any(type(e) in (Delta, Reasoning) for e in events):
            self.first_token_at = self.client._clock()
        for index, event in enumerate(events):
            if type(event) is Failed:
                return [*events[:index], _with_attempts(event, self.attempt)]
        return events

    def _wrong_content(self, content_type: str, raw: bytes) -> Failed:
        error = parse_error_body(raw)
        if error is not None:  # HTTP 200 carrying an error body
            status = _status_of(error)
            return self._failed(
                kind_for_status(status) if status else FailureKind.STREAM_ERROR,
                sentence_for(status, self.model, error),
                status,
                detail_for(status, error),
            )
        shown = content_type.split(";")[0] or "no content type"
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


def _status_of(error: Mapping[str, Any]) -> int | None:
    return status_from_code(error.get("code"))


async def _read_capped(response: httpx.Response) -> bytes:
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in response.aiter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size >= _MAX_ERROR_BODY:
                break
    except httpx.HTTPError:
        pass  # an error body that breaks off is still an error: report what arrived
    return b"".join(chunks)[:_MAX_ERROR_BODY]


def _network_error(what: str, exc: Exception, *, timeout: bool = False) -> ApiError:
    reason = "timed out" if timeout else "could not connect"
    return ApiError(
        f"{what}: could not reach OpenRouter ({reason}) - check the network and base URL",
        kind=FailureKind.NETWORK,
        detail=redact(f"{type(exc).__name__}: {exc}"),
    )


def _http_error(what: str, status: int, raw: bytes, headers: Mapping[str, str]) -> ApiError:
    error = parse_error_body(raw)
    if 300 <= status < 400:
        message = f"{what}: the server redirected to {headers.get('location', '?')}; not followed"
        return ApiError(message, kind=FailureKind.REDIRECT, status=status)
    if status == 401:
        message = f"{what}: OpenRouter rejected the API key (401) - the key is wrong or revoked"
    else:
        message = sentence_for(status, what, error)
    return ApiError(
        message,
        kind=kind_for_status(status),
        status=status,
        detail=detail_for(status, error, raw[:500].decode("utf-8", "replace")),
    )
