"""Byte-level robustness of stream decoding, with httpx.MockTransport and hypothesis."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playground.core.events import Delta, Failed, Finished, Reasoning, StreamEvent, Usage
from playground.core.openrouter import ClientConfig, OpenRouterClient
from playground.core.request import ChatRequest
from tests.conftest import FAKE_KEY, run
from tests.core.helpers import SleepRecorder


def _sse(obj: object) -> bytes:
    return b"data: " + json.dumps(obj, ensure_ascii=False).encode() + b"\n\n"


STREAM = b"".join(
    [
        b": OPENROUTER PROCESSING\n\n",
        _sse({"id": "gen-1", "model": "a/b", "choices": [{"delta": {"role": "assistant", "content": ""}}]}),
        _sse({"id": "gen-1", "choices": [{"delta": {"role": "assistant", "reasoning": "think 日本"}}]}),
        b": OPENROUTER PROCESSING\r\n\r\n",
        _sse({"id": "gen-1", "choices": [{"delta": {"role": "assistant", "content": "héllo "}}]}),
        _sse({"id": "gen-1", "choices": [{"delta": {"content": "wörld 🚀"}}]}),
        _sse(
            {
                "id": "gen-1",
                "choices": [{"delta": {}, "finish_reason": "stop", "native_finish_reason": "end"}],
            }
        ),
        _sse(
            {"id": "gen-1", "choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 4, "cost": 0.5}}
        ),
        b"data: [DONE]\n\n",
    ]
)


def _client(pieces: list[bytes], content_type: str = "text/event-stream") -> OpenRouterClient:
    async def body() -> AsyncIterator[bytes]:
        for piece in pieces:
            yield piece

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": content_type}, content=body())

    config = ClientConfig(base_url="https://openrouter.example/api/v1")
    return OpenRouterClient(FAKE_KEY, config, transport=httpx.MockTransport(handler), sleep=SleepRecorder())


def _events(pieces: list[bytes], content_type: str = "text/event-stream") -> list[StreamEvent]:
    async def go() -> list[StreamEvent]:
        async with _client(pieces, content_type) as client:
            return [e async for e in client.stream_chat(ChatRequest.simple("a/b", "hi"))]

    return run(go())


def _summary(events: list[StreamEvent]) -> tuple:
    text = "".join(e.text for e in events if isinstance(e, Delta))
    reasoning = "".join(e.text for e in events if isinstance(e, Reasoning))
    usage = [e for e in events if isinstance(e, Usage)]
    end = events[-1]
    assert isinstance(end, Finished)
    return text, reasoning, usage, end.finish_reason, end.native_finish_reason, end.truncated


def test_the_reference_stream() -> None:
    text, reasoning, usage, finish, native, truncated = _summary(_events([STREAM]))
    assert (text, reasoning, finish, native, truncated) == (
        "héllo wörld 🚀",
        "think 日本",
        "stop",
        "end",
        False,
    )
    assert usage[0].cost is not None and str(usage[0].cost) == "0.5"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(min_value=1, max_value=len(STREAM) - 1), max_size=40))
def test_any_split_into_network_chunks_gives_the_same_events(cuts: list[int]) -> None:
    points = sorted(set(cuts))
    pieces = [STREAM[a:b] for a, b in zip([0, *points], [*points, len(STREAM)], strict=True)]
    assert _summary(_events(pieces)) == _summary(_events([STREAM]))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600))
def test_arbitrary_bytes_give_events_or_a_typed_failure(blob: bytes) -> None:
    events = _events([blob])
    assert isinstance(events[-1], Finished | Failed)
    assert len([e for e in events if isinstance(e, Finished | Failed)]) == 1


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                b'data: {"choices": [{"delta": {"content": "x"}}]}\n\n',
                b'data: {"choices": 5}\n\n',
                b"data: [1, 2]\n\n",
                b'data: {"error": "flat"}\n\n',
                b": keepalive\n\n",
                b"data: \n\n",
                b"event: ping\n\n",
                b'data: {"usage": {"cost": "NaN"}}\n\n',
                b'data: {"choices": [{"finish_reason": 7}]}\n\n',
                b"retry: 10\n\n",
            ]
        ),
        max_size=12,
    )
)
def test_odd_but_framed_chunks_never_raise(chunks: list[bytes]) -> None:
    events = _events(chunks)
    assert isinstance(events[-1], Finished | Failed)


def test_http_200_with_an_error_body_as_json() -> None:
    body = json.dumps({"error": {"code": 502, "message": "Provider returned error"}}).encode()
    end = _events([body], "application/json")[-1]
    assert isinstance(end, Failed) and end.status == 502 and "502" in end.message
