"""A pane's answer is kept as one string once it ends, and never as thousands of small ones while it
streams; the text is exactly what arrived, in order."""

from __future__ import annotations

import io

from playground.commands.compare_view import LiveView
from playground.core.compare import JOIN_PARTS, CompareRequest, CompareRun, PaneEvent, PaneResult, PaneSpec
from playground.core.events import Delta, Finished, Reasoning
from playground.simulator import Behaviour, Simulator
from tests.conftest import run
from tests.core.helpers import client_for

ANSWER = "".join(f"word{i} " for i in range(3 * JOIN_PARTS))


def test_a_finished_answer_is_one_string_and_a_streaming_one_few(sim: Simulator) -> None:
    sim.set_default("sim/quick-mini", Behaviour(text=ANSWER, tokens_per_second=0, ttft=0))
    request = CompareRequest("hi", (PaneSpec("sim/quick-mini"), PaneSpec("sim/quick-mini")))
    most_parts = 0

    async def go() -> CompareRun:
        async with client_for(sim) as client:
            comparison = CompareRun(client, request)

            def on_event(pane_event: PaneEvent) -> None:
                nonlocal most_parts
                most_parts = max(most_parts, *(len(r.text_parts) for r in comparison.results))

            comparison.add_listener(on_event)
            comparison.start()
            await comparison.wait()
            return comparison

    comparison = run(go())
    for result in comparison.results:
        assert result.text_parts == [ANSWER] and result.text == ANSWER
        assert result.chunks > 2 * JOIN_PARTS  # every token arrived as its own piece
    assert most_parts <= JOIN_PARTS


def test_reading_the_text_mid_stream_keeps_every_later_piece_in_order() -> None:
    result = PaneResult("a/b")
    for i in range(JOIN_PARTS + 10):
        result.apply(Delta(f"{i},"))
        if i % 300 == 0:
            assert result.text == "".join(f"{n}," for n in range(i + 1))
    result.apply(Reasoning("thought "))
    result.apply(Reasoning("more"))
    result.apply(Finished("a/b", "stop"))
    assert result.text_parts == ["".join(f"{n}," for n in range(JOIN_PARTS + 10))]
    assert result.reasoning_parts == ["thought more"]


def test_the_live_status_line_counts_every_token_however_the_answer_is_kept() -> None:
    out = io.StringIO()
    view = LiveView(out)
    result = PaneResult("sim/quick-mini")
    for _ in range(JOIN_PARTS + 476):
        result.apply(Delta("tok "))
    result.apply(Reasoning("hmm", chunks=4))
    view.tick([result])
    assert "1504 tokens" in out.getvalue()
