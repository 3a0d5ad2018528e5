"""The real client and CompareRun against a hostile server on loopback (tests/hostile.py): every
answer ends in one final state, within limits, with the text so far kept and the key never shown."""

from __future__ import annotations

import dataclasses
import json
import tracemalloc
from collections.abc import Iterator
from typing import Any

import pytest

from playground.core.compare import CompareRequest, CompareRun, PaneSpec, PaneState
from playground.core.errors import ApiError
from playground.core.events import Delta, Failed, FailureKind, Finished, Retrying, StreamEvent
from playground.core.openrouter import ClientConfig, OpenRouterClient
from playground.core.request import ChatRequest
from playground.core.retry import RetryPolicy
from tests.conftest import FAKE_KEY, run
from tests.core.helpers import SleepRecorder, last, text_of, usage_of
from tests.hostile import HostileServer, gzip_of, status

MB = 1024 * 1024


@pytest.fixture
def server() -> Iterator[HostileServer]:
    with HostileServer() as hostile:
        yield hostile


def client(server: HostileServer, sleep: SleepRecorder | None = None, **limits: Any) -> OpenRouterClient:
    config = ClientConfig(base_url=server.base_url, **limits)
    return OpenRouterClient(
        FAKE_KEY, config, retry=RetryPolicy(rng=lambda: 1.0), sleep=sleep or SleepRecorder()
    )


def stream(server: HostileServer, behaviour: str, **limits: Any) -> list[StreamEvent]:
    async def go() -> list[StreamEvent]:
        async with client(server, **limits) as c:
            return [e async for e in c.stream_chat(ChatRequest.simple(f"hostile/{behaviour}", "hi"))]

    return run(go())


def compare(server: HostileServer, *behaviours: str, **limits: Any) -> CompareRun:
    async def go() -> CompareRun:
        async with client(server, **limits) as c:
            panes = tuple(PaneSpec(f"hostile/{b}") for b in behaviours)
            compare_run = CompareRun(c, CompareRequest("hi", panes))
            compare_run.start()
            await compare_run.wait()
            return compare_run

    return run(go())


def failure(events: list[StreamEvent]) -> Failed:
    end = last(events)
    assert isinstance(end, Failed), end
    return end


def test_a_gzip_bomb_stops_at_the_answer_limit_in_bounded_memory(server: HostileServer) -> None:
    tracemalloc.start()
    try:
        events = stream(server, "gzip-bomb", max_answer_bytes=48 * MB)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    end = failure(events)
    assert end.kind == FailureKind.TOO_LARGE and "answer too large - stopped" in end.message
    assert peak < 16 * MB  # 48 MB were inflated, never held at once


def test_a_50_mb_line_is_cut_at_the_line_limit_and_the_text_so_far_kept(server: HostileServer) -> None:
    events = stream(server, "huge-line", max_line_bytes=1 * MB)
    end = failure(events)
    assert end.kind == FailureKind.TOO_LARGE and "in one line" in end.message
    assert end.partial and "text so far is kept" in end.message
    assert text_of(events) == "start "


def test_an_endless_answer_ends_in_one_final_state_with_its_text_kept(server: HostileServer) -> None:
    done = compare(server, "endless", "fine", max_answer_bytes=2 * MB)
    endless, fine = done.results
    assert endless.state is PaneState.FAILED and endless.failed is not None
    assert endless.failed.kind == FailureKind.TOO_LARGE
    assert endless.text.startswith("first word word") and len(endless.text) > 100_000
    assert fine.state is PaneState.DONE and fine.text == "all good"


def test_a_byte_a_second_sender_ends_at_the_keepalive_limit(server: HostileServer) -> None:
    events = stream(server, "slow-bytes", keepalive_limit=1.0)
    end = failure(events)
    assert end.kind == FailureKind.TIMEOUT
    assert "sent only a trickle of bytes and no answer for 1 s - stopped waiting" in end.message
    assert text_of(events) == "so far " and end.partial and "text so far is kept" in end.message


