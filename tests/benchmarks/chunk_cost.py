"""What one streamed chunk costs in the core's own steps, above httpx (a diagnostic, no budget).

python -m tests.benchmarks.chunk_cost [chunks]

One answer of N chunks, each its own piece of the body (as a server's writes arrive), through the
core's whole path - SSE reader, JSON, the stream interpreter, key masking, the compare run and its
listeners - from an ``httpx.MockTransport``: no sockets, no HTTP parsing, no other process. Prints the
thread CPU per chunk (median of 7 answers) and, for scale, httpx's own cost of handing the same
pieces over. Every microsecond here is 16 ms of benchmark 2's run (16,000 chunks on one thread).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from collections.abc import AsyncIterator

import httpx

from playground.core.compare import CompareRequest, CompareRun, PaneSpec
from playground.core.openrouter import ClientConfig, OpenRouterClient
from tests.benchmarks.common import FAKE_KEY

MODEL = "bench/chunk"


def _event(data: object) -> bytes:
    return f"data: {json.dumps(data)}\n\n".encode()


def body(chunks: int) -> list[bytes]:
    """OpenRouter's usual chunk shape, then the finish with usage, then [DONE]."""
    pieces = [
        _event(
            {
                "id": "gen-1",
                "provider": "Bench",
                "model": MODEL,
                "object": "chat.completion.chunk",
                "choices": [
                    {
                        "index": 0,
                        "delta": {"role": "assistant", "content": f" word{i}"},
                        "finish_reason": None,
                    }
                ],
            }
        )
        for i in range(chunks)
    ]
    usage = {"prompt_tokens": 1, "completion_tokens": chunks, "total_tokens": chunks + 1}
    pieces.append(
        _event(
            {
                "id": "gen-1",
                "model": MODEL,
                "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
                "usage": usage,
            }
        )
    )
    pieces.append(b"data: [DONE]\n\n")
    return pieces


class _Pieces(httpx.AsyncByteStream):
    def __init__(self, pieces: list[bytes]) -> None:
        self._pieces = pieces

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self._pieces:
            yield piece


def _transport(pieces: list[bytes]) -> httpx.MockTransport:
    def handler(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=_Pieces(pieces))

    return httpx.MockTransport(handler)


async def core_answer(pieces: list[bytes]) -> float:
    """Thread CPU for one answer through the core's whole path."""
    config = ClientConfig(base_url="http://127.0.0.1:9/api/v1")
    async with OpenRouterClient(FAKE_KEY, config, transport=_transport(pieces)) as client:
        run = CompareRun(client, CompareRequest("go", (PaneSpec(MODEL),)))
        start = time.thread_time()
        run.start()
        await run.wait()
        spent = time.thread_time() - start
    assert run.all_complete, run.results[0].state
    return spent


async def httpx_alone(pieces: list[bytes]) -> float:
    """Thread CPU for httpx handing the same pieces over, nothing done with them."""
    async with httpx.AsyncClient(transport=_transport(pieces)) as client:
        start = time.thread_time()
        async with client.stream("POST", "http://127.0.0.1:9/chat") as response:
            async for _piece in response.aiter_raw():
                pass
        return time.thread_time() - start


async def measure(chunks: int, runs: int = 7) -> tuple[float, float]:
    pieces = body(chunks)
    await core_answer(pieces)  # warm-up
    core = statistics.median([await core_answer(pieces) for _ in range(runs)])
    bare = statistics.median([await httpx_alone(pieces) for _ in range(runs)])
    return core / chunks * 1e6, bare / chunks * 1e6


def main(argv: list[str]) -> int:
    chunks = int(argv[0]) if argv else 16_000
    core, bare = asyncio.run(measure(chunks))
    print(f"core's path: {core:.2f} us a chunk; httpx alone handing the pieces over: {bare:.2f} us")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
