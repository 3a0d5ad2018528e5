"""Non-streaming chat, redirects that must not carry the key, and per-pane parameter overrides."""

from __future__ import annotations

from playground.core.compare import CompareRequest, PaneSpec
from playground.core.events import Delta, Failed, FailureKind, Finished, Usage
from playground.core.request import ChatParams, ChatRequest
from playground.simulator import Behaviour, Simulator
from tests.conftest import run
from tests.core.helpers import client_for, collect, last


def _complete(sim: Simulator, model: str) -> list:
    async def go() -> list:
        async with client_for(sim) as client:
            return await client.complete(ChatRequest.simple(model, "hi"))

    return run(go())


def test_non_streaming_answer_as_events(sim: Simulator) -> None:
    sim.script("sim/deep-reasoner", Behaviour(text="whole answer", reasoning="thinking"))
    events = _complete(sim, "sim/deep-reasoner")
    assert [type(e).__name__ for e in events] == ["Started", "Reasoning", "Delta", "Usage", "Finished"]
    assert next(e for e in events if isinstance(e, Delta)).text == "whole answer"
    usage = next(e for e in events if isinstance(e, Usage))
    assert usage.completion_tokens and usage.cost
    end = events[-1]
    assert isinstance(end, Finished) and end.finish_reason == "stop" and end.generation_id
    assert sim.chat_requests()[0].json()["stream"] is False


def test_non_streaming_http_200_with_an_error_body(sim: Simulator) -> None:
    sim.script(
        "sim/quick-mini",
        Behaviour(json_error_200=True, error_code=502, error_message="Provider returned error"),
    )
    (end,) = _complete(sim, "sim/quick-mini")
    assert isinstance(end, Failed) and end.status == 502 and "returned an error" in end.message


def test_non_streaming_errors_are_not_retried(sim: Simulator) -> None:
    (end,) = _complete(sim, "fault/503")
    assert isinstance(end, Failed) and end.status == 503 and len(sim.chat_requests()) == 1


def test_a_redirect_is_not_followed_so_the_key_stays_put() -> None:
    with (
        Simulator(time_scale=0) as elsewhere,
        Simulator(time_scale=0, redirect_to=elsewhere.base_url) as first,
    ):
        end = last(collect(first, "sim/quick-mini"))
        assert isinstance(end, Failed) and end.kind == FailureKind.REDIRECT
        assert "not followed" in end.message
        assert elsewhere.requests == []


def test_pane_overrides_win_over_shared_parameters() -> None:
    request = CompareRequest(
        "hi",
        (PaneSpec("a/b"), PaneSpec("c/d", ChatParams(temperature=0.1, seed=7))),
        params=ChatParams(temperature=0.9, max_tokens=40),
    )
    assert request.chat_request(0).body(stream=True) | {} == {
        "model": "a/b",
        "messages": [{"role": "user", "content": "hi"}],
        "temperature": 0.9,
        "max_tokens": 40,
        "stream": True,
    }
    second = request.chat_request(1).body(stream=True)
    assert (second["temperature"], second["max_tokens"], second["seed"]) == (0.1, 40, 7)


def test_reasoning_effort_and_stop_are_sent_in_openrouter_shape() -> None:
    body = ChatRequest.simple("a/b", "hi", params=ChatParams(reasoning_effort="high", stop=("END",))).body(
        stream=True
    )
    assert body["reasoning"] == {"effort": "high"} and body["stop"] == ["END"]
