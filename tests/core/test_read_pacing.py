"""Trickling answers read their sockets once a frame (the window's network thread), all at once.

A real loopback server sends the answer a piece at a time when the test says so; the pacer's frame
boundary is the test's ``release()`` (its own timer is set an hour away), so every step waits on an
event, never on the clock.
"""

from __future__ import annotations

import asyncio
import queue
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from playground.core.compare import CompareRequest, CompareRun, PaneSpec, PaneState
from playground.core.events import Delta
from playground.core.openrouter import ClientConfig, OpenRouterClient
from playground.core.openrouter.pacing import ReadPacer, unpaced
from playground.simulator import Simulator
from tests.conftest import FAKE_KEY, run
from tests.hostile import FINISH, HostileServer, Writer, _stream_head, delta
from tests.tls import self_signed_server_context

HOUR = 3600.0


class Script:
    """A server answer written piece by piece: ``send(bytes)`` from the test, ``None`` ends it."""

    def __init__(self) -> None:
        self.pieces: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self.written: queue.SimpleQueue[int] = queue.SimpleQueue()  # pieces on the wire so far

    async def __call__(self, server: HostileServer, writer: Writer, body: dict[str, Any]) -> None:
        await _stream_head(writer)
        count = 0
        while (piece := await asyncio.to_thread(self.pieces.get)) is not None:
            writer.write(piece)
            await writer.drain()
            count += 1
            self.written.put(count)

    async def send(self, *pieces: bytes) -> None:
        for piece in pieces:
            self.pieces.put(piece)
            await asyncio.to_thread(self.written.get)  # written and drained: in our socket now

    def end(self) -> None:
        self.pieces.put(None)


@pytest.fixture
def server() -> Iterator[HostileServer]:
    with HostileServer() as hostile:
        yield hostile


def paced_client(server: HostileServer, pacer: ReadPacer) -> OpenRouterClient:  # closed by the test
    client = OpenRouterClient(FAKE_KEY, ClientConfig(base_url=server.base_url))
    assert client.pace_streams(pacer)
    return client


async def until(condition: Callable[[], bool]) -> None:
    """Waits for ``condition`` (a stuck test fails on the guard, not on a time budget)."""
    async with asyncio.timeout(20):
        while not condition():
            await asyncio.sleep(0.002)


async def started(
    server: HostileServer, pacer: ReadPacer
) -> tuple[CompareRun, Script, list[tuple[str, int]]]:
    """A run of one pane on a paced client; ``seen``: each text with the boundaries passed when it came."""
    script = Script()
    server.queue["paced"] = [script]
    client = paced_client(server, pacer)
    run_ = CompareRun(client, CompareRequest("go", (PaneSpec("hostile/paced"),)))
    seen: list[tuple[str, int]] = []
    run_.add_listener(
        lambda e: seen.append((e.event.text, pacer.releases)) if type(e.event) is Delta else None
    )
    run_.start()
    return run_, script, seen


def scenario(body: Callable[[HostileServer, ReadPacer], Awaitable[None]], server: HostileServer) -> None:
    run(body(server, ReadPacer(interval=HOUR, gap=0.0)))


def test_the_first_chunk_is_delivered_without_waiting_for_a_frame(server: HostileServer) -> None:
    async def body(server: HostileServer, pacer: ReadPacer) -> None:
        run_, script, seen = await started(server, pacer)
        await script.send(delta("Hel"))
        await until(lambda: bool(seen))
        assert seen == [("Hel", 0)]  # no boundary passed: the first token is read as it comes
        run_.cancel_all()
        await run_.wait()
        script.end()
        await run_.client.aclose()  # type: ignore[attr-defined]

    scenario(body, server)


def test_chunks_arriving_within_a_frame_are_delivered_together_at_its_boundary(
    server: HostileServer,
) -> None:
    async def body(server: HostileServer, pacer: ReadPacer) -> None:
        run_, script, seen = await started(server, pacer)
        await script.send(delta("Hel"))
        await until(lambda: pacer.waiting == 1)  # the answer has begun: its next read waits
        await script.send(delta("lo"), delta(", "), delta("world"), FINISH)
        assert seen == [("Hel", 0)]  # four pieces in the socket, none read before the boundary
        pacer.release()
        await run_.wait()
        assert seen == [("Hel", 0), ("lo", 1), (", ", 1), ("world", 1)]  # all in one wake-up
        result = run_.results[0]
        assert result.state is PaneState.DONE and result.text == "Hello, world"
        assert pacer.releases == 1
        script.end()
        await run_.client.aclose()  # type: ignore[attr-defined]

    scenario(body, server)


def test_stopping_an_answer_that_waits_for_the_frame_is_immediate(server: HostileServer) -> None:
    async def body(server: HostileServer, pacer: ReadPacer) -> None:
        run_, script, _seen = await started(server, pacer)
        await script.send(delta("Hel"))
        await until(lambda: pacer.waiting == 1)
        run_.cancel(0)
        await run_.wait()  # no boundary needed: the wait ends with its task
        assert run_.results[0].state is PaneState.STOPPED
        assert pacer.releases == 0 and pacer.waiting == 0
        pacer.release()  # a boundary after the stop touches nothing
        script.end()
        await run_.client.aclose()  # type: ignore[attr-defined]

    scenario(body, server)