def test_an_answer_that_drips_forever_ends_at_the_answer_deadline(server: HostileServer) -> None:
    events = stream(server, "drip", answer_deadline=2.0)
    end = failure(events)
    assert end.kind == FailureKind.TIMEOUT and "the answer took longer than 2 s - stopped" in end.message
    assert text_of(events).startswith("drop drop") and end.partial


def test_headers_sent_a_byte_at_a_time_end_at_the_answer_deadline(server: HostileServer) -> None:
    end = failure(stream(server, "slow-headers", answer_deadline=1.0))
    assert end.kind == FailureKind.TIMEOUT and "the answer took longer than 1 s - stopped" in end.message


def test_trickled_json_and_non_streamed_answers_end_at_the_deadline_too(server: HostileServer) -> None:
    from tests.hostile import slow_json

    server.answer("/models", slow_json)

    async def go() -> tuple[ApiError, list[StreamEvent]]:
        async with client(server, answer_deadline=1.0) as c:
            with pytest.raises(ApiError) as caught:
                await c.models()
            return caught.value, await c.complete(ChatRequest.simple("hostile/slow-bytes", "hi"))

    error, events = run(go())
    assert error.kind == FailureKind.TIMEOUT and "took longer than 1 s to answer - stopped" in str(error)
    end = failure(events)
    assert end.kind == FailureKind.TIMEOUT and "the answer took longer than 1 s - stopped" in end.message


def test_endless_keepalives_end_at_the_keepalive_limit(server: HostileServer) -> None:
    events = stream(server, "keepalives", keepalive_limit=0.3)
    end = failure(events)
    assert end.kind == FailureKind.TIMEOUT and "only keep-alive signals" in end.message
    assert not end.partial and text_of(events) == ""
    # By default the limit is half the answer's deadline: a longer deadline waits longer for both.
    by_default = failure(stream(server, "keepalives", answer_deadline=4.0))
    assert "only keep-alive signals and no answer for 2 s" in by_default.message


def test_a_key_echoed_in_the_answer_is_masked_even_split_across_chunks(server: HostileServer) -> None:
    events = stream(server, "echo-key")
    assert isinstance(last(events), Finished)
    text = text_of(events)
    assert FAKE_KEY not in text and FAKE_KEY[9:20] not in text
    assert "Your key is sk-or-v1-111...111 - thanks" in text
    assert text.startswith("\x1b]0;title\x07") and text.endswith(
        "\x1b[2J"
    )  # exact text: escaping is the view's


def test_absurd_usage_figures_read_as_unknown_and_the_answer_stays_complete(server: HostileServer) -> None:
    done = compare(server, "absurd-usage", "negative-cost")
    absurd, negative = done.results
    assert absurd.state is PaneState.DONE and absurd.text == "a fine answer"
    assert absurd.usage is not None
    figures = dataclasses.astuple(absurd.usage)[:6]
    assert figures == (None, None, None, None, None, None)
    assert negative.state is PaneState.DONE and negative.cost is None
    assert negative.usage is not None and negative.usage.prompt_tokens == 3


def test_deep_nesting_fails_that_answer_only_with_a_clear_message(server: HostileServer) -> None:
    done = compare(server, "deep", "fine")
    deep, fine = done.results
    assert deep.state is PaneState.FAILED and deep.failed is not None
    assert deep.failed.kind == FailureKind.MALFORMED and "nested too deeply" in deep.failed.message
    assert deep.text == "before "
    assert fine.state is PaneState.DONE


def test_a_deeply_nested_error_body_is_still_a_plain_server_error(server: HostileServer) -> None:
    sleep = SleepRecorder()

    async def go() -> list[StreamEvent]:
        async with client(server, sleep) as c:
            return [e async for e in c.stream_chat(ChatRequest.simple("hostile/deep-error", "hi"))]

    end = failure(run(go()))
    assert end.kind == FailureKind.SERVER and "server error (500)" in end.message


