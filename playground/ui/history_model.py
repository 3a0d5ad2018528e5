"""RunListModel: past runs as a Qt table model, read a page at a time as the list scrolls.

The view never holds all runs: ``fetch(offset, limit)`` returns one page (already searched and filtered
in SQL), and Qt asks for the next page (``canFetchMore``/``fetchMore``) only when the user scrolls
to the end. A conversation's turns arrive together (the query orders them so); a follow-up's prompt
is indented under the run it continues, and the first run says how many turns there are.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from playground.core.errors import PlaygroundError
from playground.core.format import usd
from playground.ui.widgets import local_when

if TYPE_CHECKING:
    from playground.core.history import RunRecord

COLUMNS = ("When", "Template", "Case", "Models", "Outcome", "Cost", "Prompt")
PAGE = 100  # a few screens of rows; the next page is read when the list is scrolled to its end
Fetch = Callable[[int, int], "list[RunRecord]"]
Index = QModelIndex | QPersistentModelIndex


class RunListModel(QAbstractTableModel):
    """One row per run, a page at a time; ``Qt.UserRole`` on any cell is the run's id.

    Signals:
        failed(str): the next page could not be read (history unavailable); the list stays as it is.
    """

    failed = Signal(str)

    def __init__(self, fetch: Fetch, page: int = PAGE) -> None:
        super().__init__()
        self._fetch, self.page = fetch, page
        self.runs: list[RunRecord] = []
        self._more = False

    def reload(self, fetch: Fetch | None = None, *, keep: int = 0) -> None:
        """Read the list again from the start (new filters, or runs added); at least ``keep`` rows,
        so a list scrolled far down stays as long."""
        if fetch is not None:
            self._fetch = fetch
        wanted = max(self.page, keep)
        runs = self._fetch(0, wanted)
        self.beginResetModel()
        self.runs, self._more = runs, len(runs) >= wanted
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's own signature
        return 0 if parent.isValid() else len(self.runs)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.runs):
            return None
        run = self.runs[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(run, index.column())
        if role == Qt.ItemDataRole.UserRole:
            return run.id
        if role == Qt.ItemDataRole.TextAlignmentRole and COLUMNS[index.column()] == "Cost":
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter  # amounts line up
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == len(COLUMNS) - 1:
            return conversation_words(run)
        return None

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._more

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or not self._more:
            return
        try:
            more = self._fetch(len(self.runs), self.page)
        except PlaygroundError as exc:  # Qt called this: nothing may escape, say it instead
            self._more = False
            self.failed.emit(str(exc))
            return
        self._more = len(more) >= self.page
        if more:
            self.beginInsertRows(QModelIndex(), len(self.runs), len(self.runs) + len(more) - 1)
            self.runs.extend(more)
            self.endInsertRows()

    def row_of(self, run_id: int) -> int | None:
        for row, run in enumerate(self.runs):
            if run.id == run_id:
                return row
        return None


def cell_text(run: RunRecord, column: int) -> str:
    if column == 0:
        return local_when(run.created)
    if column == 1:
        return template_words(run)
    if column == 2:
        return run.case_name or ""
    if column == 3:
        return ", ".join(run.models)
    if column == 4:
        return run.outcome
    if column == 5:
        return usd(run.cost)
    return prompt_words(run)


def prompt_words(run: RunRecord) -> str:
    """The prompt on one line, marked when files went with it; a follow-up indented under its
    conversation's first run, which counts the turns."""
    mark = f"📎{run.attached} " if run.attached > 1 else "📎 " if run.attached else ""
    text = mark + " ".join(run.prompt.split())[:120]
    if run.turn > 1:
        return f"    ↳ {run.turn}. {text}"
    return f"💬{run.turns} {text}" if run.turns > 1 else text


def conversation_words(run: RunRecord) -> str | None:
    if run.turn > 1:
        return f"Turn {run.turn} of {run.turns} of a conversation (follows run {run.parent})"
    if run.turns > 1:
        return f"A conversation of {run.turns} turns; its follow-ups are listed below it"
    return None


def template_words(run: RunRecord) -> str:
    """The template and the version it was run at, as `templates show` names versions."""
    if not run.template:
        return ""
    return f"{run.template} @ {run.template_version}" if run.template_version else run.template