def test_other_answers_wait_for_the_same_boundary(server: HostileServer) -> None:
    async def body(server: HostileServer, pacer: ReadPacer) -> None:
        scripts = [Script(), Script()]
        server.queue["paced"] = list(scripts)
        client = paced_client(server, pacer)
        run_ = CompareRun(
            client, CompareRequest("go", (PaneSpec("hostile/paced"), PaneSpec("hostile/paced")))
        )
        run_.start()
        for script in scripts:
            await script.send(delta("a"))
        await until(lambda: pacer.waiting == 2)  # one timer for both
        for script in scripts:
            await script.send(delta("b"), FINISH)
        pacer.release()
        await run_.wait()
        assert [r.text for r in run_.results] == ["ab", "ab"]
        assert pacer.releases == 1
        for script in scripts:
            script.end()
        await client.aclose()

    scenario(body, server)


def test_a_client_that_is_not_paced_reads_every_chunk_as_it_comes(server: HostileServer) -> None:
    """The command line's clients: nothing waits for a frame."""

    async def body() -> None:
        script = Script()
        server.queue["paced"] = [script]
        client = OpenRouterClient(FAKE_KEY, ClientConfig(base_url=server.base_url))
        run_ = CompareRun(client, CompareRequest("go", (PaneSpec("hostile/paced"),)))
        seen: list[str] = []
        run_.add_listener(lambda e: seen.append(e.event.text) if type(e.event) is Delta else None)
        run_.start()
        for count, text in enumerate(["a", "b", "c"], 1):
            await script.send(delta(text))
            await until(lambda n=count: len(seen) == n)  # type: ignore[misc]  # paced, "b" would wait
        await script.send(FINISH)
        await run_.wait()
        script.end()
        await client.aclose()
        assert run_.results[0].state is PaneState.DONE and seen == ["a", "b", "c"]

    run(body())


def test_answers_run_unpaced_read_every_chunk_as_it_comes_on_a_paced_client(server: HostileServer) -> None:
    """The test matrix's answers (``unpaced``): on the window's paced clients, yet never held for a
    frame - holding each of 900 answers' end for up to a frame added about 2 s to a matrix run."""

    async def body(server: HostileServer, pacer: ReadPacer) -> None:
        script = Script()
        server.queue["paced"] = [script]
        client = paced_client(server, pacer)
        run_ = CompareRun(client, CompareRequest("go", (PaneSpec("hostile/paced"),)))
        seen: list[str] = []
        run_.add_listener(lambda e: seen.append(e.event.text) if type(e.event) is Delta else None)

        async def answers() -> None:
            run_.start()
            for count, text in enumerate(["a", "b", "c"], 1):
                await script.send(delta(text))
                await until(lambda n=count: len(seen) == n)  # type: ignore[misc]  # paced, "b" would wait
            await script.send(FINISH)
            await run_.wait()

        await unpaced(answers())
        script.end()
        await client.aclose()
        assert run_.results[0].state is PaneState.DONE and seen == ["a", "b", "c"]
        assert pacer.releases == 0 and pacer.waiting == 0

    scenario(body, server)


def test_a_stream_is_paced_only_while_it_trickles() -> None:
    pacer = ReadPacer()
    assert pacer.should_wait(200, 0.0125)  # a chunk every 12.5 ms: 80 tokens a second
    assert not pacer.should_wait(200, 0.0005)  # pieces back to back: full speed, never held
    assert not pacer.should_wait(64 * 1024, 0.02)  # a big read: a burst, read on at once


def test_a_paced_answer_over_tls_arrives_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The encrypted connection's socket is the one paced (a real TLS simulator, its own certificate)."""
    context = self_signed_server_context(tmp_path)
    (tmp_path / "cert.pem").replace(tmp_path / "trusted.pem")
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "trusted.pem"))
    pacer = ReadPacer(gap=0.0)  # its own frame timer: every small read after the first token waits

    async def answer(base_url: str, paced: bool) -> str:
        client = OpenRouterClient(FAKE_KEY, ClientConfig(base_url=base_url))
        assert not paced or client.pace_streams(pacer)
        run_ = CompareRun(client, CompareRequest("go", (PaneSpec("bench/30@200"),)))
        run_.start()
        await run_.wait()
        await client.aclose()
        assert run_.results[0].state is PaneState.DONE
        return run_.results[0].text

    async def body() -> None:
        with Simulator(time_scale=0, ssl_context=context, host="localhost") as tls:
            unpaced = await answer(tls.base_url, paced=False)
            assert pacer.releases == 0
            assert await answer(tls.base_url, paced=True) == unpaced  # nothing lost or reordered
        assert pacer.releases >= 1  # it was read at frame boundaries

    run(body())
