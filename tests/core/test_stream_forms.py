"""Every stream form of OPENROUTER.md, served by the real simulator over loopback."""

from __future__ import annotations

import pytest

from playground.core.events import Failed, FailureKind, Finished, Started
from playground.simulator import FAULTS, Behaviour, Simulator
from tests.core.helpers import SleepRecorder, collect, last, reasoning_of, text_of, usage_of

ANSWER = "Hello there, **world**!\n\n```python\nprint('hi')\n```\n"


def test_complete_answer_has_text_usage_and_figures(sim: Simulator) -> None:
    sim.script("sim/quick-mini", Behaviour(text=ANSWER))
    events = collect(sim, "sim/quick-mini")
    assert isinstance(events[0], Started)
    assert text_of(events) == ANSWER
    end = last(events)
    assert isinstance(end, Finished) and end.complete and end.finish_reason == "stop"
    assert end.served_model == "sim/quick-mini" and end.provider == "Simulated Labs"
    assert end.generation_id and end.generation_id.startswith("gen-")
    assert end.ttft is not None and end.duration >= end.ttft
    usage = usage_of(events)
    assert usage is not None and usage.completion_tokens and usage.cost is not None and usage.cost > 0


@pytest.mark.parametrize("usage_form", ["empty_choices", "one_choice"])
def test_usage_chunk_with_empty_or_one_empty_choice(sim: Simulator, usage_form: str) -> None:
    sim.script("sim/quick-mini", Behaviour(text="a b c", usage_form=usage_form))
    events = collect(sim, "sim/quick-mini")
    usage = usage_of(events)
    assert usage is not None and usage.completion_tokens == 3
    assert text_of(events) == "a b c"


def test_crlf_line_endings_and_keepalives_between_events(sim: Simulator) -> None:
    sim.script("sim/quick-mini", Behaviour(text=ANSWER, crlf=True, keepalive=True))
    events = collect(sim, "sim/quick-mini")
    assert text_of(events) == ANSWER
    assert isinstance(last(events), Finished)


def test_multibyte_characters_split_across_writes(sim: Simulator) -> None:
    text = "café naïve 日本語 🚀 " * 5
    sim.script("sim/quick-mini", Behaviour(text=text, split_utf8=True))
    events = collect(sim, "sim/quick-mini")
    assert text_of(events) == text


def test_reasoning_is_kept_apart_from_the_answer(sim: Simulator) -> None:
    events = collect(sim, "sim/deep-reasoner", "Why is the sky blue?")
    assert "The user asks about Why is the sky blue?" in reasoning_of(events)
    assert "The user asks" not in text_of(events)
    usage = usage_of(events)
    assert usage is not None and usage.reasoning_tokens


def test_finish_without_done_is_complete(sim: Simulator) -> None:
    sim.script("sim/quick-mini", Behaviour(text="x y", end="no_done"))
    end = last(collect(sim, "sim/quick-mini"))
    assert isinstance(end, Finished) and end.complete


def test_stream_ending_without_finish_or_done_is_truncated(sim: Simulator) -> None:
    sim.script("sim/quick-mini", Behaviour(text="one two three four", end="truncate", end_after=2))
    events = collect(sim, "sim/quick-mini")
    end = last(events)
    assert isinstance(end, Finished) and end.truncated and not end.complete
    assert text_of(events) == "one two"


def test_disconnect_mid_answer_fails_with_the_partial_text_kept(sim: Simulator) -> None:
    sim.script("sim/quick-mini", Behaviour(text="one two three four", end="disconnect", end_after=2))
    events = collect(sim, "sim/quick-mini")
    end = last(events)
    assert isinstance(end, Failed) and end.kind == FailureKind.DISCONNECTED and end.partial
    assert text_of(events) == "one two"
    assert len(sim.chat_requests()) == 1, "a stream that delivered tokens is never retried"


def test_malformed_chunk_fails_cleanly(sim: Simulator) -> None:
    sim.script("sim/quick-mini", Behaviour(text="a b c d", end="malformed", end_after=2))
    end = last(collect(sim, "sim/quick-mini"))
    assert isinstance(end, Failed) and end.kind == FailureKind.MALFORMED
    assert "malformed" in end.message and "{" not in end.message


