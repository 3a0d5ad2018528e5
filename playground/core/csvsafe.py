"""The one CSV writer every CSV export uses.

A cell that starts with ``= + - @`` (or a tab or CR) is a live formula in a spreadsheet - an answer
from a server could run ``=HYPERLINK(...)`` or worse when the file is opened - so such text cells
are prefixed with ``'`` (shown, not evaluated). Numbers (and plain numeric text) are kept.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any, TextIO

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?([eE][+-]?\d+)?")


def csv_cell(value: Any) -> Any:
    """A cell a spreadsheet shows as text: formulas escaped; numbers (and plain numeric text) kept."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


class SafeCsvWriter:
    """``csv.writer`` whose every text cell passes through ``csv_cell``."""

    def __init__(self, out: TextIO) -> None:
        self._writer = csv.writer(out)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([csv_cell(cell) for cell in row])
