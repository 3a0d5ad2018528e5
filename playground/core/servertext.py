"""Where text and figures from a server enter the core: parsed safely, bounded, keys masked.

Everything a server sends is untrusted. JSON is decoded with bounded numbers and no recursion
error escaping; strings pass through the one masking function (``redact``) before anything can
show, log, store or export them; figures are checked (finite, non-negative, bounded).
"""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from playground.core.redact import may_hold_key, redact

MAX_TOKENS_FIGURE = 10**9  # more tokens than any answer or prompt could hold: a wrong figure
MAX_COST_USD = Decimal(10_000)  # one answer costing more than this is a wrong figure, not a cost
MAX_WAIT_HINT = 86_400.0  # a server asking to wait more than a day is read as "a day"
_MAX_NUMBER_DIGITS = 40  # longer number literals are not figures; decoded as "unknown" (None)
_SHORT_TEXT = 300


class ServerJSONError(ValueError):
    """A body that is not JSON, or JSON nested too deeply to read safely."""


def _bounded_int(literal: str) -> int | float:
    # Python refuses to convert numbers over 4300 digits and a 400-digit count is no count anyway.
    return int(literal) if len(literal) <= _MAX_NUMBER_DIGITS else math.inf


def _bounded_float(literal: str) -> float:
    return float(literal) if len(literal) <= _MAX_NUMBER_DIGITS * 2 else math.inf


def _no_constant(_literal: str) -> None:
    return None  # NaN / Infinity are not JSON; read them as "no figure"


def loads(text: str | bytes) -> Any:
    """``json.loads`` for server text: huge numbers read as infinity, NaN as null, a lone surrogate
    as U+FFFD, and nesting too deep for the interpreter a ``ServerJSONError`` instead of a
    ``RecursionError``."""
    try:
        data = json.loads(
            text, parse_int=_bounded_int, parse_float=_bounded_float, parse_constant=_no_constant
        )
    except RecursionError:
        raise ServerJSONError("the server's JSON is nested too deeply to read") from None
    except ValueError as exc:  # json.JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise ServerJSONError(f"the server's answer is not valid JSON ({type(exc).__name__})") from None
    return _without_surrogates(text, data)


# The plain parser's own scanner (C), called directly: ``json.loads`` adds a type check, a BOM check
# and two whitespace scans in Python - about 0.7 us a chunk, a tenth of a streamed chunk's own cost.
_SCAN = json.JSONDecoder().scan_once  # type: ignore[attr-defined]  # set in __init__, not declared


def loads_fast(text: str) -> Any:
    """``loads`` for the stream's hot path: the plain parser first (figures are checked where they
    are read), the bounded one only for what the plain one refuses (a 5,000-digit number). The
    scanner alone reads the usual chunk; anything it does not settle by itself (white space around
    the value, an error to name) takes the whole path."""
    try:
        data, end = _SCAN(text, 0)
    except RecursionError:
        raise ServerJSONError("the server's JSON is nested too deeply to read") from None
    except (StopIteration, ValueError):
        return _loads_plain(text)
    if end != len(text):
        return _loads_plain(text)
    return data if "\\u" not in text else _without_surrogates(text, data)


def _loads_plain(text: str) -> Any:
    try:
        data = json.loads(text)
    except RecursionError:
        raise ServerJSONError("the server's JSON is nested too deeply to read") from None
    except ValueError:
        return loads(text)
    return _without_surrogates(text, data)


# JSON may spell a lone UTF-16 surrogate ("\ud800"): Python keeps it in the str, and every later
# encode (the terminal, the log, SQLite, a cache file) raises UnicodeEncodeError - an answer lost.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_surrogates(text: str | bytes, data: Any) -> Any:
    """``data`` with every lone surrogate in its strings (keys too) replaced by U+FFFD."""
    raw = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    if "\\u" not in raw or not _SURROGATE_ESCAPE.search(raw):
        return data  # the usual case: no escape at all (one scan in C), or none of a surrogate
    return _scrub(data)


def _clean(value: str) -> str:
    return _SURROGATE.sub("\ufffd", value)


