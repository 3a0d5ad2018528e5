"""Past runs, in one SQLite database (WAL), split by concern.

- ``db``: opening the file (0600), damage set aside, everything else reported as unavailable
- ``schema``: tables and numbered migrations (``PRAGMA user_version``); older files open
- ``records``: ``RunRecord``, ``AnswerRecord``, ``TemplateVersion``
- ``runs``: writing runs as they start and answers as they end; reading one back
- ``conversations``: which run a follow-up continues (turns grouped in lists)
- ``search``: FTS5 word search, filters and paging in SQL
- ``votes``, ``versions``, ``spend``: blind votes, template versions, cost totals
- ``testruns``: ``templates test`` runs (imported on use: it needs the evaluation code)
- ``export``: the one exporter (md, json, csv, html) for the window and the CLI
"""

from typing import TYPE_CHECKING, Any

from playground.core.history.db import (
    SQLITE_CORRUPT,
    SQLITE_NOTADB,
    HistoryError,
    HistoryUnavailable,
    is_damage,
    unavailable,
)
from playground.core.history.records import (
    UNFINISHED_NOTE,
    UNFINISHED_STATE,
    AnswerRecord,
    RunRecord,
    TemplateVersion,
)
from playground.core.history.schema import SCHEMA_VERSION
from playground.core.history.search import match_query
from playground.core.history.store import RunHistory

if TYPE_CHECKING:
    from playground.core.history.export import CSV_COLUMNS, FORMATS, export_runs

# The exporter (HTML, CSV, the leaderboard's figures) is imported on first use: recording a run from
# ``playground compare`` never needs it.
_EXPORT = frozenset({"CSV_COLUMNS", "FORMATS", "export_runs"})


def __getattr__(name: str) -> Any:
    if name in _EXPORT:
        from playground.core.history import export

        return getattr(export, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CSV_COLUMNS",
    "FORMATS",
    "SCHEMA_VERSION",
    "SQLITE_CORRUPT",
    "SQLITE_NOTADB",
    "UNFINISHED_NOTE",
    "UNFINISHED_STATE",
    "AnswerRecord",
    "HistoryError",
    "HistoryUnavailable",
    "RunHistory",
    "RunRecord",
    "TemplateVersion",
    "export_runs",
    "is_damage",
    "match_query",
    "unavailable",
]
