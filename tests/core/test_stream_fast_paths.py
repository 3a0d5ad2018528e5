"""The stream's fast paths say exactly what the general paths say.

Each streamed chunk is read by a shortcut for its usual shape: the SSE reader takes a piece holding
exactly one ``data:`` event without splitting it into lines, and the JSON of a chunk goes to the
parser's scanner without ``json.loads``'s wrapping. Whatever the bytes, the result must be the one
the general path gives: the same events, the same values, the same errors.
"""

from __future__ import annotations

import asyncio
import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from playground.core import servertext
from playground.core.openrouter.body import BodyLimitError, SSEReader
from playground.core.redact import register_secret
from playground.core.servertext import ServerJSONError, loads_fast

MAX_LINE = 200

# ----- the SSE reader ---------------------------------------------------------------------------

payloads = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=40
)
line_ends = st.sampled_from([b"\n", b"\r\n", b"\r"])


@st.composite
def sse_streams(draw: Any) -> bytes:
    """Events as servers frame them: data lines (with or without the space, several in one event),
    comments, other fields, any line ending, the odd over-long line."""
    parts = []
    for _ in range(draw(st.integers(0, 6))):
        end = draw(line_ends) if draw(st.booleans()) else b"\n"
        kind = draw(st.sampled_from(["data", "data", "data", "two", "comment", "field", "long", "bare"]))
        text = draw(payloads).encode()
        if kind == "data":
            space = b" " if draw(st.booleans()) else b""
            parts.append(b"data:" + space + text + end + end)
        elif kind == "two":
            parts.append(b"data: " + text + end + b"data:" + text + end + end)
        elif kind == "comment":
            parts.append(b": keep-alive" + end)
        elif kind == "field":
            parts.append(b"event: x" + end + b"data: " + text + end + end)
        elif kind == "long":
            parts.append(b"data: " + b"x" * (MAX_LINE + 1) + end + end)
        else:
            parts.append(b"data" + end + end)
    return b"".join(parts)


def read_all(stream: bytes, cuts: list[int]) -> tuple[list[str], bool]:
    """The events of ``stream`` fed in pieces cut at ``cuts``; and whether the line limit tripped."""
    reader, events = SSEReader(MAX_LINE), []
    bounds = sorted({c for c in cuts if 0 < c < len(stream)})
    pieces = [stream[a:b] for a, b in zip([0, *bounds], [*bounds, len(stream)], strict=True)]
    try:
        for piece in pieces:
            events.extend(reader.feed(piece))
    except BodyLimitError:
        return events, True
    return events, False


def event_pieces(stream: bytes) -> list[int]:
    """Cut after every blank line: each piece one whole event, as a server's writes arrive."""
    return [i + 2 for i in range(len(stream) - 1) if stream[i : i + 2] == b"\n\n"]


@settings(max_examples=300, deadline=None)
@given(stream=sse_streams(), cuts=st.lists(st.integers(0, 400), max_size=8))
def test_whole_event_pieces_read_as_a_byte_at_a_time(stream: bytes, cuts: list[int]) -> None:
    one_by_one = read_all(stream, list(range(len(stream))))  # never the shortcut: no piece is an event
    for framing in (event_pieces(stream), cuts):  # the shortcut wherever it applies; any other cuts
        events, tripped = read_all(stream, framing)
        assert tripped == one_by_one[1]
        if not tripped:  # (an over-long line fails the answer: what shared its piece is not read)
            assert events == one_by_one[0]


def test_the_shortcut_reads_the_usual_piece() -> None:
    reader = SSEReader(MAX_LINE)
    reader.keepalives = 3
    assert reader.feed(b'data: {"a": "\xc3\xa9"}\n\n') == ['{"a": "é"}']
    assert reader.keepalives == 0  # an event came: the keep-alives so far no longer count
    assert reader.feed(b"data:{}\n\n") == ["{}"]
    assert reader.feed(b"data: " + b"\xff" + b"\n\n") == ["\ufffd"]  # bad UTF-8 is replaced, as ever
    with pytest.raises(BodyLimitError):
        reader.feed(b"data: " + b"x" * MAX_LINE + b"\n\n")


# ----- the JSON of a chunk ----------------------------------------------------------------------


def outcome(fn: Any, text: str) -> tuple[str, str]:
    try:
        value = fn(text)
    except ServerJSONError as exc:
        return "error", str(exc)
    return "value", repr(_nan_free(value))


def _nan_free(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    if isinstance(value, dict):
        return {k: _nan_free(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nan_free(v) for v in value]
    return value


json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=10),
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=10,
)
texts = st.one_of(
    st.builds(json.dumps, json_values),
    st.builds(
        lambda v, a, b: a + json.dumps(v) + b,
        json_values,
        st.sampled_from(["", " ", "\n", "\ufeff"]),
        st.sampled_from(["", " ", "\t\n", "x", "}", ",1"]),
    ),
    st.sampled_from(
        ['{"n": ' + "9" * 5000 + "}", '{"s": "\\ud800"}', '["\\uDC00x"]', "[" * 5000, "", " ", "{"]
    ),
    st.text(max_size=30),
)


@settings(max_examples=500, deadline=None)
@given(text=texts)
def test_a_chunk_s_json_reads_as_json_loads_reads_it(text: str) -> None:
    fast = outcome(loads_fast, text)
    assert fast[0] == outcome(servertext._loads_plain, text)[0]
    if fast[0] == "value":
        assert fast == outcome(servertext._loads_plain, text)


# ----- the key masking of streamed text ---------------------------------------------------------


class GeneralMasker(servertext.AnswerMasker):
    """The masker without its shortcut for a chunk that holds no key: every chunk the whole way."""

    def feed(self, text: str) -> str:
        if self._held:
            text, self._held = self._held + text, ""
        return self._masked(text)


answer_bits = st.lists(
    st.sampled_from(
        [
            "sk-",
            "or-v1-",
            "abc123def456ghi",
            " the ",
            "s",
            "k",
            "SK-",
            "-",
            "ask",
            "\n",
            "x" * 30,
            "plain words",
        ]
    ),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(bits=answer_bits, secret=st.booleans())
def test_masking_a_chunk_without_a_key_changes_nothing_it_shows(bits: list[str], secret: bool) -> None:
    if secret:
        register_secret("abc123def456ghi")  # a key not shaped like sk-...
    fast, general = servertext.AnswerMasker(), GeneralMasker()
    assert [fast.feed(b) for b in bits] + [fast.flush()] == [general.feed(b) for b in bits] + [
        general.flush()
    ]


def test_the_chunk_cost_tool_streams_a_whole_answer() -> None:
    """``python -m tests.benchmarks.chunk_cost``: its answer goes the core's whole way and ends done."""
    from tests.benchmarks import chunk_cost

    core, bare = asyncio.run(chunk_cost.measure(200, runs=1))
    assert core > bare > 0  # the core's path does more than httpx handing the pieces over
    assert chunk_cost.main(["50"]) == 0
