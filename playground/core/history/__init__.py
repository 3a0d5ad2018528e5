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

from playground.core.history.db import (
    SQLITE_CORRUPT,
    SQLITE_NOTADB,
    HistoryError,
    HistoryUnavailable,
    is_damage,
    unavailable,
)
from playground.core.history.export import CSV_COLUMNS, FORMATS, export_runs
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
