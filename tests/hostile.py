"""A hostile OpenRouter on loopback, for the hardening tests: it answers with gzip bombs, endless
lines, redirects that carry the key, absurd figures, deep nesting, byte-a-second streams...

Each behaviour is bounded in size and time (it stops when the client hangs up, after ``MAX_BYTES``
or after ``MAX_SECONDS``), so a client that fails to stop fails its test, not the machine.
``with HostileServer() as server:`` runs it in its own thread; ``server.base_url`` is its API
root. A chat request picks its behaviour by model id (``hostile/<behaviour>``), a GET by path
(``server.answer("/key", behaviour)``).
"""

from __future__ import annotations

import asyncio
import gzip
import json
import threading
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

MAX_BYTES = 80 * 1024 * 1024
MAX_SECONDS = 20.0

Writer = asyncio.StreamWriter
Behaviour = Callable[["HostileServer", Writer, dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class Seen:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


def sse(obj: object) -> bytes:
    return b"data: " + json.dumps(obj).encode() + b"\n\n"


def delta(text: str) -> bytes:
    return sse({"id": "gen-h", "model": "hostile/x", "choices": [{"delta": {"content": text}}]})


FINISH = sse({"id": "gen-h", "choices": [{"delta": {}, "finish_reason": "stop"}]}) + b"data: [DONE]\n\n"


def _head(status: int, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} Hostile"] + [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def _send(writer: Writer, status: int, body: bytes, **headers: str) -> None:
    # the server closes every connection after one answer: it says so, or a client may send the next
    # request on a connection being closed (a transport error and an extra retry, under load)
    head = {
        "content-type": "application/json",
        "content-length": str(len(body)),
        "connection": "close",
        **headers,
    }
    writer.write(_head(status, head) + body)
    await writer.drain()


async def _stream_head(writer: Writer, **headers: str) -> None:
    head = {"content-type": "text/event-stream", "connection": "close", **headers}
    writer.write(_head(200, head))
    await writer.drain()


def bomb_blocks(block: bytes, gzip_header: bool = True) -> tuple[bytes, bytes]:
    """The compressed start, and a piece that inflates to one more ``block`` each time it is
    repeated (a full flush resets the compressor, so every later block packs the same)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS if gzip_header else zlib.MAX_WBITS)
    first = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    again = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    return first, again


async def gzip_bomb(server: HostileServer, writer: Writer, body: dict[str, Any]) -> None:
    """An event stream of keep-alive lines, gzip-compressed about 1000:1, that never ends."""
    first, again = bomb_blocks((b": " + b"k" * 4000 + b"\n") * 256)  # ~1 MB per block
    await _stream_head(writer, **{"content-encoding": "gzip"})
    writer.write(first)
    await server.pour(writer, again)


async def bomb_json(server: HostileServer, writer: Writer, body: dict[str, Any]) -> None:
    """A JSON body (a /key or /models answer) that inflates without end."""
    first, again = bomb_blocks(b'{"data": [' + b"0, " * 300_000)
    head = {"content-type": "application/json", "content-encoding": "gzip", "connection": "close"}
    writer.write(_head(200, head) + first)
    await server.pour(writer, again)


async def huge_line(server: HostileServer, writer: Writer, body: dict[str, Any]) -> None:
    """One SSE line that goes on for 50 MB."""
    await _stream_head(writer)
    writer.write(delta("start ") + b'data: {"choices": [{"delta": {"content": "')
    await server.pour(writer, b"a" * 65536, limit=50 * 1024 * 1024)


async def endless_answer(server: HostileServer, writer: Writer, body: dict[str, Any]) -> None:
    """Well-formed answer chunks, without end."""
    await _stream_head(writer)
    writer.write(delta("first "))
    await server.pour(writer, delta("word " * 1000))


async def slow_bytes(server: HostileServer, writer: Writer, body: dict[str, Any]) -> None:
    """A chunk, then the next one a byte at a time, every 20 ms: the connection is never idle."""
    await _stream_head(writer)
    writer.write(delta("so far "))
    for byte in (delta("never finished " * 100) * 100)[: int(MAX_SECONDS / 0.02)]:
        writer.write(bytes([byte]))
        await writer.drain()
        await asyncio.sleep(0.02)


async def drip(server: HostileServer, writer: Writer, body: dict[str, Any]) -> None:
    """A word every 50 ms, never a finish: steady, small, and endless."""
    await _stream_head(writer)
    for _ in range(int(MAX_SECONDS / 0.05)):
        writer.write(delta("drop "))
        await writer.drain()
        await asyncio.sleep(0.05)


async def slow_headers(server: HostileServer, writer: Writer, body: dict[str, Any]) -> None:
    """A status line, then headers that never end, a byte every 20 ms."""
    writer.write(b"HTTP/1.1 200 OK\r\n")
    for _ in range(int(MAX_SECONDS / 0.02)):
        writer.write(b"x")
        await writer.drain()
        await asyncio.sleep(0.02)


async def slow_json(server: HostileServer, writer: Writer, body: dict[str, Any]) -> None:
    """A JSON body announced as 1 MB and sent a byte every 20 ms."""
    writer.write(_head(200, {"content-type": "application/json", "content-length": str(1024 * 1024)}))
    for _ in range(int(MAX_SECONDS / 0.02)):
        writer.write(b" ")
        await writer.drain()
        await asyncio.sleep(0.02)


async def keepalives(server: HostileServer, writer: Writer, body: dict[str, Any]) -> None:
    """Keep-alive comments every 20 ms, and never an answer."""
    await _stream_head(writer)
    for _ in range(int(MAX_SECONDS / 0.02)):
        writer.write(b": OPENROUTER PROCESSING\n\n")
        await writer.drain()
        await asyncio.sleep(0.02)


async def echo_key(server: HostileServer, writer: Writer, body: dict[str, Any]) -> None:
    """Repeats the bearer token in the answer, split across chunks, beside terminal escapes."""
    key = server.seen[-1].headers.get("authorization", "").removeprefix("Bearer ")
    await _stream_head(writer)
    pieces = ["\x1b]0;title\x07Your key is ", key[:5], key[5:20], key[20:], " - thanks\x1b[2J"]
    writer.write(b"".join(delta(p) for p in pieces) + FINISH)


async def absurd_usage(server: HostileServer, writer: Writer, body: dict[str, Any]) -> None:
    """A complete answer whose usage figures are huge, negative, NaN or not numbers."""
    await _stream_head(writer)
    usage = (
        b'data: {"id": "gen-h", "choices": [], "usage": {"prompt_tokens": '
        + b"9" * 5000
        + b', "completion_tokens": -5, "total_tokens": NaN, "cost": 1e400, '
        + b'"prompt_tokens_details": {"cached_tokens": "12"}, "completion_tokens_details": '
        + b'{"reasoning_tokens": 1.5}}}\n\n'
    )
    writer.write(delta("a fine answer") + sse({"choices": [{"delta": {}, "finish_reason": "stop"}]}) + usage)
    writer.write(b"data: [DONE]\n\n")


async def negative_cost(server: HostileServer, writer: Writer, body: dict[str, Any]) -> None:
    await _stream_head(writer)
    usage = sse({"choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 2, "cost": -50}})
    writer.write(delta("cheap") + sse({"choices": [{"delta": {}, "finish_reason": "stop"}]}) + usage)
    writer.write(b"data: [DONE]\n\n")


async def deep_nesting(server: HostileServer, writer: Writer, body: dict[str, Any]) -> None:
    await _stream_head(writer)
    writer.write(delta("before ") + b"data: " + b"[" * 200_000 + b"]" * 200_000 + b"\n\n" + FINISH)


async def deep_error(server: HostileServer, writer: Writer, body: dict[str, Any]) -> None:
    nested = b'{"error": {"code": 500, "message": "deep", "metadata": ' + b"[" * 50_000
    await _send(writer, 500, nested + b"]" * 50_000 + b"}}")


async def redirect_with_key(server: HostileServer, writer: Writer, body: dict[str, Any]) -> None:
    key = server.seen[-1].headers.get("authorization", "").removeprefix("Bearer ")
    location = f"http://elsewhere.example/steal?key={key}"
    await _send(writer, 307, b"", location=location)


async def huge_retry_hint(server: HostileServer, writer: Writer, body: dict[str, Any]) -> None:
    payload = b'{"error": {"code": 429, "message": "slow down", "metadata": {"retry_after_seconds": '
    await _send(writer, 429, payload + b"9" * 400 + b"}}}", **{"retry-after": "1e400"})


def status(code: int, message: str = "no", **headers: str) -> Behaviour:
    async def send(server: HostileServer, writer: Writer, body: dict[str, Any]) -> None:
        await _send(
            writer, code, json.dumps({"error": {"code": code, "message": message}}).encode(), **headers
        )

    return send


def gzip_of(payload: bytes) -> Behaviour:
    async def send(server: HostileServer, writer: Writer, body: dict[str, Any]) -> None:
        await _send(writer, 200, gzip.compress(payload), **{"content-encoding": "gzip"})

    return send


async def fine(server: HostileServer, writer: Writer, body: dict[str, Any]) -> None:
    await _stream_head(writer)
    writer.write(delta("all good") + FINISH)


BEHAVIOURS: dict[str, Behaviour] = {
    "gzip-bomb": gzip_bomb,
    "huge-line": huge_line,
    "endless": endless_answer,
    "slow-bytes": slow_bytes,
    "keepalives": keepalives,
    "slow-headers": slow_headers,
    "drip": drip,
    "echo-key": echo_key,
    "absurd-usage": absurd_usage,
    "negative-cost": negative_cost,
    "deep": deep_nesting,
    "deep-error": deep_error,
    "redirect": redirect_with_key,
    "huge-retry": huge_retry_hint,
    "401": status(401, "User not found."),
    "503": status(503, "unavailable"),
    "fine": fine,
}


class HostileServer:
    """A loopback HTTP server with bad manners, in its own thread."""

    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self.sent = 0  # bytes poured by the last endless behaviour before the client hung up
        self.gets: dict[str, Behaviour] = {}
        self.queue: dict[str, list[Behaviour]] = {}  # per model: answers to give first, in order
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1"

    def answer(self, path: str, behaviour: Behaviour) -> None:
        self.gets[path] = behaviour

    def __enter__(self) -> HostileServer:
        self._thread = threading.Thread(target=lambda: asyncio.run(self._serve()), daemon=True)
        self._thread.start()
        assert self._ready.wait(10), "the hostile server did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(10)

    async def _serve(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        async with server:
            await self._stop.wait()

    async def pour(self, writer: Writer, piece: bytes, limit: int = MAX_BYTES) -> None:
        """``piece`` again and again until the client hangs up or ``limit`` bytes went out."""
        self.sent = 0
        loop = asyncio.get_running_loop()
        until = loop.time() + MAX_SECONDS
        while self.sent < limit and loop.time() < until:
            writer.write(piece)
            self.sent += len(piece)
            await writer.drain()

    async def _handle(self, reader: asyncio.StreamReader, writer: Writer) -> None:
        try:
            request = await _read(reader)
            if request is not None:
                self.seen.append(request)
                behaviour, body = self._pick(request)
                await asyncio.wait_for(behaviour(self, writer, body), MAX_SECONDS + 5)
        except (ConnectionError, TimeoutError, asyncio.IncompleteReadError):
            pass  # the client hung up: that is what the tests expect of it
        finally:
            writer.close()
            try:
                await writer.wait_closed()
            except ConnectionError:
                pass

    def _pick(self, request: Seen) -> tuple[Behaviour, dict[str, Any]]:
        if request.method == "GET":
            return self.gets.get(request.path.removeprefix("/api/v1"), status(404)), {}
        body = json.loads(request.body or b"{}")
        name = str(body.get("model", "")).rpartition("/")[2]
        queued = self.queue.get(name)
        if queued:
            return queued.pop(0), body
        return BEHAVIOURS.get(name, status(404, "unknown behaviour")), body


async def _read(reader: asyncio.StreamReader) -> Seen | None:
    line = await reader.readline()
    if not line.strip():
        return None
    method, target, *_ = line.decode("latin-1").split()
    headers: dict[str, str] = {}
    while (raw := await reader.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = raw.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    size = min(int(headers.get("content-length", "0") or 0), 1024 * 1024)
    body = await reader.readexactly(size) if size else b""
    return Seen(method, target.split("?")[0], headers, body)
