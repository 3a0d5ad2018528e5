"""Money, time and size formatting shared by the command line and the window."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # a type only: ``playground --help`` must not load the catalog
    from playground.core.catalog import ModelInfo

TINY = Decimal("0.000001")  # below this an amount shows as "<$0.000001", not a run of zeros
HUGE = Decimal(10) ** 12  # from a server, unbounded: above a trillion, "$1.00e+15", not 40 digits


def usd(value: Decimal | float | int | None) -> str:
    """Money, the one way everywhere: "$12.50", "$1,234.00", "$0.12", "$0.0049", "-$0.50", "-" for None.

    Amounts of a dollar or more keep two decimals; smaller ones keep two significant digits (at
    least two decimals), so a $0.0049 answer does not read "$0.00". Rounding is half-up (cents).
    """
    if value is None:
        return "-"
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    if not amount.is_finite():
        return "-"
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    if amount == 0:
        return "$0.00"
    if amount >= HUGE:
        return f"{sign}${amount:.2e}"
    if amount < TINY:
        return f"{sign}<${TINY:f}"
    if amount < 1:
        digits = max(2, 1 - amount.adjusted())  # two significant digits
        rounded = amount.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
        if rounded < 1:
            text = f"{rounded:f}"
            whole, _, decimals = text.partition(".")
            return f"{sign}${whole}.{decimals.rstrip('0').ljust(2, '0')}"
        amount = rounded
    return f"{sign}${amount.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"


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
