"""Listeners that only need a pane's end (history, the piped CLI view) get exactly one final event per
pane - a finished, a failed and a stopped one - and are not called for every token."""

from __future__ import annotations

import asyncio

from playground.core.compare import CompareRequest, CompareRun, PaneEvent, PaneSpec, Stopped
from playground.core.events import Delta, Failed, Finished
from playground.simulator import Behaviour, Simulator
from tests.conftest import run
from tests.core.helpers import client_for

SLOW = Behaviour(text="word " * 400, tokens_per_second=50, ttft=0)


def test_ends_only_listeners_see_each_panes_final_event_once(sim: Simulator) -> None:
    sim.set_default("sim/balanced-pro", SLOW)
    request = CompareRequest(
        "hi", (PaneSpec("sim/quick-mini"), PaneSpec("sim/balanced-pro"), PaneSpec("fault/401"))
    )
    every: list[PaneEvent] = []
    ends: list[PaneEvent] = []
    removed: list[PaneEvent] = []

    async def go() -> None:
        streaming = asyncio.Event()

        def on_every(pane_event: PaneEvent) -> None:
            every.append(pane_event)
            if pane_event.pane == 1 and type(pane_event.event) is Delta:
                streaming.set()

        async with client_for(sim) as client:
            comparison = CompareRun(client, request)
            comparison.add_listener(on_every)
            comparison.add_listener(ends.append, ends_only=True)
            comparison.add_listener(removed.append, ends_only=True)
            comparison.remove_listener(removed.append)
            comparison.start()
            await streaming.wait()
            comparison.cancel(1)
            await comparison.wait()

    run(go())
    finals = {e.pane: type(e.event) for e in ends}
    assert len(ends) == 3 and finals == {0: Finished, 1: Stopped, 2: Failed}
    assert [e for e in every if type(e.event) in (Finished, Failed, Stopped)] == ends
    assert sum(type(e.event) is Delta for e in every) > 3  # the others did see the tokens
    assert removed == []