def test_stall_beyond_idle_timeout_fails_as_timeout(sim: Simulator) -> None:
    sim.script("sim/quick-mini", Behaviour(text="a b c d", end="stall", end_after=2, stall_seconds=5))
    events = collect(sim, "sim/quick-mini", idle_timeout=0.3)
    end = last(events)
    assert isinstance(end, Failed) and end.kind == FailureKind.TIMEOUT
    assert "no data from the server" in end.message
    assert text_of(events) == "a b"


@pytest.mark.parametrize(
    ("variant", "code", "status", "kind"),
    [
        (1, 502, 502, FailureKind.SERVER),
        (2, "server_error", 500, FailureKind.SERVER),
        (3, 429, 429, FailureKind.RATE_LIMITED),
        (4, None, None, FailureKind.STREAM_ERROR),
    ],
)
def test_in_stream_error_forms(
    sim: Simulator, variant: int, code: object, status: int | None, kind: FailureKind
) -> None:
    sim.script(
        "sim/quick-mini",
        Behaviour(text="a b c d e", end="stream_error", error_variant=variant, end_after=3, error_code=code),
    )  # type: ignore[arg-type]
    events = collect(sim, "sim/quick-mini")
    end = last(events)
    assert isinstance(end, Failed)
    assert end.kind == kind and end.status == status and end.partial
    assert end.message.startswith("sim/quick-mini: ")
    assert text_of(events) == "a b c"


def test_html_page_with_status_200_is_reported_as_wrong_content(sim: Simulator) -> None:
    end = last(collect(sim, "fault/html"))
    assert isinstance(end, Failed) and end.kind == FailureKind.WRONG_CONTENT
    assert "text/html" in end.message and "<html>" not in end.message


def test_one_megabyte_chunk(sim: Simulator) -> None:
    big = "x" * (1024 * 1024)
    sim.script("sim/quick-mini", Behaviour(text=big))
    events = collect(sim, "sim/quick-mini")
    assert text_of(events) == big


def test_gzip_encoded_stream(sim: Simulator) -> None:
    sim.script("sim/quick-mini", Behaviour(text=ANSWER, gzip=True))
    events = collect(sim, "sim/quick-mini")
    assert text_of(events) == ANSWER and isinstance(last(events), Finished)


def test_max_tokens_cut_reports_length(sim: Simulator) -> None:
    from playground.core.request import ChatParams, ChatRequest
    from tests.conftest import run
    from tests.core.helpers import client_for

    async def go() -> list:
        async with client_for(sim) as client:
            request = ChatRequest.simple("sim/quick-mini", "hi", params=ChatParams(max_tokens=5))
            return [e async for e in client.stream_chat(request)]

    end = last(run(go()))
    assert isinstance(end, Finished) and end.finish_reason == "length" and end.complete


@pytest.mark.parametrize(
    ("name", "status", "kind", "words"),
    [
        ("400", 400, FailureKind.BAD_REQUEST, "not a valid model ID"),
        ("401", 401, FailureKind.AUTH, "rejected the API key"),
        ("402", 402, FailureKind.CREDITS, "not enough credits"),
        ("403", 403, FailureKind.FORBIDDEN, "moderation (403): harassment, violence"),
        ("403-limit", 403, FailureKind.FORBIDDEN, "spending limit"),
        ("404", 404, FailureKind.NOT_FOUND, "model not available"),
        ("413", 413, FailureKind.BAD_REQUEST, "too large"),
        ("422", 422, FailureKind.BAD_REQUEST, "(422)"),
    ],
)
def test_http_errors_are_not_retried_and_read_plainly(
    sim: Simulator, name: str, status: int, kind: FailureKind, words: str
) -> None:
    end = last(collect(sim, f"fault/{name}"))
    assert isinstance(end, Failed)
    assert (end.status, end.kind) == (status, kind)
    assert words in end.message and end.message.startswith(f"fault/{name}: ")
    assert f"HTTP {status}" in end.detail
    assert len(sim.chat_requests()) == 1


def test_every_named_fault_ends_in_exactly_one_terminal_event(sim: Simulator) -> None:
    for name in FAULTS:
        if name in ("stall", "slow", "429"):
            continue
        sim.set_default(f"fault/{name}", FAULTS[name])
        events = collect(sim, f"fault/{name}", sleep=SleepRecorder())
        last(events)  # asserts exactly one Finished/Failed, and that it is the last event


def test_unknown_model_reports_the_servers_words(sim: Simulator) -> None:
    end = last(collect(sim, "nobody/nothing"))
    assert isinstance(end, Failed) and "nobody/nothing is not a valid model ID" in end.message
