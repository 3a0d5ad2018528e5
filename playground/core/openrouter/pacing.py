"""ReadPacer: trickling streams read their sockets together, once a frame, instead of chunk by chunk.

Measured (benchmark 4, 8 streams x 80 tok/s): reading each socket as each ~200-byte chunk arrives
costs one event-loop wake-up, one selector call, one socket read and the HTTP stack's per-read work
per chunk - about as much CPU as the whole bare httpx baseline - while the window shows new text at
most 60 times a second. httpx (anyio) only watches a socket while a read is waiting on it, so a
stream that does not ask for its next piece until the next frame boundary costs no wake-up at all in
between: the kernel keeps the bytes, and at the boundary one timer wakes every paced stream and
each reads what gathered.

What waits: only a stream that is trickling - its answer has begun (the first token is never held:
TTFT stays exact), the piece just read was small, and it came a while after the one before (a
stream at full speed, whose pieces follow each other closely, is never paused). A stopped answer
is stopped at once (the wait is cancelled with its task); a timeout or a lost connection shows at
the next read, at most one frame later.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Awaitable, Iterable
from contextvars import ContextVar
from typing import Any, TypeVar

import httpx
from httpcore import SOCKET_OPTION, AsyncNetworkBackend, AsyncNetworkStream

T = TypeVar("T")

FRAME = 1 / 60  # the window draws at most this often, so reading more often shows nothing sooner
SMALL_PIECE = 4096  # bytes: a read this small found only a few chunks waiting
TRICKLE_GAP = 0.004  # seconds since the previous piece: closer than this, the stream is at full speed


class ReadPacer:
    """One shared frame timer: streams that wait on it are all released at the same moment.

    Use from one event loop only (the network thread's). ``wait()`` returns at the next boundary;
    the first waiter after a boundary starts the timer, the others join it, so however many
    streams trickle there is one timer and one wake-up a frame."""

    def __init__(self, interval: float = FRAME, gap: float = TRICKLE_GAP) -> None:
        self.interval = interval
        self.gap = gap
        self._waiters: list[asyncio.Future[None]] = []
        self._timer: asyncio.TimerHandle | None = None
        self.releases = 0  # frame boundaries so far

    def should_wait(self, piece_size: int, gap: float) -> bool:
        """Whether a stream that just read ``piece_size`` bytes, ``gap`` seconds after its previous
        piece, is trickling."""
        return piece_size < SMALL_PIECE and gap >= self.gap

    async def wait(self) -> None:
        """Until the next frame boundary (a cancelled waiter leaves the others waiting)."""
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        self._waiters.append(waiter)
        if self._timer is None:
            self._timer = loop.call_later(self.interval, self.release)
        await waiter

    @property
    def waiting(self) -> int:
        """Streams waiting for the next boundary now (a stopped one no longer counts)."""
        return sum(not w.done() for w in self._waiters)

    def release(self) -> None:
        """The frame boundary: every waiting stream reads what gathered (the timer calls this)."""
        if self._timer is not None:
            self._timer.cancel()
        waiters, self._waiters, self._timer = self._waiters, [], None
        self.releases += 1
        for waiter in waiters:
            if not waiter.done():  # a cancelled one is done already
                waiter.set_result(None)


class PacedStream(AsyncNetworkStream):
    """One connection's socket, read through the pacer while an answer on it is ``armed``.

    Only real socket reads wait: bytes httpx already holds are handed on at once."""

    def __init__(self, inner: AsyncNetworkStream, pacer: ReadPacer) -> None:
        self._inner = inner
        self._pacer = pacer
        self.armed = False  # set by the answer reading this connection, once its first token came
        self._hold = False  # the last read found a trickle: wait for the boundary before the next
        self._last_read = 0.0

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        if self._hold and self.armed:
            await self._pacer.wait()
        data = await self._inner.read(max_bytes, timeout)
        now = time.monotonic()
        self._hold = self._pacer.should_wait(len(data), now - self._last_read) and bool(data)
        self._last_read = now
        return data

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> AsyncNetworkStream:
        return PacedStream(await self._inner.start_tls(ssl_context, server_hostname, timeout), self._pacer)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class PacedBackend(AsyncNetworkBackend):
    """httpcore's network backend with every connection's socket wrapped in a PacedStream."""

    def __init__(self, inner: AsyncNetworkBackend, pacer: ReadPacer) -> None:
        self._inner = inner
        self._pacer = pacer

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SOCKET_OPTION] | None = None,
    ) -> AsyncNetworkStream:
        stream = await self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        return PacedStream(stream, self._pacer)

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[SOCKET_OPTION] | None = None
    ) -> AsyncNetworkStream:
        return PacedStream(await self._inner.connect_unix_socket(path, timeout, socket_options), self._pacer)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def install(http: httpx.AsyncClient, pacer: ReadPacer) -> bool:
    """Paces the sockets of ``http``'s own connection pool; False when it has none to pace (a
    transport given by a test, a pool of another shape after an httpx upgrade): nothing changes."""
    pool = getattr(getattr(http, "_transport", None), "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if not isinstance(backend, AsyncNetworkBackend):
        return False
    if not isinstance(backend, PacedBackend):
        pool._network_backend = PacedBackend(backend, pacer)  # type: ignore[union-attr]
    return True


# Answers streamed under ``unpaced()`` (and the tasks it starts) never wait for a frame boundary.
_PACED: ContextVar[bool] = ContextVar("playground_paced_reads", default=True)


async def unpaced(work: Awaitable[T]) -> T:
    """Run ``work`` with every answer read chunk by chunk, as it comes: for runs of many answers
    that are there for their results (the test matrix), where holding each answer's end for up to a
    frame adds up (900 answers, 8 at a time: about 2 s) and nobody watches the text arrive."""
    _PACED.set(False)  # in this task's own context: the answers' tasks copy it when they start
    return await work


def arm(response: httpx.Response, on: bool = True) -> None:
    """Lets the connection of ``response`` wait for the pacer (on) or read at once again (off)."""
    if on and not _PACED.get():
        return
    stream = response.extensions.get("network_stream")
    if isinstance(stream, PacedStream):
        stream.armed = on
