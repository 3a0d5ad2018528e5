"""Reading a response body within limits: decompressed bytes counted as they are read, SSE lines
capped, so a gzip bomb, an endless line or an endless answer never takes the machine's memory."""

from __future__ import annotations

import zlib
from collections.abc import AsyncGenerator, Iterator

import httpx

_STEP = 64 * 1024  # at most this much is inflated at a time


class BodyLimitError(Exception):
    """A body broke a limit (``what``: "line" or "answer"), or could not be decoded."""

    def __init__(self, what: str, limit: int = 0) -> None:
        super().__init__(what)
        self.what = what
        self.limit = limit


class _Inflater:
    """gzip / deflate, inflated in steps of at most ``_STEP`` bytes however well the input packs."""

    def __init__(self, encoding: str) -> None:
        self._deflate = encoding == "deflate"
        wbits = zlib.MAX_WBITS if self._deflate else 16 + zlib.MAX_WBITS
        self._z = zlib.decompressobj(wbits)
        self._started = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._deflate and not self._started and data:
            self._started = True
            if data[0] & 0x0F != 8:  # raw deflate without the zlib header, as some servers send
                self._z = zlib.decompressobj(-zlib.MAX_WBITS)
        try:
            out = self._z.decompress(data, _STEP)
            while out:
                yield out
                out = self._z.decompress(self._z.unconsumed_tail, _STEP)
        except zlib.error:
            raise BodyLimitError("encoding") from None


def _inflater(response: httpx.Response) -> _Inflater | None:
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip", "deflate"):
        return _Inflater("deflate" if encoding == "deflate" else "gzip")
    raise BodyLimitError("encoding")


async def decoded_chunks(response: httpx.Response, limit: int) -> AsyncGenerator[bytes, None]:
    """The body, decompressed, in pieces; ``BodyLimitError("answer")`` once over ``limit`` bytes."""
    inflater = _inflater(response)
    total = 0
    if inflater is None:  # the usual body: each piece as it came (no inner loop a piece)
        async for raw in response.aiter_raw():
            total += len(raw)
            if total > limit:
                raise BodyLimitError("answer", limit)
            yield raw
        return
    async for raw in response.aiter_raw():
        for piece in inflater.feed(raw):
            total += len(piece)
            if total > limit:
                raise BodyLimitError("answer", limit)
            yield piece


async def read_bounded(response: httpx.Response, limit: int) -> bytes:
    """The whole body, or ``BodyLimitError("answer")`` when it decompresses to more than ``limit``."""
    parts = [piece async for piece in decoded_chunks(response, limit)]
    return b"".join(parts)


async def read_head(response: httpx.Response, limit: int) -> bytes:
    """At most ``limit`` decompressed bytes of the body (an error body: what arrived is enough)."""
    parts: list[bytes] = []
    size = 0
    try:
        async for piece in decoded_chunks(response, 4 * limit):
            parts.append(piece)
            size += len(piece)
            if size >= limit:
                break
    except (httpx.HTTPError, BodyLimitError):
        pass  # an error body that breaks off is still an error: report what arrived
    return b"".join(parts)[:limit]


class SSEReader:
    """Splits decoded bytes into the ``data`` of each server-sent event, with a cap on each line.

    Lines end in LF, CRLF or CR; comment lines (keep-alives) and other fields are skipped; an event
    is dispatched at its blank line, and one left open at the end of the body is dropped.
    """

    def __init__(self, max_line: int) -> None:
        self._max_line = max_line
        self._rest = b""
        self._data: list[str] = []
        self.keepalives = 0  # comment lines seen since the last event

    def feed(self, chunk: bytes) -> list[str]:
        """The data of every event that ``chunk`` completes."""
        if not self._rest and not self._data and chunk.startswith(b"data:") and chunk.endswith(b"\n\n"):
            # the common piece: exactly one whole event, "data: {...}" and its blank line
            end = len(chunk) - 2
            if chunk.find(b"\n") == end and end <= self._max_line and b"\r" not in chunk:
                self.keepalives = 0
                return [chunk[6 if chunk[5:6] == b" " else 5 : end].decode("utf-8", "replace")]
        buffer = self._rest + chunk if self._rest else chunk
        if b"\r" in buffer:
            held_cr = buffer.endswith(b"\r")  # maybe the first half of a CRLF split across reads
            buffer = buffer.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
            if held_cr:
                buffer = buffer[:-1]
        else:
            held_cr = False
        lines = buffer.split(b"\n")
        rest = lines.pop()
        if len(rest) > self._max_line:
            raise BodyLimitError("line", self._max_line)
        self._rest = rest + b"\r" if held_cr else rest
        return self._dispatch(lines)

    def _dispatch(self, lines: list[bytes]) -> list[str]:
        events: list[str] = []
        for line in lines:
            if not line:
                if self._data:
                    events.append("\n".join(self._data))
                    self._data = []
                    self.keepalives = 0
                continue
            if len(line) > self._max_line:
                raise BodyLimitError("line", self._max_line)
            if line[:5] == b"data:":
                value = line[6:] if line[5:6] == b" " else line[5:]
                self._data.append(value.decode("utf-8", "replace"))
            elif line[:1] == b":":
                self.keepalives += 1
            elif line == b"data":
                self._data.append("")
        return events
