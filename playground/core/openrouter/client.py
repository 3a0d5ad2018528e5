"""OpenRouterClient: the one HTTP client of the app, over one pooled ``httpx.AsyncClient``.

It reads the plain JSON endpoints itself (bounded bodies, masked server words) and hands chat
streams to ``chat.ChatStream``.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from playground import APP_NAME, APP_URL
from playground.core.account import Credits, KeyInfo
from playground.core.errors import ApiError, NoKeyError
from playground.core.events import FailureKind, StreamEvent
from playground.core.failures import (
    detail_for,
    kind_for_status,
    parse_error_body,
    sentence_for,
    wait_words,
)
from playground.core.openrouter.body import BodyLimitError, read_bounded, read_head
from playground.core.openrouter.urls import DEFAULT_BASE_URL, check_base_url, valid_url
from playground.core.redact import redact
from playground.core.request import ChatRequest
from playground.core.retry import RetryPolicy
from playground.core.servertext import ServerJSONError, loads

if TYPE_CHECKING:
    from playground.core.openrouter.pacing import ReadPacer

MAX_ERROR_BODY = 64 * 1024
MB = 1024 * 1024


@dataclass(frozen=True)
class ClientConfig:
    """Where to send requests, how long to wait, and how much a server may send."""

    base_url: str = DEFAULT_BASE_URL
    connect_timeout: float = 10.0
    idle_timeout: float = 60.0  # longest silence between two stream chunks
    app_url: str = APP_URL
    app_title: str = APP_NAME
    log_texts: bool = False  # the user's "log prompts and answers" switch; off by default
    key_required: bool = True  # False for other endpoints (a local server may need no key)
    answer_deadline: float = 600.0  # longest one answer may take, retries included
    keepalive_limit: float | None = None  # longest wait with only keep-alives; None: half the deadline
    max_line_bytes: int = 16 * MB  # one SSE line (an image as a data URL fits)
    max_answer_bytes: int = 64 * MB  # one answer's stream, decompressed
    max_json_bytes: int = 32 * MB  # the body of /models, /key, a non-streamed answer...
    server_name: str | None = None  # how messages name the server; None: OpenRouter or its host

    @property
    def keepalive_wait(self) -> float:
        """How long keep-alive signals alone may go on (a slow model thinking before it answers)."""
        return self.keepalive_limit if self.keepalive_limit is not None else self.answer_deadline / 2


Sleep = Callable[[float], Awaitable[None]]


def _no_tls() -> ssl.SSLContext:
    """For a plain-http base URL: no trust store to load (about 15 ms of certificates a request to
    127.0.0.1 never uses). Still verifying, with nothing trusted, so TLS could never pass unchecked;
    the client never leaves its base URL anyway (no redirects)."""
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


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
        self.server = self.config.server_name or _server_name(self.base_url, self.config.key_required)
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
            verify=_no_tls() if self.base_url.startswith("http://") else True,
            follow_redirects=False,  # a redirect is an error: the key never follows it elsewhere
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
            headers={
                "HTTP-Referer": self.config.app_url,
                "X-OpenRouter-Title": self.config.app_title,
                "X-Title": self.config.app_title,
                "Accept-Encoding": "gzip, deflate",  # only what body.py inflates within limits
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
        try:
            async with asyncio.timeout(self.config.answer_deadline):  # a trickling body ends too
                raw = await self._get_body(path, auth=auth, what=what)
        except TimeoutError:
            raise ApiError(
                f"{what}: {self.server} took longer than {wait_words(self.config.answer_deadline)} "
                "to answer - stopped",
                kind=FailureKind.TIMEOUT,
            ) from None
        try:
            # Masked before it is parsed: every string of the body (a model name, a key label)
            # reaches the rest of the app already masked.
            return loads(redact(raw.decode("utf-8", "replace")))
        except ServerJSONError as exc:
            raise ApiError(
                f"{what}: {exc} - is the base URL right?", kind=FailureKind.MALFORMED, status=200
            ) from None

    async def _get_body(self, path: str, *, auth: bool, what: str) -> bytes:
        headers = self._auth_headers(required=auth)
        try:
            async with self._http.stream("GET", self.base_url + path, headers=headers) as response:
                if response.status_code != 200:
                    raw = await read_head(response, MAX_ERROR_BODY)
                    raise _http_error(what, self.server, response.status_code, raw)
                return await read_bounded(response, self.config.max_json_bytes)
        except httpx.TimeoutException as exc:
            raise _network_error(what, self.server, exc, timeout=True) from None
        except httpx.TransportError as exc:
            raise _network_error(what, self.server, exc) from None
        except BodyLimitError as exc:
            raise _body_error(what, exc, self.config.max_json_bytes) from None

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
        from playground.core.openrouter.chat import ChatStream

        return ChatStream(self, request).events()

    def _post(self, body: Mapping[str, Any], *, stream: bool) -> Any:
        return self._http.stream("POST", **self._chat_request(body, stream=stream))

    async def _open_stream(self, body: Mapping[str, Any]) -> httpx.Response:
        """The chat stream's response, headers read, body not yet: close it with ``aclose()``."""
        request = self._http.build_request("POST", **self._chat_request(body, stream=True))
        return await self._http.send(request, stream=True)

    def pace_streams(self, pacer: ReadPacer) -> bool:
        """Let trickling answers read their sockets once a frame, all together (the window's
        network thread: see ``pacing``); the CLI reads each chunk as it comes. False when this
        client's transport cannot be paced (nothing changes then)."""
        from playground.core.openrouter.pacing import install

        return install(self._http, pacer)

    def _chat_request(self, body: Mapping[str, Any], *, stream: bool) -> dict[str, Any]:
        headers = self._auth_headers(required=self.config.key_required)
        if stream:
            headers |= {"Accept": "text/event-stream", "Cache-Control": "no-store"}
        return {"url": self.base_url + "/chat/completions", "json": body, "headers": headers}


