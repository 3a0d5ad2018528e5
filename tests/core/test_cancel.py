"""Stopping a stream closes its connection at once and leaves nothing behind."""

from __future__ import annotations

import asyncio
import time

from playground.core.compare import CompareRequest, CompareRun, PaneSpec, PaneState
from playground.core.events import Delta
from playground.core.request import ChatRequest
from playground.simulator import Behaviour, Simulator
from tests.conftest import run
from tests.core.helpers import client_for

SLOW = Behaviour(text="word " * 400, tokens_per_second=50, ttft=0)


# Sent until the test stops it: the connection can close only because the client closed it.
ENDLESS = Behaviour(text="word " * 400, tokens_per_second=50, ttft=0, end="stall", end_after=50)


async def _wait_for(predicate, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    """Until ``predicate()`` holds; the timeout only keeps a broken build from hanging the suite."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.002)


def test_cancelling_a_stream_closes_the_connection_at_once(sim: Simulator) -> None:
    """Not at the end of the answer, nor at the idle timeout: the server would send for an hour."""
    sim.set_default("sim/quick-mini", ENDLESS)

    async def go() -> None:
        async with client_for(sim, idle_timeout=3600) as client:
            deltas = 0

            async def consume() -> None:
                nonlocal deltas
                async for event in client.stream_chat(ChatRequest.simple("sim/quick-mini", "hi")):
                    deltas += isinstance(event, Delta)

            task = asyncio.create_task(consume())
            await _wait_for(lambda: deltas >= 3)
            assert sim.open_connections == 1
            task.cancel()
            await _wait_for(lambda: sim.open_connections == 0)
            assert task.cancelled() or task.done()
            assert {t for t in asyncio.all_tasks() if t is not asyncio.current_task()} == set()

    run(go())


def test_breaking_out_of_a_stream_early_closes_it(sim: Simulator) -> None:
    sim.set_default("sim/quick-mini", SLOW)

    async def go() -> None:
        async with client_for(sim) as client:
            stream = client.stream_chat(ChatRequest.simple("sim/quick-mini", "hi"))
            async for event in stream:
                if isinstance(event, Delta):
                    break
            await stream.aclose()
            await _wait_for(lambda: sim.open_connections == 0)

    run(go())


def test_stopping_one_pane_leaves_the_others_running(sim: Simulator) -> None:
    sim.set_default("sim/balanced-pro", SLOW)
    request = CompareRequest(
        "hi", (PaneSpec("sim/quick-mini"), PaneSpec("sim/balanced-pro"), PaneSpec("sim/open-llama:free"))
    )

    async def go() -> CompareRun:
        async with client_for(sim) as client:
            comparison = CompareRun(client, request)
            comparison.start()
            await _wait_for(lambda: comparison.results[1].state is PaneState.STREAMING)
            comparison.cancel(1)
            await comparison.wait()
            return comparison

    comparison = run(go())
    states = [r.state for r in comparison.results]
    assert states == [PaneState.DONE, PaneState.STOPPED, PaneState.DONE]
    assert comparison.results[1].text.startswith("word")
    assert not comparison.all_complete


def test_stop_all_then_retry_one(sim: Simulator) -> None:
    sim.set_default("sim/quick-mini", SLOW)
    sim.set_default("sim/balanced-pro", SLOW)
    request = CompareRequest("hi", (PaneSpec("sim/quick-mini"), PaneSpec("sim/balanced-pro")))

    async def go() -> CompareRun:
        async with client_for(sim) as client:
            comparison = CompareRun(client, request)
            comparison.start()
            await _wait_for(lambda: all(r.state is PaneState.STREAMING for r in comparison.results))
            comparison.cancel_all()
            await comparison.wait()
            assert [r.state for r in comparison.results] == [PaneState.STOPPED] * 2
            sim.set_default("sim/quick-mini", Behaviour(text="again"))
            comparison.retry(0)
            await comparison.wait()
            await _wait_for(lambda: sim.open_connections == 0)
            return comparison

    comparison = run(go())
    assert comparison.results[0].state is PaneState.DONE and comparison.results[0].text == "again"
    assert comparison.results[1].state is PaneState.STOPPED
