"""Retries: only before the first token, only 408/429/5xx/connection errors, never sooner than asked."""

from __future__ import annotations

import socket
import time

import pytest

from playground.core.events import Failed, FailureKind, Finished, Retrying
from playground.core.openrouter import ClientConfig, OpenRouterClient
from playground.core.request import ChatRequest
from playground.core.retry import RetryPolicy, parse_retry_after, server_wait_hint
from playground.simulator import FAULTS, Behaviour, Simulator
from tests.conftest import FAKE_KEY, run
from tests.core.helpers import SleepRecorder, collect, last, text_of


@pytest.mark.parametrize("status", ["408", "500", "502", "503", "524", "529"])
def test_retryable_statuses_are_tried_three_times(sim: Simulator, status: str) -> None:
    sleep = SleepRecorder()
    events = collect(sim, f"fault/{status}", sleep=sleep)
    retries = [e for e in events if isinstance(e, Retrying)]
    assert [r.attempt for r in retries] == [2, 3]
    end = last(events)
    assert isinstance(end, Failed) and end.attempts == 3 and end.status == int(status)
    assert len(sim.chat_requests()) == 3
    assert sleep.delays == [0.5, 1.0]  # backoff with the jitter pinned at its top


def test_recovers_when_a_retry_succeeds(sim: Simulator) -> None:
    sim.script("sim/quick-mini", FAULTS["503"], FAULTS["502"], Behaviour(text="fine"))
    events = collect(sim, "sim/quick-mini", sleep=SleepRecorder())
    assert text_of(events) == "fine"
    assert isinstance(last(events), Finished)


@pytest.mark.parametrize("status", ["400", "401", "402", "403", "404", "413", "422"])
def test_client_errors_are_never_retried(sim: Simulator, status: str) -> None:
    sleep = SleepRecorder()
    events = collect(sim, f"fault/{status}", sleep=sleep)
    assert not [e for e in events if isinstance(e, Retrying)]
    assert len(sim.chat_requests()) == 1 and sleep.delays == []


def test_retry_after_header_is_honoured_in_real_time(sim: Simulator) -> None:
    sim.script("sim/quick-mini", FAULTS["429"], Behaviour(text="ok"))
    events = collect(sim, "sim/quick-mini", retry=RetryPolicy(base_delay=0.01, rng=lambda: 0.0))
    retry = next(e for e in events if isinstance(e, Retrying))
    assert retry.delay >= 1.0 and "rate limited (429)" in retry.reason
    first, second = sim.chat_requests()
    assert second.time - first.time >= 1.0
    assert text_of(events) == "ok"


def test_metadata_retry_after_seconds_is_honoured(sim: Simulator) -> None:
    upstream = Behaviour(
        status=429, error_message="Upstream rate limited", error_metadata={"retry_after_seconds": 7}
    )
    sim.script("sim/quick-mini", upstream, Behaviour(text="ok"))
    sleep = SleepRecorder()
    collect(sim, "sim/quick-mini", sleep=sleep)
    assert sleep.delays == [7.0]


def test_a_wait_longer_than_a_minute_is_reported_not_slept(sim: Simulator) -> None:
    sim.script(
        "sim/quick-mini", Behaviour(status=429, error_message="slow down", headers=(("Retry-After", "120"),))
    )
    sleep = SleepRecorder()
    events = collect(sim, "sim/quick-mini", sleep=sleep)
    end = last(events)
    assert isinstance(end, Failed) and end.kind == FailureKind.RATE_LIMITED
    assert "wait 120 s" in end.message and sleep.delays == []
    assert len(sim.chat_requests()) == 1


def test_stream_errors_after_tokens_are_not_retried(sim: Simulator) -> None:
    sim.script("sim/quick-mini", FAULTS["stream-error"])
    events = collect(sim, "sim/quick-mini", sleep=SleepRecorder())
    assert isinstance(last(events), Failed) and len(sim.chat_requests()) == 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_connection_refused_is_retried_then_reported_as_network() -> None:
    sleep = SleepRecorder()
    config = ClientConfig(base_url=f"http://127.0.0.1:{_free_port()}/api/v1")

    async def go() -> list:
        async with OpenRouterClient(FAKE_KEY, config, sleep=sleep) as client:
            return [e async for e in client.stream_chat(ChatRequest.simple("a/b", "hi"))]

    events = run(go())
    end = last(events)
    assert isinstance(end, Failed) and end.kind == FailureKind.NETWORK and end.attempts == 3
    assert "could not reach the server" in end.message and len(sleep.delays) == 2


def test_backoff_grows_with_jitter_and_a_cap() -> None:
    low = RetryPolicy(rng=lambda: 0.0, base_delay=1, max_delay=5)
    high = RetryPolicy(rng=lambda: 1.0, base_delay=1, max_delay=5)
    assert [high.backoff(n) for n in (1, 2, 3, 4, 5)] == [1, 2, 4, 5, 5]
    assert [low.backoff(n) for n in (1, 2, 3)] == [0.5, 1, 2]
    assert high.delay(1, server_hint=9) == 9


def test_retry_after_forms() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None
    now = time.time()
    mirrored = {
        "metadata": {"headers": {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str((now + 14) * 1000)}}
    }
    hint = server_wait_hint({}, mirrored, now=now)
    assert hint is not None and 13.9 < hint < 14.1
