"""The test-case matrix: every case of a template x every chosen model (x repeats), checked live.

Each cell shows pass / fail / error as its answer completes, with the failing assertion and why;
a summary row and column give pass rate, cost and median latency. Double-click (or Enter) expands a
cell: every repeat's answer and checks, and with two versions both answers side by side.
The grid is a table model over the run's cells, so 900 answers cost 900 table entries, not 900 views;
each frame redraws only the entries whose cells changed, the summaries a few times a second.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt
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
    CellKey,
    TestPlan,
    Variant,
    compare_versions,
    summarize,
)
from playground.core.evaluation.suite import build_cases
from playground.core.format import usd
from playground.core.request import ChatParams
from playground.core.templates import PromptTemplate
from playground.ui.markdown_view import MarkdownView
from playground.ui.matrix_model import MatrixModel
from playground.ui.matrix_run import MatrixRun
from playground.ui.net import frame_clock
from playground.ui.session import Session

SUMMARY_EVERY = 8  # frames between refreshes of the summaries and the progress (about 7 a second)


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
            keys = [CellKey(variant.label, case, model, r) for r in range(1, run.plan.repeats + 1)]
            for same in _identical(run, keys):
                self._add_answer(column, run, same)
            outer.addLayout(column, 1)

    def _add_answer(self, column: QVBoxLayout, run: MatrixRun, keys: list[CellKey]) -> None:
        """One answer (identical repeats collapsed into one, with their count) and its checks."""
        cell = run.cells[keys[0]]
        checks = "\n".join(
            f"{'✓' if o.passed else '✗'} {o.assertion.describe()}: {o.reason}" for o in cell.outcomes
        )
        repeats = ", ".join(str(k.repeat) for k in keys)
        label = f"Repeat {repeats}" if len(keys) == 1 else f"Repeats {repeats} ({len(keys)}× the same answer)"
        head = QLabel((f"{label}: " if run.plan.repeats > 1 else "") + f"{cell.state}\n{checks}".strip())
        head.setWordWrap(True)
        head.setTextFormat(Qt.TextFormat.PlainText)
        view = MarkdownView()
        view.setObjectName("matrixCellAnswer")
        view.setAccessibleName(f"Answer of repeat {repeats}")
        view.append_text(run.text(keys[0]) or cell.error or "")
        view.show_from_top()  # read from the top, not the end
        column.addWidget(head)
        column.addWidget(view, 1)


def _identical(run: MatrixRun, keys: list[CellKey]) -> list[list[CellKey]]:
    """Repeats grouped by their answer: identical answers show once, with the repeats that gave it."""
    groups: dict[tuple[str, str], list[CellKey]] = {}
    for key in keys:
        cell = run.cells[key]
        text = run.text(key) if cell.state == "done" else f"{key.repeat}"  # no answer: never merged
        groups.setdefault((cell.state, text), []).append(key)
    return list(groups.values())


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
        self._filtered = True  # some rows may be hidden by "Failures only"
        self._unfiltered: set[str] = set()  # cases whose cells changed since the filter last looked
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
        self.parallelBox = QSpinBox()
        self.parallelBox.setObjectName("matrixConcurrency")
        self.parallelBox.setAccessibleName("Requests in flight at once")
        self.parallelBox.setToolTip("How many answers are requested at once (rate limits are waited out)")
        self.parallelBox.setRange(1, 16)
        self.parallelBox.setValue(4)
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
            ("Parallel:", self.parallelBox),
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
        cases = build_cases(self.template, self.session.templates.file_name(self.template.name))
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
            self.parallelBox.value(),
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
        self._filtered = True
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
            f"Estimated maximum cost {usd(cost)}{unpriced}. Press Start to send."
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
        for widget in (self.modelsEdit, self.repeatBox, self.parallelBox, self.judgeEdit):
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
        self._summaries()  # at once: the cells sent again are no longer counted as answered

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

    def _refresh(self, *, full: bool = False) -> None:
        """Once per frame while cells change: the changed entries; every SUMMARY_EVERY frames (and
        with ``full``) also the summaries, the progress and the filter, from the run's tally (the
        buttons change only when the run starts or ends: see _send and _ended)."""
        assert self.run is not None and self.model is not None
        summaries = full or not self.run.running or frame_clock().frame % SUMMARY_EVERY == 0
        changed = self.run.take_changed()
        self._unfiltered |= {k.case for k in changed}
        self.model.refresh(None if full else changed, summaries=summaries)
        if summaries:
            self._summaries(full=full)

    def _summaries(self, *, full: bool = False) -> None:
        """The progress, the summary line and the filter (only the cases that changed since it last
        looked, unless ``full``)."""
        assert self.run is not None
        tally, total = self.run.tally, len(self.run.cells)
        self.progress.setValue(tally.finished)
        if self.run.running:
            self.summary.setText(
                f"{tally.finished} of {total} answers · {tally.finished - tally.passed} failed · "
                f"{usd(tally.cost)} spent"
            )
        cases, self._unfiltered = self._unfiltered, set()
        self._filter_rows(None if full else cases)

    def _ended(self) -> None:
        assert self.run is not None
        self._refresh(full=True)
        self._buttons_state()
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
        self._filter_rows(None)

    def _filter_rows(self, cases: set[str] | None) -> None:
        """The filter over the rows of ``cases`` (None: every row): while a run goes on, only the
        cases whose cells changed since the filter last looked can change."""
        if self.model is None:
            return
        only = self.failuresBox.isChecked()
        if not only and not self._filtered:
            return  # every row is shown already
        self._filtered = only
        for row, case in enumerate(self.model.run.plan.cases):
            if only and cases is not None and case.name not in cases:
                continue
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