def _server_name(base_url: str, key_required: bool) -> str:
    """OpenRouter (or what stands in for it: OPENROUTER_BASE_URL); an endpoint by its address."""
    if key_required:
        return "OpenRouter"
    url = httpx.URL(base_url)
    port = f":{url.port}" if url.port else ""
    return f"the server at {url.host}{port}"


def _network_error(what: str, server: str, exc: Exception, *, timeout: bool = False) -> ApiError:
    reason = "timed out" if timeout else "could not connect"
    return ApiError(
        f"{what}: could not reach {server} ({reason}) - check the network and base URL",
        kind=FailureKind.NETWORK,
        detail=redact(f"{type(exc).__name__}: {exc}"),
    )


def _body_error(what: str, exc: BodyLimitError, limit: int) -> ApiError:
    if exc.what == "encoding":
        message = f"{what}: the server's answer could not be decompressed"
        return ApiError(message, kind=FailureKind.MALFORMED, status=200)
    message = f"{what}: the server's answer is larger than {limit // MB} MB - not read"
    return ApiError(message, kind=FailureKind.TOO_LARGE, status=200)


def _http_error(what: str, server: str, status: int, raw: bytes) -> ApiError:
    if 300 <= status < 400:
        message = (
            f"{what}: {server} answered with a redirect ({status}); not followed, so the key "
            "stays where it was sent - check the base URL"
        )
        return ApiError(message, kind=FailureKind.REDIRECT, status=status)
    error = parse_error_body(raw)
    if status == 401:
        message = f"{what}: {server} rejected the API key (401) - the key is wrong or revoked"
    else:
        message = sentence_for(status, what, error, server=server)
    return ApiError(
        message,
        kind=kind_for_status(status),
        status=status,
        detail=detail_for(status, error, raw[:500].decode("utf-8", "replace")),
    )
