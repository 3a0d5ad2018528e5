"""StreamBackend: the network thread's one owner of every HTTP client.

The window's side hands it plain values: ``configure()`` takes a BackendConfig (one ClientSpec - key
and client configuration - per client name). On the network thread it builds the clients whose spec
changed, keeps the others, and retires the replaced ones. Every answer leases the client its model
needs when its stream starts and returns it when the stream ends; a retired client is closed when
its last lease ends. So changing a setting (prompt logging, the key, the endpoints) never touches an
answer already streaming, and the next answer uses the new client.

The window's thread never touches a client, and the network thread never reads settings, the
keyring or the AppContext: one-off calls (the key's figures, a model list) run on the network
thread through ``call()``, and testing a key before it is saved through ``call_once()`` (a client
built on the network thread for that one request, then closed).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from playground.core.errors import ConfigError, PlaygroundError
from playground.ui.net import NetworkThread

if TYPE_CHECKING:
    from playground.core.compare import ChatClient
    from playground.core.context import ClientSpec
    from playground.core.events import StreamEvent
    from playground.core.openrouter import OpenRouterClient
    from playground.core.openrouter.pacing import ReadPacer
    from playground.core.request import ChatRequest

log = logging.getLogger(__name__)
T = TypeVar("T")

OPENROUTER = ""  # the OpenRouter client's name among the endpoints' (no endpoint may be named "")


@dataclass(frozen=True)
class BackendConfig:
    """The clients wanted now, by name (OPENROUTER or an endpoint's name): a plain snapshot."""

    clients: Mapping[str, ClientSpec] = field(default_factory=dict)


class _Entry:
    """One built client, how many answers hold it, and whether a newer one replaced it."""

    __slots__ = ("client", "leases", "retired", "spec")

    def __init__(self, spec: ClientSpec, client: OpenRouterClient) -> None:
        self.spec = spec
        self.client = client
        self.leases = 0
        self.retired = False


class StreamBackend:
    """Builds, leases and closes every HTTP client, on its own network thread."""

    def __init__(self, net: NetworkThread | None = None) -> None:
        self.net = net or NetworkThread()
        self._current: dict[str, _Entry] = {}  # network thread only
        self._closing: set[asyncio.Task[None]] = set()
        self.open_clients = 0  # built and not yet closed (written on the network thread)
        self._pacer: ReadPacer | None = None  # network thread only: one frame timer for all

    # ----- from the window's thread ----------------------------------------------------------

    async def configure(self, config: BackendConfig) -> dict[str, str]:
        """Use these clients from now on; returns a problem sentence for each that cannot be built."""
        return await self.net.run(self._configure(config))

    async def call(self, name: str, fn: Callable[[OpenRouterClient], Awaitable[T]]) -> T:
        """Run ``fn(client)`` on the network thread with a lease on the client named ``name``."""
        return await self.net.run(self._call(name, fn))

    async def call_once(self, spec: ClientSpec, fn: Callable[[OpenRouterClient], Awaitable[T]]) -> T:
        """Run ``fn`` on a client built from ``spec`` for this one call (a key being tested before it
        is saved), on the network thread; the client is closed after it."""
        return await self.net.run(self._call_once(spec, fn))

    def spec(self, name: str) -> ClientSpec | None:
        """What the client named ``name`` was built from (a plain value, safe to read anywhere)."""
        entry = self._current.get(name)
        return entry.spec if entry is not None else None

    def chat_client(self) -> ChatClient:
        """A ChatClient for a CompareRun on the network thread: each answer leases its client."""
        return LeasedClient(self)

    async def close(self) -> None:
        """Stop what still streams, close every client, then stop the thread."""
        if self.net.loop.is_running():
            await self.net.run(self._shutdown())
        self.net.stop()

    # ----- on the network thread -------------------------------------------------------------

    async def _configure(self, config: BackendConfig) -> dict[str, str]:
        # No await in here: a configuration is applied whole, between two answers' steps.
        problems: dict[str, str] = {}
        for name in [n for n in self._current if n not in config.clients]:
            self._retire(self._current.pop(name))
        for name, spec in config.clients.items():
            entry = self._current.get(name)
            if entry is not None and entry.spec == spec:
                continue  # unchanged: the same client, its connections kept warm
            if entry is not None:
                self._retire(self._current.pop(name))
            try:
                client = spec.build()
            except PlaygroundError as exc:
                problems[name] = str(exc)
                continue
            client.pace_streams(self._read_pacer())
            self._current[name] = _Entry(spec, client)
            self.open_clients += 1
        return problems

    def lease(self, name: str) -> _Entry | None:
        """The client named ``name`` now, held until ``release()``; None when there is none."""
        entry = self._current.get(name)
        if entry is not None:
            entry.leases += 1
        return entry

    def release(self, entry: _Entry) -> None:
        entry.leases -= 1
        if entry.retired and entry.leases == 0:
            self._close(entry)

    def _retire(self, entry: _Entry) -> None:
        entry.retired = True
        if entry.leases == 0:
            self._close(entry)

    def _close(self, entry: _Entry) -> None:
        task = asyncio.get_running_loop().create_task(self._aclose(entry), name="close-client")
        self._closing.add(task)  # kept referenced until done
        task.add_done_callback(self._closing.discard)

    def _read_pacer(self) -> ReadPacer:
        """The one pacer of every client's trickling answers (imported here: it needs httpx,
        which the window must not load before its first frame)."""
        if self._pacer is None:
            from playground.core.openrouter.pacing import ReadPacer
            from playground.ui.net import FRAME_MS, TRICKLE_STEP

            # trickling answers are drawn on the frame clock's ticks, every TRICKLE_STEP frames:
            # reading them more often than that shows nothing sooner
            self._pacer = ReadPacer(interval=TRICKLE_STEP * FRAME_MS / 1000)
        return self._pacer

    async def _aclose(self, entry: _Entry) -> None:
        try:
            await entry.client.aclose()
        finally:
            self.open_clients -= 1

    async def _call(self, name: str, fn: Callable[[OpenRouterClient], Awaitable[T]]) -> T:
        entry = self.lease(name)
        if entry is None:
            raise ConfigError("There is no connection for this yet: check the key and the base URL.")
        try:
            return await fn(entry.client)
        finally:
            self.release(entry)

    async def _call_once(self, spec: ClientSpec, fn: Callable[[OpenRouterClient], Awaitable[T]]) -> T:
        async with spec.build() as client:
            return await fn(client)

    async def _shutdown(self) -> None:
        here = asyncio.current_task()
        streams = [t for t in asyncio.all_tasks() if t is not here and t not in self._closing]
        for task in streams:
            task.cancel()
        await asyncio.gather(*streams, return_exceptions=True)
        for name in list(self._current):
            self._retire(self._current.pop(name))
        await asyncio.gather(*self._closing, return_exceptions=True)


class LeasedClient:
    """The ChatClient a run streams through: each answer leases the client its model names when its
    stream starts and returns it when the stream ends, however it ends."""

    def __init__(self, backend: StreamBackend) -> None:
        self._backend = backend

    async def stream_chat(self, request: ChatRequest) -> AsyncGenerator[StreamEvent, None]:
        from playground.core.endpoints import RoutedClient, split_ref

        ref = split_ref(request.model)
        entry = self._backend.lease(OPENROUTER if ref is None else ref[0])
        try:
            routed = RoutedClient.for_model(request.model, entry.client if entry is not None else None)
            async with aclosing(routed.stream_chat(request)) as events:
                async for event in events:
                    yield event
        finally:
            if entry is not None:
                self._backend.release(entry)
