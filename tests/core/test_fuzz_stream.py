"""Fuzzing the stream parser with hypothesis: random SSE byte streams (random framing, random JSON,
random usage blocks, random bytes, cut anywhere) through the real client over MockTransport.

Whatever arrives: no exception escapes, every answer ends in exactly one final state, figures
are sane or unknown, and memory stays bounded by the limits, not by what the server sends.
"""

from __future__ import annotations

import json
import math
import tracemalloc
from collections.abc import AsyncIterator
from decimal import Decimal

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playground.core.events import Failed, Finished, StreamEvent, Usage
from playground.core.openrouter import ClientConfig, OpenRouterClient
from playground.core.request import ChatRequest
from playground.core.servertext import MAX_COST_USD, MAX_TOKENS_FIGURE
from playground.core.stream import parse_usage
from tests.conftest import FAKE_KEY, run
from tests.core.helpers import SleepRecorder

_KB = 1024
_LIMITS = {"max_line_bytes": 16 * _KB, "max_answer_bytes": 256 * _KB}

figures = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["1e400", "-0", "NaN", "12", "0.0001", "9" * 60]),
    st.lists(st.integers(), max_size=2),
)
usage_blocks = st.fixed_dictionaries(
    {},
    optional={
        "prompt_tokens": figures,
        "completion_tokens": figures,
        "total_tokens": figures,
        "cost": figures,
        "prompt_tokens_details": st.one_of(figures, st.fixed_dictionaries({"cached_tokens": figures})),
        "completion_tokens_details": st.one_of(figures, st.fixed_dictionaries({"reasoning_tokens": figures})),
    },
)
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)
chunks = st.one_of(
    st.builds(lambda text: {"choices": [{"delta": {"content": text}}]}, st.text(max_size=30)),
    st.builds(lambda text: {"choices": [{"delta": {"reasoning": text}}]}, st.text(max_size=30)),
    st.builds(lambda usage: {"choices": [], "usage": usage}, usage_blocks),
    st.builds(
        lambda reason: {"choices": [{"delta": {}, "finish_reason": reason}]},
        st.sampled_from(["stop", "length", "error", None, 7]),
    ),
    st.builds(lambda code: {"error": {"code": code, "message": "bad"}}, figures),
    st.builds(lambda value: {"model": "x/y", "choices": value}, json_values),
    json_values,
)


def _frame(item: object) -> bytes:
    if isinstance(item, bytes):
        return item
    return b"data: " + json.dumps(item, allow_nan=True).encode() + b"\n\n"


pieces = st.one_of(
    chunks,
    st.binary(max_size=40),
    st.sampled_from(
        [
            b": OPENROUTER PROCESSING\n\n",
            b"data: [DONE]\n\n",
            b"\r\n",
            b"data: {\n",
            b"data: " + b"[" * 3000 + b"\n\n",
        ]
    ),
)


def _events(body: bytes, cuts: list[int], encoding: str | None = None) -> list[StreamEvent]:
    cut_points = sorted({c % (len(body) + 1) for c in cuts})

    async def parts() -> AsyncIterator[bytes]:
        start = 0
        for cut in [*cut_points, len(body)]:
            if cut > start:
                yield body[start:cut]
                start = cut

    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"content-type": "text/event-stream"}
        if encoding:
            headers["content-encoding"] = encoding
        return httpx.Response(200, headers=headers, content=parts())

    async def go() -> list[StreamEvent]:
        config = ClientConfig(base_url="https://openrouter.example/api/v1", **_LIMITS)
        transport = httpx.MockTransport(handler)
        async with OpenRouterClient(FAKE_KEY, config, transport=transport, sleep=SleepRecorder()) as client:
            return [e async for e in client.stream_chat(ChatRequest.simple("a/b", "hi"))]

    return run(go())


def _check_one_end(events: list[StreamEvent]) -> None:
    ends = [e for e in events if isinstance(e, Finished | Failed)]
    assert len(ends) == 1 and events[-1] is ends[0]


def _check_usage(usage: Usage) -> None:
    for count in (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens, usage.cached_tokens):
        assert count is None or (type(count) is int and 0 <= count <= MAX_TOKENS_FIGURE)
    assert usage.cost is None or (usage.cost.is_finite() and Decimal(0) <= usage.cost <= MAX_COST_USD)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(pieces, max_size=25), st.lists(st.integers(min_value=0), max_size=8), st.booleans())
def test_random_streams_end_in_exactly_one_final_state(
    items: list[object], cuts: list[int], gz: bool
) -> None:
    body = b"".join(_frame(item) for item in items)
    if gz:
        import gzip

        body = gzip.compress(body)
    events = _events(body, cuts, "gzip" if gz else None)
    _check_one_end(events)
    for event in events:
        if isinstance(event, Usage):
            _check_usage(event)


@settings(max_examples=300, deadline=None)
@given(usage_blocks)
def test_random_usage_blocks_give_sane_figures_or_unknown(block: dict[str, object]) -> None:
    _check_usage(parse_usage(block))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(min_value=1, max_value=4),
    st.binary(min_size=1, max_size=8).map(lambda b: b.replace(b"\r", b"r").replace(b"\n", b"n")),
)
def test_memory_stays_bounded_whatever_the_server_sends(megabytes: int, filler: bytes) -> None:
    line = b"data: " + filler * math.ceil(megabytes * 1024 * _KB / len(filler))  # no line end
    tracemalloc.start()
    try:
        events = _events(line, [i * 65536 for i in range(1, 80)])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    _check_one_end(events)
    assert isinstance(events[-1], Failed) and "answer too large" in events[-1].message
    assert peak < 8 * _LIMITS["max_answer_bytes"] + 65536 * 4  # the limits bound it, not the body
