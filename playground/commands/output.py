"""Plain-text formatting shared by the subcommands: money, figures and aligned tables."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from decimal import Decimal
from typing import TextIO

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
        return "?"
    return "free" if value == 0 else usd(value, digits=4)


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


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], out: TextIO | None = None) -> None:
    """An aligned table; numeric-looking columns are right-aligned."""
    out = out or sys.stdout
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    right = [all(_numeric(r[i]) for r in rows) and rows for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        parts = [
            c.rjust(w) if right[i] else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    out.write(line(headers) + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for row in rows:
        out.write(line(row) + "\n")


def _numeric(cell: str) -> bool:
    stripped = cell.strip().lstrip("$").rstrip("sk%M").replace(",", "").replace(".", "", 1)
    return cell.strip() == "-" or stripped.isdigit()
