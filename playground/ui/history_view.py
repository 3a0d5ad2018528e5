"""HistoryView: every past run, newest first; search, filter, open, re-run, delete, export, totals.

The list is a ``RunListModel`` read a page at a time; a keystroke in a filter waits for a short pause
(one query per pause, never one per key) and then reads one page through the search index. Totals
and the template choices are read when the view opens or history changes, not per keystroke.

Signals:
    openRequested(object): a RunRecord to show read-only in the compare layout.
    rerunRequested(object): a RunRecord to send again.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QDateTime, QItemSelectionModel, Qt, QTime, QTimer, Signal, SignalInstance
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from playground.core.errors import PlaygroundError
from playground.core.format import usd
from playground.ui.history_model import RunListModel
from playground.ui.session import Session
from playground.ui.widgets import date_format, empty_state, local_day, local_when, show_empty

if TYPE_CHECKING:
    from playground.core.history import RunRecord

EMPTY_HISTORY = (
    "No runs yet. Every prompt you send (Ctrl+Enter) is kept here with its answers, timings and cost:"
    " search them, open one again, re-run it or export it."
)
DEBOUNCE_MS = 120  # typing pauses longer than this between words; one query per pause
EXPORTS = "Markdown (*.md);;JSON (*.json);;CSV (*.csv);;HTML page (*.html)"


class HistoryView(QDockWidget):
    """A dock listing past runs."""

    openRequested = Signal(object)
    rerunRequested = Signal(object)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__("History", parent)
        self.setObjectName("historyView")
        self.setAccessibleName("History")
        self.session = session
        self.model = RunListModel(self._page)
        self.model.failed.connect(self._failed)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addLayout(self._filters())
        self.table = QTableView()
        self.table.setObjectName("historyTable")
        self.table.setAccessibleName("Past runs")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setWordWrap(False)  # one line a run: a date never breaks from its time
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.doubleClicked.connect(lambda _i: self._open())
        layout.addWidget(self.table, 1)
        self.emptyLabel = empty_state("historyEmpty")
        layout.addWidget(self.emptyLabel, 1)
        layout.addLayout(self._actions())
        self._follow_rows()
        self.totalsLabel = QLabel()
        self.totalsLabel.setObjectName("historyTotals")
        self.totalsLabel.setTextFormat(Qt.TextFormat.PlainText)
        self.totalsLabel.setWordWrap(True)
        layout.addWidget(self.totalsLabel)
        self.setWidget(body)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self._debounced)
        self._stale = False  # runs were added or deleted: the totals need reading again too
        session.historyChanged.connect(self._changed)

    def _filters(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.searchEdit = QLineEdit()
        self.searchEdit.setPlaceholderText("Search prompts and answers")
        self.searchEdit.setAccessibleName("Search history")
        self.templateBox = QComboBox()
        self.templateBox.setAccessibleName("Template filter")
        self.templateBox.setEditable(True)
        editor = self.templateBox.lineEdit()
        if editor is not None:  # always, once editable
            editor.setPlaceholderText("any template")
        self.modelEdit = QLineEdit()
        self.modelEdit.setPlaceholderText("model id")
        self.modelEdit.setAccessibleName("Model filter")
        self.outcomeBox = QComboBox()
        self.outcomeBox.setAccessibleName("Outcome filter")
        self.outcomeBox.addItems(["any outcome", "complete", "failed", "incomplete"])
        self.turnsBox = QCheckBox("Follow-ups")
        self.turnsBox.setObjectName("historyTurnsBox")
        self.turnsBox.setAccessibleName("Show each conversation's follow-up turns")
        self.turnsBox.setToolTip(
            "Unticked, each conversation is one row (its first run, with its turn count)"
        )
        self.turnsBox.setChecked(True)
        self.sinceBox = QCheckBox("Since")
        self.sinceBox.setAccessibleName("Only runs since a date")
        self.sinceDate = QDateEdit(QDate.currentDate().addDays(-7))
        self.sinceDate.setCalendarPopup(True)
        self.sinceDate.setDisplayFormat(date_format())  # the table's dates, in the same format
        self.sinceDate.setAccessibleName("Since date")
        for widget in (
            self.searchEdit,
            self.templateBox,
            self.modelEdit,
            self.outcomeBox,
            self.turnsBox,
            self.sinceBox,
            self.sinceDate,
        ):
            row.addWidget(widget, 2 if widget is self.searchEdit else 1)
        self.sinceBox.toggled.connect(self._debounce_start)
        self.sinceDate.dateChanged.connect(self._debounce_start)
        self.searchEdit.textChanged.connect(self._debounce_start)
        self.templateBox.currentTextChanged.connect(self._debounce_start)
        self.modelEdit.textChanged.connect(self._debounce_start)
        self.outcomeBox.currentIndexChanged.connect(self._debounce_start)
        self.turnsBox.toggled.connect(self._debounce_start)
        return row

    def _debounce_start(self) -> None:
        self._debounce.start()

    def _changed(self) -> None:
        if self.isVisible():  # a hidden view refreshes when it is shown
            self._stale = True
            self._debounce.start()

    def _debounced(self) -> None:
        if self._stale:
            self.refresh()
        else:
            self.apply_filters()

    def _actions(self) -> QHBoxLayout:
        row = QHBoxLayout()
        buttons = [
            ("Open", "openRunButton", self._open),
            ("Re-run", "rerunButton", self._rerun),
            ("Delete", "deleteRunButton", self._delete),
            ("Export...", "exportRunsButton", self._export),
        ]
        self.actionButtons: dict[str, QPushButton] = {}
        for text, name, slot in buttons:
            button = QPushButton(text)
            button.setObjectName(name)
            button.clicked.connect(lambda _checked=False, s=slot: s())  # not clicked's bool as an argument
            row.addWidget(button)
            self.actionButtons[name] = button
        row.addStretch(1)
        return row

    def _follow_rows(self) -> None:
        """The empty state and the buttons follow the rows listed and the selection."""
        for signal in (self.model.modelReset, self.model.rowsInserted, self.model.rowsRemoved):
            signal.connect(self._show_empty)
            signal.connect(self._update_actions)
        self.table.selectionModel().selectionChanged.connect(lambda _s, _d: self._update_actions())
        self._update_actions()

    def _update_actions(self) -> None:
        """Open, Re-run and Delete act on the selected runs; Export on those or all listed."""
        chosen = bool(self._selected_ids())
        for name in ("openRunButton", "rerunButton", "deleteRunButton"):
            self.actionButtons[name].setEnabled(chosen)
        self.actionButtons["exportRunsButton"].setEnabled(self.model.rowCount() > 0)

    @property
    def runs(self) -> list[RunRecord]:
        """The runs listed so far (more are read as the list scrolls)."""
        return self.model.runs

    def refresh(self) -> None:
        """Everything again: the list, the totals and the template choices (on open, after a change)."""
        self._stale = False
        if self._reload(keep=len(self.model.runs)):  # as far down as the list was scrolled
            self._totals()

    def apply_filters(self) -> bool:
        """The first page for the filters as they are now, the same runs kept selected: what a pause
        in typing runs (one query through the search index). False when history could not be read."""
        self.table.scrollToTop()  # new results are read from their first row
        return self._reload(keep=0)

    def _reload(self, *, keep: int) -> bool:
        chosen, current = self._selected_ids(), self._current_id()
        try:
            self.model.reload(keep=keep)
        except PlaygroundError as exc:
            self.totalsLabel.setText(str(exc))
            return False
        self._reselect(chosen, current)
        return True

    def _filtered(self) -> bool:
        return bool(
            self.searchEdit.text().strip()
            or self.templateBox.currentText().strip()
            or self.modelEdit.text().strip()
            or self.outcomeBox.currentIndex() > 0
            or self.sinceBox.isChecked()
        )

    def _show_empty(self) -> None:
        """No rows: say why and what to do, instead of an empty grid."""
        filtered = "No runs match these filters. Clear the search or a filter to see more."
        empty = "" if self.model.rowCount() else filtered if self._filtered() else EMPTY_HISTORY
        show_empty(self.table, self.emptyLabel, empty)

    def _failed(self, message: str) -> None:
        self.totalsLabel.setText(message)

    def _page(self, offset: int, limit: int) -> list[RunRecord]:
        outcome = self.outcomeBox.currentText()
        return self.session.runs.list_runs(
            search=self.searchEdit.text().strip(),
            template=self.templateBox.currentText().strip() or None,
            model=self.modelEdit.text().strip() or None,
            outcome=None if outcome == "any outcome" else outcome,
            since=self._since(),
            limit=limit,
            offset=offset,
            texts=False,
            order="conversation",
            first_turns=not self.turnsBox.isChecked(),
        )

    def _selected_ids(self) -> list[int]:
        """The ids of the selected runs, read from the rows themselves (not from row numbers)."""
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.runs[r].id for r in rows if r < len(self.model.runs)]

    def _current_id(self) -> int | None:
        row = self.table.currentIndex().row()
        return self.model.runs[row].id if 0 <= row < len(self.model.runs) else None

    def _reselect(self, ids: list[int], current: int | None) -> None:
        """After a refresh the same runs stay selected, wherever new runs moved their rows."""
        self.table.clearSelection()
        rows = {run.id: r for r, run in enumerate(self.model.runs)}
        model, flags = self.table.selectionModel(), QItemSelectionModel.SelectionFlag
        if current in rows:
            index = self.model.index(rows[current], 0)
            model.setCurrentIndex(index, flags.NoUpdate)
        for run_id in ids:
            if run_id in rows:
                index = self.model.index(rows[run_id], 0)
                model.select(index, flags.Select | flags.Rows)

    def _since(self) -> float | None:
        if not self.sinceBox.isChecked():
            return None
        return float(QDateTime(self.sinceDate.date(), QTime(0, 0)).toSecsSinceEpoch())

    def _totals(self) -> None:
        try:
            self._read_totals()
        except PlaygroundError as exc:
            self.totalsLabel.setText(str(exc))

    def _read_totals(self) -> None:
        runs = self.session.runs
        days = ", ".join(f"{local_day(day)} {usd(total)}" for day, total in runs.totals_per_day(7))
        per_model = runs.totals_per_model()
        models = ", ".join(f"{model} {usd(total)}" for model, total in per_model[:3])
        if len(per_model) > 3:  # the rest in Usage and spend: two short lines fit a small screen
            models += f" and {len(per_model) - 3} more (Compare > Usage and spend)"
        lines = [f"Cost per day: {days}" if days else "", f"Cost per model: {models}" if models else ""]
        self.totalsLabel.setText("\n".join(line for line in lines if line))  # nothing spent: no "-" lines
        templates = runs.templates_used()
        current = self.templateBox.currentText()
        self.templateBox.blockSignals(True)
        self.templateBox.clear()
        self.templateBox.addItems(["", *templates])
        self.templateBox.setEditText(current)
        self.templateBox.blockSignals(False)

    def selected(self) -> list[RunRecord]:
        by_id = {run.id: run for run in self.runs}
        return [by_id[i] for i in self._selected_ids() if i in by_id]

    def select_run(self, run_id: int) -> None:
        """Select the row of one run (by id)."""
        self._reselect([run_id], run_id)

    def _full(self, run: RunRecord) -> RunRecord:
        return self.session.runs.get(run.id)

    def _open(self) -> None:
        self._emit_full(self.openRequested)

    def _rerun(self) -> None:
        self._emit_full(self.rerunRequested)

    def _emit_full(self, signal: SignalInstance) -> None:
        chosen = self.selected()
        if not chosen:
            return
        try:
            run = self._full(chosen[0])
        except PlaygroundError as exc:  # deleted meanwhile (another window, the CLI) or unreadable
            self.refresh()
            self.totalsLabel.setText(f"{exc}\n{self.totalsLabel.text()}")
            return
        signal.emit(run)

    def _delete(self) -> None:
        """Ask first, naming the runs; the ones selected now are deleted, whatever lands meanwhile."""
        chosen = self.selected()
        if not chosen:
            return
        first = chosen[0]
        when = local_when(first.created)
        numbers = ", ".join(str(r.id) for r in chosen[:8]) + ("..." if len(chosen) > 8 else "")
        what = (
            f"run {first.id} from {when} ({', '.join(first.models)})"
            if len(chosen) == 1
            else f"{len(chosen)} runs ({numbers})"
        )
        box = QMessageBox(QMessageBox.Icon.Warning, "Delete from history", f"Delete {what}?", parent=self)
        box.setObjectName("deleteRunsBox")
        box.setTextFormat(Qt.TextFormat.PlainText)  # model ids are not markup
        box.setInformativeText("Its answers and figures are removed from history. This cannot be undone.")
        self.confirmDeleteButton = box.addButton("Delete", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        ids = [run.id for run in chosen]
        box.buttonClicked.connect(lambda b: self._confirmed(ids) if b is self.confirmDeleteButton else None)
        box.finished.connect(box.deleteLater)
        box.open()
        self.delete_box = box

    def _confirmed(self, ids: list[int]) -> None:
        deleted, problem = 0, ""
        for run_id in ids:
            try:
                self.session.runs.delete(run_id)
            except PlaygroundError as exc:  # said below; the runs not deleted stay listed
                problem = str(exc)
                break
            deleted += 1
        self.refresh()
        said = f"Deleted {deleted} run{'' if deleted == 1 else 's'} from history."
        if problem:
            said = f"{problem}\n" + (
                "Nothing was deleted." if not deleted else f"Deleted {deleted} of {len(ids)} runs."
            )
        self.totalsLabel.setText(f"{said}\n{self.totalsLabel.text()}")

    def _export(self, path: str | None = None) -> None:
        """The selected runs (or those listed) through the one exporter ``history export`` uses."""
        from playground.core.history.export import FORMATS

        if not (self.selected() or self.runs):
            return
        if path is None:
            path, _chosen = QFileDialog.getSaveFileName(self, "Export runs", "runs.md", EXPORTS)
        if not path:
            return
        fmt = path.rsplit(".", 1)[-1].lower()
        fmt = fmt if fmt in FORMATS else "md"
        try:
            runs = [self._full(r) for r in (self.selected() or self.runs)]
            self.session.runs.export(Path(path), runs, fmt)
        except PlaygroundError as exc:
            self.totalsLabel.setText(str(exc))
            return
        self.totalsLabel.setText(f"Exported {len(runs)} run(s) to {path}.")

    def showEvent(self, event: QShowEvent) -> None:
        self.refresh()
        super().showEvent(event)
