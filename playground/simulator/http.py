"""Just enough HTTP/1.1 over asyncio streams for the simulator, with full control of the bytes."""

from __future__ import annotations

import asyncio
import gzip as gzip_module
import json
import time
import zlib
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

REASONS = {
    200: "OK",
    307: "Temporary Redirect",
    400: "Bad Request",
    401: "Unauthorized",
    402: "Payment Required",
    403: "Forbidden",
    404: "Not Found",
    408: "Request Timeout",
    413: "Payload Too Large",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    524: "A Timeout Occurred",
    529: "Site Overloaded",
}
MAX_BODY = 64 * 1024 * 1024


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the simulator received it (for tests to assert what the client sent)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes
    time: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8")) if self.body else None


async def read_request(reader: asyncio.StreamReader) -> RecordedRequest | None:
    """The next request on a connection, or None when the client closed it."""
    line = await reader.readline()
    if not line.strip():
        return None
    arrived = time.monotonic()
    method, target, *_ = line.decode("latin-1").split()
    headers: dict[str, str] = {}
    while True:
        raw = await reader.readline()
        if raw in (b"\r\n", b"\n", b""):
            break
        name, _, value = raw.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    body = b""
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = await _read_chunked(reader)
    elif headers.get("content-length"):
        body = await reader.readexactly(min(int(headers["content-length"]), MAX_BODY))
    parts = urlsplit(target)
    return RecordedRequest(method, parts.path, dict(parse_qsl(parts.query)), headers, body, arrived)


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    body = bytearray()
    while True:
        size = int((await reader.readline()).split(b";")[0].strip() or b"0", 16)
        if size == 0:
            await reader.readline()
            return bytes(body)
        body += await reader.readexactly(size)
        await reader.readline()


def head(status: int, headers: list[tuple[str, str]]) -> bytes:
    lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}"]
    lines += [f"{k}: {v}" for k, v in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def send_body(
    writer: asyncio.StreamWriter,
    status: int,
    body: bytes,
    content_type: str,
    headers: tuple[tuple[str, str], ...] = (),
    *,
    gzip: bool = False,
) -> None:
    extra = list(headers)
    if gzip:
        body = gzip_module.compress(body)
        extra.append(("Content-Encoding", "gzip"))
    all_headers = [("Content-Type", content_type), ("Content-Length", str(len(body))), *extra]
    writer.write(head(status, all_headers) + body)
    await writer.drain()


async def send_json(
    writer: asyncio.StreamWriter,
    status: int,
    obj: Any,
    headers: tuple[tuple[str, str], ...] = (),
    *,
    gzip: bool = False,
) -> None:
    body = json.dumps(obj, ensure_ascii=False).encode("utf-8")
    await send_body(writer, status, body, "application/json", headers, gzip=gzip)


class ChunkedWriter:
    """Writes a chunked response body, optionally gzip-compressed with a flush per write."""

    def __init__(self, writer: asyncio.StreamWriter, *, gzip: bool = False) -> None:
        self.writer = writer
        self._zip = zlib.compressobj(wbits=31) if gzip else None

    async def write(self, data: bytes) -> None:
        if self._zip is not None:
            data = self._zip.compress(data) + self._zip.flush(zlib.Z_SYNC_FLUSH)
        if data:
            self.writer.write(b"%x\r\n%s\r\n" % (len(data), data))
            await self.writer.drain()

    async def end(self) -> None:
        if self._zip is not None:
            tail = self._zip.flush()
            self._zip = None
            await self.write(tail)
        self.writer.write(b"0\r\n\r\n")
        await self.writer.drain()
