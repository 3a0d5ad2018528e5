"""The comparison on screen, exported by the same code as history (``playground.core.history.export``).

A live comparison is first put in the shape history keeps (``record_from_comparison``), so its JSON
has the same field names as ``playground history export --format json`` (one run, ``id`` null) and
the same masking of keys. ``SafeCsvWriter`` / ``csv_cell`` (formula escaping) are kept importable
from here for the other CSV exports.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from playground.core.csvsafe import SafeCsvWriter, csv_cell

if TYPE_CHECKING:  # the CSV writer's users (the leaderboard) need no comparison code
    from playground.core.compare import CompareRequest, PaneResult

__all__ = ["SafeCsvWriter", "csv_cell", "to_json", "to_markdown"]


def to_json(request: CompareRequest, results: Sequence[PaneResult]) -> str:
    """The comparison as one run object, with history's field names."""
    from playground.core.history.export import run_json
    from playground.core.report import record_from_comparison

    data = run_json(record_from_comparison(request, results))
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def to_markdown(request: CompareRequest, results: Sequence[PaneResult]) -> str:
    """The comparison as history's Markdown for one run."""
    from playground.core.history.export import export_runs
    from playground.core.report import record_from_comparison

    return export_runs([record_from_comparison(request, results)], "md")
