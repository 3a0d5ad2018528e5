"""Argument types shared by the subcommands: every number is finite and in range, every id non-empty.

argparse names the flag in its message ("argument --temperature: ..."), so a bad value is a usage
error (exit code 2) that says which argument, never an internal error later on.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

# SQLite's integer range: a larger run id cannot exist and would overflow the query.
MAX_ID = 2**63 - 1
MAX_TOKENS = 2**31 - 1
MAX_PRICE_PER_M = Decimal(1_000_000)  # USD per million tokens: far above any real price


def number(low: float, high: float | None) -> Callable[[str], float]:
    """A finite float between ``low`` and ``high`` (``nan``, ``inf`` and ``1e400`` are refused)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"not a finite number: {text!r}")
        _check_range(text, value, low, high)
        return value

    return parse


def integer(low: int, high: int) -> Callable[[str], int]:
    """A whole number between ``low`` and ``high``."""

    def parse(text: str) -> int:
        try:
            value = int(text.strip(), 10) if len(text) <= 40 else None
        except ValueError:
            value = None
        if value is None:
            raise argparse.ArgumentTypeError(f"not a whole number: {_short(text)!r}")
        _check_range(_short(text), value, low, high)
        return value

    return parse


def run_id(text: str) -> int:
    """A history run id: a whole number from 1 up to SQLite's largest integer."""
    return integer(1, MAX_ID)(text)


def price(text: str) -> Decimal:
    """USD per million tokens: a plain non-negative amount, at most a million."""
    try:
        value = Decimal(text.strip().lstrip("$")) if len(text) <= 40 else None
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise argparse.ArgumentTypeError(f"not a number of US dollars per million tokens: {_short(text)!r}")
    _check_range(_short(text), value, 0, MAX_PRICE_PER_M)
    return value


def model_id(text: str) -> str:
    """A model id as typed: not empty, no spaces or control characters."""
    cleaned = text.strip()
    if not cleaned:
        raise argparse.ArgumentTypeError("a model id cannot be empty (e.g. -m openai/gpt-4o-mini)")
    if any(ch.isspace() or not ch.isprintable() for ch in cleaned) or len(cleaned) > 200:
        raise argparse.ArgumentTypeError(f"not a model id: {_short(cleaned)!r}")
    return cleaned


def _check_range(
    text: str, value: float | Decimal, low: float | Decimal, high: float | Decimal | None
) -> None:
    if value < low or (high is not None and value > high):
        allowed = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise argparse.ArgumentTypeError(f"{text} is out of range ({allowed})")


def _short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[:width] + "..."
