"""The test-case matrix: every case of a template x every chosen model, filling in as it streams."""

from __future__ import annotations

import functools
from decimal import Decimal

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from playground.core.compare import CompareRun, PaneEvent, PaneState
from playground.core.errors import PlaygroundError
from playground.core.estimate import estimate_cost
from playground.core.events import Delta
from playground.core.format import usd
from playground.core.library import template_request
from playground.core.request import ChatParams
from playground.core.templates import PromptTemplate
from playground.ui.markdown_view import MarkdownView
from playground.ui.response_pane import stats_text
from playground.ui.session import Session


class MatrixCell(QWidget):
    """One case x model answer in the matrix."""

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        self.stats = QLabel("queued")
        self.stats.setWordWrap(True)
        self.stats.setObjectName("statsLabel")
        self.view = MarkdownView()
        layout.addWidget(self.stats)
        layout.addWidget(self.view, 1)
        self.pending: list[str] = []


class MatrixDialog(QDialog):
    """Every test case of a template sent to every chosen model, filling in a grid as it streams."""

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
        """Every case x model for ``template``; with ``other`` (another version) both side by side."""
        super().__init__(parent)
        self.setObjectName("matrixDialog")
        self.setWindowTitle(f"{template.name}: all cases x models")
        self.resize(1200, 760)
        self.session, self.template = session, template
        self.models = models or list(template.models)
        self.variants = [template] if other is None else [other, template]
        self.cases = [(name, dict(values)) for name, values in template.cases]
        self.requests = [
            [template_request(t, self.models, values, params) for _, values in self.cases]
            for t in self.variants
        ]
        self.runs: list[CompareRun] = []
        self._run_cells: list[list[MatrixCell]] = []
        layout = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setObjectName("matrixSummary")
        layout.addWidget(self.summary)
        columns = len(self.models) * len(self.variants)
        self.grid = QTableWidget(len(self.cases), columns)
        self.grid.setObjectName("matrixGrid")
        headers = [
            m if other is None else f"{m} @ {t.content_hash[:6]}" for t in self.variants for m in self.models
        ]
        self.grid.setHorizontalHeaderLabels(headers)
        self.grid.setVerticalHeaderLabels([name for name, _ in self.cases])
        self.cells = [[MatrixCell() for _ in range(columns)] for _ in self.cases]
        for r, row in enumerate(self.cells):
            self.grid.setRowHeight(r, 220)
            for c, cell in enumerate(row):
                self.grid.setCellWidget(r, c, cell)
        for c in range(columns):
            self.grid.setColumnWidth(c, 360)
        if columns <= 3:  # few columns share the width; more scroll sideways at 360 px each
            self.grid.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.grid.cellDoubleClicked.connect(self.retry_cell)
        layout.addWidget(self.grid, 1)
        row = QHBoxLayout()
        self.startButton = QPushButton("Start")
        self.startButton.setObjectName("matrixStart")
        self.stopButton = QPushButton("Stop all")
        self.stopButton.setObjectName("matrixStop")
        self.retryButton = QPushButton("Retry failed cells")
        self.retryButton.setObjectName("matrixRetry")
        for button in (self.startButton, self.stopButton, self.retryButton):
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        self.startButton.clicked.connect(self.start)
        self.stopButton.clicked.connect(self.stop_all)
        self.retryButton.clicked.connect(self.retry_failed)
        self.timer = QTimer(self)
        self.timer.setInterval(33)
        self.timer.timeout.connect(self._flush)
        self._estimate()

    def _estimate(self) -> None:
        total = sum(
            (
                estimate_cost(
                    self.session.catalog, self.models, r.prompt, r.system, r.params.max_tokens
                ).total
                for variant in self.requests
                for r in variant
            ),
            start=Decimal(0),
        )
        cells = len(self.cases) * len(self.models) * len(self.variants)
        self.summary.setText(
            f"{len(self.cases)} cases x {len(self.models)} models"
            f"{' x 2 versions' if len(self.variants) > 1 else ''} = {cells} answers. "
            f"Estimated maximum cost {usd(total, digits=4)}. Press Start to send."
        )

    def start(self) -> None:
        self.startButton.setEnabled(False)
        try:
            for v, (template, requests) in enumerate(zip(self.variants, self.requests, strict=True)):
                version = self.session.library.history.record_version(
                    template.name, template.to_toml(), template.content_hash
                )
                for row, ((case_name, values), request) in enumerate(zip(self.cases, requests, strict=True)):
                    run = self.session.new_compare(
                        request,
                        template=template.name,
                        version=version.hash,
                        case_name=case_name,
                        variables=values,
                    )
                    cells = self.cells[row][v * len(self.models) : (v + 1) * len(self.models)]
                    run.add_listener(functools.partial(self._on_event, cells))
                    self.runs.append(run)
                    self._run_cells.append(cells)
        except PlaygroundError as exc:
            self.summary.setText(str(exc))
            return
        for run in self.runs:
            run.start()
        self.timer.start()

    def _on_event(self, cells: list[MatrixCell], pane_event: PaneEvent) -> None:
        if isinstance(pane_event.event, Delta):
            cells[pane_event.pane].pending.append(pane_event.event.text)

    def _flush(self) -> None:
        for run, cells in zip(self.runs, self._run_cells, strict=True):
            for result, cell in zip(run.results, cells, strict=True):
                if cell.pending:
                    cell.view.append_text("".join(cell.pending))
                    cell.pending.clear()
                text = stats_text(result)
                if result.failed is not None:
                    text += f"\n{result.failed.message}\n(double-click to retry)"
                cell.stats.setText(text)
        if not any(run.running for run in self.runs):
            self.timer.stop()
            results = [r for run in self.runs for r in run.results]
            done = sum(r.state is PaneState.DONE for r in results)
            cost = sum((r.cost for r in results if r.cost is not None), start=Decimal(0))
            self.summary.setText(f"{done} of {len(results)} answers complete; cost {usd(cost, digits=4)}.")

    def stop_all(self) -> None:
        for run in self.runs:
            run.cancel_all()

    def _retry(self, run: CompareRun, pane: int, cell: MatrixCell) -> None:
        if run.results[pane].state in (PaneState.FAILED, PaneState.STOPPED, PaneState.TRUNCATED):
            cell.view.clear_text()
            run.retry(pane)
            self.timer.start()

    def retry_cell(self, row: int, column: int) -> None:
        """Double-click: run one failed cell again."""
        target = self.cells[row][column]
        for run, cells in zip(self.runs, self._run_cells, strict=True):
            if target in cells:
                self._retry(run, cells.index(target), target)

    def retry_failed(self) -> None:
        for run, cells in zip(self.runs, self._run_cells, strict=True):
            for pane, cell in enumerate(cells):
                self._retry(run, pane, cell)

    def done(self, result: int) -> None:
        self.stop_all()
        super().done(result)
