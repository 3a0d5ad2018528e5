"""Plain-text formatting shared by the subcommands: money, figures and aligned tables."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TextIO

from playground.core.format import context, number, per_million, seconds, usd

__all__ = ["context", "number", "per_million", "seconds", "table", "usd"]


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