def test_a_redirect_carrying_the_key_is_not_followed_and_names_no_url(server: HostileServer) -> None:
    end = failure(stream(server, "redirect"))
    assert end.kind == FailureKind.REDIRECT and end.status == 307
    for shown in (end.message, end.detail):
        assert FAKE_KEY not in shown and "key=" not in shown and "elsewhere" not in shown
    assert len(server.seen) == 1  # nobody went to the Location

    server.answer("/key", status(307, "moved", location=f"http://elsewhere.example/?key={FAKE_KEY}"))

    async def check() -> ApiError:
        async with client(server) as c:
            with pytest.raises(ApiError) as caught:
                await c.key_info()
            return caught.value

    error = run(check())
    assert error.kind == FailureKind.REDIRECT and FAKE_KEY not in str(error) and "key=" not in str(error)


def test_a_huge_retry_hint_is_a_rate_limit_message_not_an_internal_error(server: HostileServer) -> None:
    sleep = SleepRecorder()

    async def go() -> list[StreamEvent]:
        async with client(server, sleep) as c:
            return [e async for e in c.stream_chat(ChatRequest.simple("hostile/huge-retry", "hi"))]

    end = failure(run(go()))
    assert end.kind == FailureKind.RATE_LIMITED
    assert "asks to wait more than a day" in end.message and sleep.delays == []


def test_409_is_retried_like_429(server: HostileServer) -> None:
    server.queue["fine"] = [status(409, "conflict", **{"retry-after": "1"})]
    sleep = SleepRecorder()

    async def go() -> list[StreamEvent]:
        async with client(server, sleep) as c:
            return [e async for e in c.stream_chat(ChatRequest.simple("hostile/fine", "hi"))]

    events = run(go())
    assert isinstance(last(events), Finished) and text_of(events) == "all good"
    assert [e.status for e in events if isinstance(e, Retrying)] == [409] and sleep.delays == [1.0]


def test_json_bodies_are_bounded_too(server: HostileServer) -> None:
    from tests.hostile import bomb_json

    server.answer("/key", bomb_json)
    server.answer("/models", gzip_of(b'{"data": [' + b'{"id": "a/b"}, ' * 200_000 + b'{"id": "c/d"}]}'))
    server.answer("/credits", gzip_of(b'{"data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"))

    async def go() -> list[ApiError]:
        errors = []
        async with client(server, max_json_bytes=1 * MB) as c:
            for call in (c.key_info, c.models, c.credits):
                with pytest.raises(ApiError) as caught:
                    await call()
                errors.append(caught.value)
        return errors

    key, models, credits = run(go())
    assert key.kind == FailureKind.TOO_LARGE and "larger than 1 MB" in str(key)
    assert models.kind == FailureKind.TOO_LARGE
    assert credits.kind == FailureKind.MALFORMED and "nested too deeply" in str(credits)


def test_usage_comes_through_when_the_figures_are_sane(server: HostileServer) -> None:
    events = stream(server, "negative-cost")
    usage = usage_of(events)
    assert usage is not None and (usage.prompt_tokens, usage.completion_tokens, usage.cost) == (3, 2, None)
    assert not any(isinstance(e, Delta) and not e.text for e in events)


def test_a_key_inside_a_json_body_is_masked_before_anything_reads_it(server: HostileServer) -> None:
    model = {"id": "evil/model", "name": f"Echo {FAKE_KEY}", "description": f"Bearer {FAKE_KEY}"}
    server.answer("/models", gzip_of(json.dumps({"data": [model]}).encode()))
    server.answer("/key", gzip_of(json.dumps({"data": {"label": FAKE_KEY, "usage": -3}}).encode()))

    async def go() -> tuple[list[Any], Any]:
        async with client(server) as c:
            return await c.models(), await c.key_info()

    models, info = run(go())
    assert FAKE_KEY not in json.dumps(models) and models[0]["name"] == "Echo sk-or-v1-111...111"
    assert info.label == "sk-or-v1-111...111" and info.usage is None
