"""Money, time and size formatting shared by the command line and the window."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # a type only: ``playground --help`` must not load the catalog
    from playground.core.catalog import ModelInfo


def usd(value: Decimal | None, *, digits: int = 6) -> str:
    if value is None:
        return "-"
    if value == 0:
        return "$0"
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return f"${text}"


def per_million(model: ModelInfo, which: str) -> str:
    if model.variable_pricing:
        return "variable"
    value = model.prompt_per_million if which == "prompt" else model.completion_per_million
    if value is None:
        return "local" if model.id.startswith("@") else "?"  # another endpoint's model: no prices
    return "free" if value == 0 else price(value)


def price(value: Decimal) -> str:
    """A per-million price: at least two decimals, more only when they matter ($0.60, $0.075)."""
    text = f"{value:.4f}".rstrip("0")
    whole, _, decimals = text.partition(".")
    return f"${whole}.{decimals.ljust(2, '0')}"


def seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}s"


def number(value: int | float | None, fmt: str = "{:,}") -> str:
    return "-" if value is None else fmt.format(value)


def context(value: int | None) -> str:
    if value is None:
        return "?"
    if value >= 1_000_000:
        return f"{value / 1_000_000:g}M"
    return f"{value // 1000}k" if value >= 1000 else str(value)
