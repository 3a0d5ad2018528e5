"""The test-case matrix: every case of a template x every chosen model (x repeats), checked live.

Each cell shows pass / fail / error as its answer completes, with the failing assertion and why;
a summary row and column give pass rate, cost and median latency. Double-click (or Enter) expands a
cell: every repeat's answer and checks, and with two versions both answers side by side.
The grid is a table model over the run's cells, so 900 answers cost 900 table entries, not 900 views.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from playground.core.errors import PlaygroundError
from playground.core.evaluation import report
from playground.core.evaluation.runner import (
    AGAINST,
    CURRENT,
    Cell,
    CellKey,
    TestPlan,
    Variant,
    compare_versions,
    group_repeats,
    summarize,
)
from playground.core.evaluation.suite import build_cases
from playground.core.format import usd
from playground.core.request import ChatParams
from playground.core.templates import PromptTemplate
from playground.ui.markdown_view import MarkdownView
from playground.ui.matrix_run import MatrixRun
from playground.ui.session import Session

Index = QModelIndex | QPersistentModelIndex
_COLOURS = {
    "pass": QColor(46, 160, 67, 60),
    "fail": QColor(207, 34, 46, 60),
    "error": QColor(191, 135, 0, 70),
}
MARKS = {"improved": "▲ improved", "regressed": "▼ regressed", "unchanged": "= unchanged"}


class MatrixModel(QAbstractTableModel):
    """Rows: the cases, then "all cases". Columns: (version, model) pairs, then "all models"."""

    def __init__(self, run: MatrixRun, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.run = run
        plan = run.plan
        self.columns = [(v.label, m) for v in plan.variants for m in plan.models]
        self.marks: dict[tuple[str, str], str] = {}

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.run.plan.cases) + 1

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns) + 1

    def group(self, row: int, column: int) -> list[Cell]:
        """The cells under one grid entry (every repeat; a summary entry: its whole row or column)."""
        plan, cells = self.run.plan, self.run.cells
        cases = [plan.cases[row].name] if row < len(plan.cases) else [c.name for c in plan.cases]
        columns = [self.columns[column]] if column < len(self.columns) else self.columns
        return [
            cells[CellKey(v, case, m, r)]
            for case in cases
            for v, m in columns
            for r in range(1, plan.repeats + 1)
        ]

    def is_summary(self, index: Index) -> bool:
        return index.row() >= len(self.run.plan.cases) or index.column() >= len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        group = self.group(index.row(), index.column())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return _summary_text(group) if self.is_summary(index) else self._cell_text(index, group)
        if role == Qt.ItemDataRole.BackgroundRole and not self.is_summary(index):
            return _COLOURS.get(_verdict(group))
        if role == Qt.ItemDataRole.ToolTipRole and not self.is_summary(index):
            return (
                "\n".join(f"{'✓' if o.passed else '✗'} {o.reason}" for c in group for o in c.outcomes) or None
            )
        return None

    def _cell_text(self, index: Index, group: list[Cell]) -> str:
        text = _group_text(group, self.run)
        variant, model = self.columns[index.column()]
        mark = self.marks.get((self.run.plan.cases[index.row()].name, model))
        return f"{text}\n{MARKS[mark]}" if mark and variant == CURRENT else text

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        if orientation == Qt.Orientation.Vertical:
            cases = self.run.plan.cases
            return cases[section].name if section < len(cases) else "all cases"
        if section >= len(self.columns):
            return "all models"
        variant, model = self.columns[section]
        if len(self.run.plan.variants) == 1:
            return model
        return f"{model} @ {self.run.plan.variant(variant).version[:6]}" + (
            " (older)" if variant == AGAINST else ""
        )

    def refresh(self) -> None:
        if len(self.run.plan.variants) > 1 and not self.run.running:
            self.marks = compare_versions(self.run.cells, self.run.plan)
        if self.rowCount() and self.columnCount():
            last = self.index(self.rowCount() - 1, self.columnCount() - 1)
            self.dataChanged.emit(self.index(0, 0), last)


def _verdict(group: list[Cell]) -> str | None:
    finished = [c for c in group if c.finished]
    if not finished:
        return None
    if any(c.state == "error" for c in finished):
        return "error"
    return "pass" if all(c.passed for c in finished) else "fail"


def _group_text(group: list[Cell], run: MatrixRun) -> str:
    if all(c.state == "waiting" for c in group):
        return ""  # idle: nothing was sent, so it says nothing
    if len(group) == 1:
        return _one_text(group[0], run)
    repeats = group_repeats(group)
    running = sum(c.state == "running" for c in group)
    first = f"{repeats.passed}/{len(group)} passed" + (f", {running} running" if running else "")
    distinct = len(repeats.distinct)
    first += f" · {distinct} different answer{'s' if distinct != 1 else ''}" if repeats.total else ""
    failing = next((c.why for c in group if c.why and c.state != "stopped"), "")
    return "\n".join(line for line in (first, _figures(group), failing) if line)


def _one_text(cell: Cell, run: MatrixRun) -> str:
    if cell.state == "running":
        return f"answering… {len(run.text(cell.key).split())} words"
    if cell.state in ("error", "stopped"):
        head = f"ERROR: {cell.why}" if cell.state == "error" else "stopped"
        return f"{head}\n(double-click to see it and retry)"
    word = "PASS" if cell.passed else f"FAIL: {cell.why}"
    figures = _figures([cell])
    return f"{word}\n{figures}" if figures else word


def _figures(group: list[Cell]) -> str:
    repeats = group_repeats(group)
    parts = []
    if repeats.latency:
        low, high = (v / 1000 for v in repeats.latency)
        parts.append(f"{low:.1f} s" if abs(high - low) < 0.05 else f"{low:.1f}–{high:.1f} s")
    if repeats.cost:
        low_c, high_c = repeats.cost
        parts.append(
            usd(low_c, digits=4) if low_c == high_c else f"{usd(low_c, digits=4)}–{usd(high_c, digits=4)}"
        )
    return " · ".join(parts)


def _summary_text(group: list[Cell]) -> str:
    s = summarize(group)
    if not s.cells:
        return ""
    median = f" · median {s.median_ms / 1000:.1f} s" if s.median_ms is not None else ""
    return f"{s.rate:.0%} passed ({s.passed}/{s.cells})\n{usd(s.cost, digits=4)}{median}"


class MatrixCellDialog(QDialog):
    """One grid entry expanded: each repeat's answer and checks; with two versions, both answers."""

    def __init__(
        self,
        run: MatrixRun,
        case: str,
        model: str,
        parent: QWidget | None = None,
        on_retry: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("matrixCellDialog")
        self.setWindowTitle(f"{case} × {model}")
        self.resize(900, 640)
        page = QVBoxLayout(self)
        outer = QHBoxLayout()
        page.addLayout(outer, 1)
        self.retryButton = QPushButton("Retry this cell")
        self.retryButton.setObjectName("matrixCellRetry")
        failed = any(
            c.state in ("error", "stopped")
            for k, c in run.cells.items()
            if (k.case, k.model) == (case, model)
        )
        self.retryButton.setVisible(failed and on_retry is not None)
        if on_retry is not None:
            self.retryButton.clicked.connect(on_retry)
            self.retryButton.clicked.connect(self.accept)
        page.addWidget(self.retryButton)
        for variant in run.plan.variants:
            column = QVBoxLayout()
            if len(run.plan.variants) > 1:
                column.addWidget(
                    QLabel(f"<b>{'Older version' if variant.label == AGAINST else 'This version'}</b>")
                )
            for repeat in range(1, run.plan.repeats + 1):
                self._add_answer(column, run, CellKey(variant.label, case, model, repeat))
            outer.addLayout(column, 1)

    def _add_answer(self, column: QVBoxLayout, run: MatrixRun, key: CellKey) -> None:
        cell = run.cells[key]
        checks = "\n".join(
            f"{'✓' if o.passed else '✗'} {o.assertion.describe()}: {o.reason}" for o in cell.outcomes
        )
        head = QLabel(
            (f"Repeat {key.repeat}: " if run.plan.repeats > 1 else "") + f"{cell.state}\n{checks}".strip()
        )
        head.setWordWrap(True)
        head.setTextFormat(Qt.TextFormat.PlainText)
        view = MarkdownView()
        view.setObjectName("matrixCellAnswer")
        view.setAccessibleName(f"Answer of repeat {key.repeat}")
        view.append_text(run.text(key) or cell.error or "")
        view.moveCursor(view.textCursor().MoveOperation.Start)  # read from the top, not the end
        column.addWidget(head)
        column.addWidget(view, 1)


class MatrixDialog(QDialog):
    """Every test case of a template sent to the chosen models, checked by the template's assertions."""

    def __init__(
        self,
        session: Session,
        template: PromptTemplate,
        models: list[str],
        params: ChatParams,
        parent: QWidget | None = None,
        *,
        other: PromptTemplate | None = None,
    ) -> None:
        """Every case x model for ``template``; with ``other`` (an older version) both side by side."""
        super().__init__(parent)
        self.setObjectName("matrixDialog")
        self.setWindowTitle(f"{template.name}: all cases x models")
        self.resize(1200, 760)
        self.session, self.template, self.other, self.params = session, template, other, params
        self.run: MatrixRun | None = None
        self.model: MatrixModel | None = None
        layout = QVBoxLayout(self)
        layout.addLayout(self._options(models or list(template.models)))
        self.summary = QLabel()
        self.summary.setObjectName("matrixSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.progress = QProgressBar()
        self.progress.setObjectName("matrixProgress")
        self.progress.setAccessibleName("Answers done")
        layout.addWidget(self.progress)
        self.grid = QTableView()
        self.grid.setObjectName("matrixGrid")
        self.grid.setAccessibleName("Cases by models")
        self.grid.setWordWrap(True)
        self.grid.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.grid.verticalHeader().setDefaultSectionSize(76)
        self.grid.horizontalHeader().setDefaultSectionSize(260)
        self.grid.doubleClicked.connect(self.expand)
        self.grid.activated.connect(self.expand)
        layout.addWidget(self.grid, 1)
        layout.addLayout(self._buttons())
        self.rebuild()

    def _options(self, models: list[str]) -> QHBoxLayout:
        row = QHBoxLayout()
        self.modelsEdit = QLineEdit(", ".join(models))
        self.modelsEdit.setObjectName("matrixModels")
        self.modelsEdit.setAccessibleName("Models, separated by commas")
        self.modelsEdit.setPlaceholderText("models, separated by commas")
        self.repeatBox = QSpinBox()
        self.repeatBox.setObjectName("matrixRepeats")
        self.repeatBox.setAccessibleName("Repeats per cell")
        self.repeatBox.setRange(1, 20)
        self.judgeEdit = QLineEdit()
        self.judgeEdit.setObjectName("matrixJudge")
        self.judgeEdit.setAccessibleName("Judge model")
        self.judgeEdit.setPlaceholderText("judge model (for llm-rubric, select-best)")
        self.failuresBox = QCheckBox("Failures only")
        self.failuresBox.setObjectName("matrixFailuresOnly")
        self.failuresBox.setAccessibleName("Show only cases with failures")
        self.failuresBox.toggled.connect(self.apply_filter)
        for label, widget in (
            ("Models:", self.modelsEdit),
            ("Repeats:", self.repeatBox),
            ("Judge:", self.judgeEdit),
        ):
            row.addWidget(QLabel(label))
            row.addWidget(widget, 3 if widget is self.modelsEdit else 0)
        row.addWidget(self.failuresBox)
        for edit in (self.modelsEdit, self.judgeEdit):
            edit.editingFinished.connect(self.rebuild)
        self.repeatBox.valueChanged.connect(self.rebuild)
        return row

    def _buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.startButton = QPushButton("Start")
        self.startButton.setObjectName("matrixStart")
        self.stopButton = QPushButton("Stop all")
        self.stopButton.setObjectName("matrixStop")
        self.retryButton = QPushButton("Retry failed cells")
        self.retryButton.setObjectName("matrixRetry")
        self.exportButton = QPushButton("Export grid...")
        self.exportButton.setObjectName("matrixExport")
        for button in (self.startButton, self.stopButton, self.retryButton, self.exportButton):
            row.addWidget(button)
        row.addStretch(1)
        self.startButton.clicked.connect(self.start)
        self.stopButton.clicked.connect(self.stop_all)
        self.retryButton.clicked.connect(self.retry_failed)
        self.exportButton.clicked.connect(lambda: self.export())
        return row

    def chosen_models(self) -> list[str]:
        return list(dict.fromkeys(m.strip() for m in self.modelsEdit.text().split(",") if m.strip()))

    def _plan(self) -> TestPlan:
        variants = [Variant(CURRENT, self.template, self.template.content_hash)]
        if self.other is not None:
            variants.append(Variant(AGAINST, self.other, self.other.content_hash))
        cases = build_cases(self.template, self.session.ctx.templates.path_for(self.template.name).name)
        judge = self.judgeEdit.text().strip() or None
        return TestPlan(
            self.template.name,
            tuple(variants),
            cases,
            tuple(self.chosen_models()),
            self.repeatBox.value(),
            self.params,
            0,
            judge,
        )

    def rebuild(self) -> None:
        """A fresh grid for the current choices (before a run, or to run again with other ones)."""
        if self.run is not None and self.run.running:
            return
        try:
            plan = self._plan()
        except PlaygroundError as exc:
            self._show_problem(str(exc))
            return
        if not plan.models:
            self._show_problem("Choose at least one model (a comma-separated list above).")
            return
        self.run = MatrixRun(self.session, plan, self)
        self.run.changed.connect(self._refresh)
        self.run.finished.connect(self._ended)
        self.model = MatrixModel(self.run, self)
        self.grid.setModel(self.model)
        self._estimate()
        self._buttons_state()

    def _show_problem(self, text: str) -> None:
        self.summary.setText(text)
        self.startButton.setEnabled(False)

    def _estimate(self) -> None:
        assert self.run is not None
        plan = self.run.plan
        cost, unknown = self.run.estimate()
        unpriced = f" (+ {len(set(unknown))} unpriced)" if unknown else ""
        self.summary.setText(
            f"{len(plan.cases)} cases x {len(plan.models)} models"
            f"{' x 2 versions' if len(plan.variants) > 1 else ''}"
            f"{f' x {plan.repeats} repeats' if plan.repeats > 1 else ''} = {len(plan.cell_keys())} answers. "
            f"Estimated maximum cost {usd(cost, digits=4)}{unpriced}. Press Start to send."
        )
        self.progress.setRange(0, len(plan.cell_keys()))
        self.progress.setValue(0)

    def _buttons_state(self) -> None:
        running = self.run is not None and self.run.running
        has_run = self.run is not None and self.run.test_run is not None
        self.startButton.setEnabled(self.run is not None and not running)
        self.startButton.setText("Run again" if has_run else "Start")
        self.stopButton.setEnabled(running)
        self.retryButton.setEnabled(not running and self.run is not None and bool(self.run.failed_cells))
        self.exportButton.setEnabled(has_run and not running)
        for widget in (self.modelsEdit, self.repeatBox, self.judgeEdit):
            widget.setEnabled(not running)

    def start(self) -> None:
        if self.run is not None and self.run.test_run is not None:
            self.rebuild()  # Run again: a new test run with the current choices
        self._send()

    def _send(self, keys: set[CellKey] | None = None) -> None:
        if self.run is None:
            return
        try:
            self.run.start(keys)
        except PlaygroundError as exc:
            self.summary.setText(str(exc))
            return
        self._buttons_state()

    def stop_all(self) -> None:
        if self.run is not None:
            self.run.stop()

    def retry_failed(self) -> None:
        """Send again the cells that got no answer (errors, stops); the rest are kept."""
        if self.run is not None and self.run.failed_cells and not self.run.running:
            self._send()

    def retry_cell(self, row: int, column: int) -> None:
        """Send again one grid entry's cells that got no answer."""
        if self.model is None or self.run is None or self.run.running:
            return
        failed = {c.key for c in self.model.group(row, column) if c.state in ("error", "stopped")}
        if failed:
            self._send(failed)

    def _refresh(self) -> None:
        assert self.run is not None and self.model is not None
        cells = list(self.run.cells.values())
        finished = sum(c.finished for c in cells)
        self.progress.setValue(finished)
        total = summarize(cells)
        if self.run.running:
            self.summary.setText(
                f"{finished} of {len(cells)} answers · {total.cells - total.passed} failed · "
                f"{usd(total.cost, digits=4)} spent"
            )
        self.model.refresh()
        self.apply_filter()
        self._buttons_state()

    def _ended(self) -> None:
        assert self.run is not None
        self._refresh()
        text = report.summary_line(summarize(report.current(self.run.cells.values())))
        if len(self.run.plan.variants) > 1:
            marks = compare_versions(self.run.cells, self.run.plan)
            new, old = (v.version[:6] for v in self.run.plan.variants)
            text += " " + report.versions_line(marks, f"v@{new}", f"v@{old}") + "."
        if self.run.picks:
            flipped = sum(p.pick.flipped for p in self.run.picks)
            text += f" Judge changed its pick on the order swap in {flipped} of {len(self.run.picks)} cases."
        self.summary.setText(text)

    def apply_filter(self) -> None:
        """With "Failures only", hide the cases where every answer passed."""
        if self.model is None:
            return
        only = self.failuresBox.isChecked()
        for row in range(len(self.model.run.plan.cases)):
            group = self.model.group(row, len(self.model.columns))
            hide = only and all(c.passed for c in group if c.finished) and any(c.finished for c in group)
            self.grid.setRowHidden(row, hide)

    def expand(self, index: QModelIndex) -> MatrixCellDialog | None:
        if self.model is None or not index.isValid() or self.model.is_summary(index):
            return None
        case = self.model.run.plan.cases[index.row()].name
        model = self.model.columns[index.column()][1]
        retry = functools.partial(self.retry_cell, index.row(), index.column())
        dialog = MatrixCellDialog(self.model.run, case, model, self, on_retry=retry)
        dialog.show()
        self.cell_dialog = dialog
        return dialog

    def export(self, path: Path | None = None) -> bool:
        if self.run is None:
            return False
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(
                self,
                "Export grid",
                f"{self.template.name}.csv",
                "CSV (*.csv);;HTML (*.html);;JUnit XML (*.xml)",
            )
            if not chosen:
                return False
            path = Path(chosen)
        try:
            self.run.export(path)
        except PlaygroundError as exc:
            self.summary.setText(str(exc))
            return False
        self.session.notice.emit(f"Exported the grid to {path}.")
        return True

    def done(self, result: int) -> None:
        self.stop_all()
        super().done(result)