def _scrub(data: Any) -> Any:
    # Iterative: the JSON may be nested as deep as the parser allows, deeper than a recursive walk.
    if isinstance(data, str):
        return _clean(data)
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key in list(item):
                value = item.pop(key)
                item[_clean(key) if isinstance(key, str) else key] = value
            pairs = list(item.items())
        elif isinstance(item, list):
            pairs = list(enumerate(item))
        else:
            continue
        for key, value in pairs:
            if isinstance(value, str):
                item[key] = _clean(value)
            elif isinstance(value, dict | list):
                stack.append(value)
    return data


def server_text(value: Any, limit: int = _SHORT_TEXT) -> str | None:
    """A short string from a server (a model id, a provider, a reason) masked and bounded; None
    when it is not a non-empty string."""
    if not isinstance(value, str) or not value:
        return None
    return redact(value[:limit])


def server_words(text: str, limit: int = 2000) -> str:
    """Longer server text (an error message, a header) masked and bounded."""
    cut = text[:limit]
    return redact(cut) + ("..." if len(text) > limit else "")


def token_figure(value: Any) -> int | None:
    """A token count: a non-negative int below an absurd bound; None for anything else."""
    if type(value) is not int or not 0 <= value <= MAX_TOKENS_FIGURE:
        return None
    return value


def cost_figure(value: Any) -> Decimal | None:
    """A cost in USD: finite, non-negative and bounded; None for anything else."""
    if value is None or isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    if isinstance(value, str) and len(value) > _MAX_NUMBER_DIGITS:
        return None
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    if not result.is_finite() or result < 0 or result > MAX_COST_USD:
        return None
    return result


def wait_figure(value: Any) -> float | None:
    """A wait in seconds a server asked for: non-negative, capped at a day; None if not a number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        seconds = float(value)
    except OverflowError:  # an int too big for a float: "a very long time"
        return MAX_WAIT_HINT
    if math.isnan(seconds):
        return None
    return min(max(0.0, seconds), MAX_WAIT_HINT)


# The start of something that may grow into a key in the next chunk: "s", "sk", "sk-...".
_KEY_TAIL = re.compile(r"(?<![A-Za-z0-9_\-])(?i:sk-[A-Za-z0-9_\-]*|sk?)\Z")
_WORD = re.compile(r"\S+")
_TAIL_ENDS = ("s", "k", "S", "K")  # the last letter of a held tail ("s", "sk"), in any case
_MAX_HELD = 512  # a "key" longer than this is masked in pieces; nothing waits for it forever


def _mask_words(text: str) -> str:
    # Word by word, so only key-shaped words change: the bearer rule of ``redact`` needs a space
    # and would otherwise turn "the bearer of" in an answer into "the bearer ***". Most chunks hold
    # no "sk-" and no registered secret: they are returned as they are without running ``redact``.
    if not may_hold_key(text) or redact(text) == text:
        return text
    return _WORD.sub(lambda m: redact(m.group(0)), text)


class AnswerMasker:
    """Masks keys in streamed answer text, even a key split across chunks: a chunk ending in what
    may be the start of a key holds that tail back until the next chunk (or the end) shows it."""

    def __init__(self) -> None:
        self._held = ""

    def feed(self, text: str) -> str:
        """What of ``text`` (after anything held) can be shown now, masked."""
        if self._held:
            text, self._held = self._held + text, ""
        elif not text.endswith(_TAIL_ENDS) and not may_hold_key(text):
            return text  # the usual chunk: no key in it, and no start of one to hold back
        return self._masked(text)

    def _masked(self, text: str) -> str:
        """``feed`` the whole way: the held-back tail, then the key masking (held text already in)."""
        # Only text ending in "s" or "k", or holding "sk-" (in any case), can end in the start of a
        # key: the regular expression runs for those alone.
        tail = None
        if text.endswith(_TAIL_ENDS) or ("-" in text and "sk-" in text.lower()):
            tail = _KEY_TAIL.search(text, max(0, len(text) - _MAX_HELD))
        if tail is not None:
            self._held = text[tail.start() :]
            text = text[: tail.start()]
        return _mask_words(text) if text else text

    def flush(self) -> str:
        """The held tail at the end of the answer, masked."""
        held, self._held = self._held, ""
        return _mask_words(held) if held else ""
