"""HistoryView: every past run, newest first; search, filter, open, re-run, delete, export, totals.

Signals:
    openRequested(object): a RunRecord to show read-only in the compare layout.
    rerunRequested(object): a RunRecord to send again.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QDateTime, QItemSelectionModel, Qt, QTime, QTimer, Signal, SignalInstance
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from playground.core.errors import PlaygroundError
from playground.core.format import usd
from playground.ui.session import Session

if TYPE_CHECKING:
    from playground.core.history import RunRecord

COLUMNS = ("When", "Template", "Case", "Models", "Outcome", "Cost", "Prompt")
SHOWN = 500


class HistoryView(QDockWidget):
    """A dock listing past runs."""

    openRequested = Signal(object)
    rerunRequested = Signal(object)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__("History", parent)
        self.setObjectName("historyView")
        self.setAccessibleName("History")
        self.session = session
        self.runs: list[RunRecord] = []
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addLayout(self._filters())
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("historyTable")
        self.table.setAccessibleName("Past runs")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda _i: self._open())
        layout.addWidget(self.table, 1)
        layout.addLayout(self._actions())
        self.totalsLabel = QLabel()
        self.totalsLabel.setObjectName("historyTotals")
        self.totalsLabel.setTextFormat(Qt.TextFormat.PlainText)
        self.totalsLabel.setWordWrap(True)
        layout.addWidget(self.totalsLabel)
        self.setWidget(body)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(120)
        self._debounce.timeout.connect(self.refresh)
        session.historyChanged.connect(self._changed)

    def _filters(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.searchEdit = QLineEdit()
        self.searchEdit.setPlaceholderText("Search prompts and answers")
        self.searchEdit.setAccessibleName("Search history")
        self.templateBox = QComboBox()
        self.templateBox.setAccessibleName("Template filter")
        self.templateBox.setEditable(True)
        self.templateBox.lineEdit().setPlaceholderText("any template")
        self.modelEdit = QLineEdit()
        self.modelEdit.setPlaceholderText("model id")
        self.modelEdit.setAccessibleName("Model filter")
        self.outcomeBox = QComboBox()
        self.outcomeBox.setAccessibleName("Outcome filter")
        self.outcomeBox.addItems(["any outcome", "complete", "failed", "incomplete"])
        self.sinceBox = QCheckBox("Since")
        self.sinceBox.setAccessibleName("Only runs since a date")
        self.sinceDate = QDateEdit(QDate.currentDate().addDays(-7))
        self.sinceDate.setCalendarPopup(True)
        self.sinceDate.setAccessibleName("Since date")
        for widget in (
            self.searchEdit,
            self.templateBox,
            self.modelEdit,
            self.outcomeBox,
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
        return row

    def _debounce_start(self) -> None:
        self._debounce.start()

    def _changed(self) -> None:
        if self.isVisible():  # a hidden view refreshes when it is shown
            self._debounce.start()

    def _actions(self) -> QHBoxLayout:
        row = QHBoxLayout()
        buttons = [
            ("Open", "openRunButton", self._open),
            ("Re-run", "rerunButton", self._rerun),
            ("Delete", "deleteRunButton", self._delete),
            ("Export...", "exportRunsButton", self._export),
        ]
        for text, name, slot in buttons:
            button = QPushButton(text)
            button.setObjectName(name)
            button.clicked.connect(lambda _checked=False, s=slot: s())  # not clicked's bool as an argument
            row.addWidget(button)
        row.addStretch(1)
        return row

    def refresh(self) -> None:
        outcome = self.outcomeBox.currentText()
        try:
            self.runs = self.session.runs(
                search=self.searchEdit.text().strip(),
                template=self.templateBox.currentText().strip() or None,
                model=self.modelEdit.text().strip() or None,
                outcome=None if outcome == "any outcome" else outcome,
                since=self._since(),
                limit=SHOWN,
                texts=False,
            )
        except PlaygroundError as exc:
            self.totalsLabel.setText(str(exc))
            return
        chosen, current = self._selected_ids(), self._current_id()
        self.table.setRowCount(len(self.runs))
        for r, run in enumerate(self.runs):
            cells = [
                time.strftime("%Y-%m-%d %H:%M", time.localtime(run.created)),
                _template_words(run),
                run.case_name or "",
                ", ".join(run.models),
                run.outcome,
                usd(run.cost),
                _prompt_words(run),
            ]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, run.id)
                self.table.setItem(r, c, item)
        self._reselect(chosen, current)
        self._totals()

    def _selected_ids(self) -> list[int]:
        """The ids of the selected runs, read from the rows themselves (not from row numbers)."""
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        items = [self.table.item(r, 0) for r in rows]
        ids = [item.data(Qt.ItemDataRole.UserRole) for item in items if item is not None]
        return [i for i in ids if isinstance(i, int)]

    def _current_id(self) -> int | None:
        item = self.table.item(self.table.currentRow(), 0) if self.table.currentRow() >= 0 else None
        run_id = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return run_id if isinstance(run_id, int) else None

    def _reselect(self, ids: list[int], current: int | None) -> None:
        """After a refresh the same runs stay selected, wherever new runs moved their rows."""
        self.table.clearSelection()
        rows = {run.id: r for r, run in enumerate(self.runs)}
        model, flags = self.table.selectionModel(), QItemSelectionModel.SelectionFlag
        if current in rows:
            index = self.table.model().index(rows[current], 0)
            model.setCurrentIndex(index, flags.NoUpdate)
        for run_id in ids:
            if run_id in rows:
                index = self.table.model().index(rows[run_id], 0)
                model.select(index, flags.Select | flags.Rows)

    def _since(self) -> float | None:
        if not self.sinceBox.isChecked():
            return None
        return float(QDateTime(self.sinceDate.date(), QTime(0, 0)).toSecsSinceEpoch())

    def _totals(self) -> None:
        history = self.session.ctx.history()
        days = ", ".join(f"{day} {usd(total, digits=4)}" for day, total in history.totals_per_day(7))
        models = ", ".join(
            f"{model} {usd(total, digits=4)}" for model, total in history.totals_per_model()[:5]
        )
        self.totalsLabel.setText(f"Cost per day: {days or '-'}\nCost per model: {models or '-'}")
        templates = sorted({r.template for r in self.runs if r.template})
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
        return self.session.ctx.history().get_run(run.id)

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
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(first.created))
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
        try:
            for run_id in ids:
                self.session.delete_run(run_id)
        except PlaygroundError as exc:
            self.totalsLabel.setText(str(exc))
        self.refresh()
        self.totalsLabel.setText(f"Deleted {len(ids)} run(s) from history.\n{self.totalsLabel.text()}")

    def _export(self, path: str | None = None) -> None:
        from playground.core.history import export_runs

        runs = [self._full(r) for r in (self.selected() or self.runs)]
        if not runs:
            return
        if path is None:
            path, _chosen = QFileDialog.getSaveFileName(
                self, "Export runs", "runs.md", "Markdown (*.md);;JSON (*.json);;CSV (*.csv)"
            )
        if not path:
            return
        fmt = path.rsplit(".", 1)[-1].lower()
        fmt = fmt if fmt in ("md", "json", "csv") else "md"
        from pathlib import Path

        try:
            self.session.save_text(Path(path), export_runs(runs, fmt))
        except PlaygroundError as exc:
            self.totalsLabel.setText(str(exc))
            return
        self.totalsLabel.setText(f"Exported {len(runs)} run(s) to {path}.")

    def showEvent(self, event: object) -> None:  # type: ignore[override]
        self.refresh()
        super().showEvent(event)  # type: ignore[arg-type]


def _prompt_words(run: RunRecord) -> str:
    """The prompt on one line, marked when files went with it."""
    mark = f"📎{run.attached} " if run.attached > 1 else "📎 " if run.attached else ""
    return mark + " ".join(run.prompt.split())[:120]


def _template_words(run: RunRecord) -> str:
    """The template and the version it was run at, as `templates show` names versions."""
    if not run.template:
        return ""
    return f"{run.template} @ {run.template_version}" if run.template_version else run.template
