"""Template versions (list, diff, restore) and the test-case matrix (cases x models)."""

from __future__ import annotations

import functools
import time

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from playground.core.compare import CompareRun, PaneEvent, PaneState
from playground.core.errors import PlaygroundError
from playground.core.estimate import estimate_cost
from playground.core.format import usd
from playground.core.library import template_request
from playground.core.request import ChatParams
from playground.core.templates import PromptTemplate
from playground.ui.markdown_view import MarkdownView
from playground.ui.response_pane import stats_text
from playground.ui.session import Session


class VersionsDialog(QDialog):
    """Every saved version of a template; pick two to diff, or one to restore.

    Signals:
        restored(): a version was restored.
    """

    restored = Signal()

    def __init__(self, session: Session, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("versionsDialog")
        self.setWindowTitle(f"Versions of {name}")
        self.resize(760, 520)
        self.session, self.name = session, name
        layout = QVBoxLayout(self)
        self.versionList = QListWidget()
        self.versionList.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.versionList.itemSelectionChanged.connect(self._show_diff)
        layout.addWidget(QLabel("Select one version to see it, two to compare them."))
        layout.addWidget(self.versionList)
        self.diffView = QPlainTextEdit()
        self.diffView.setObjectName("versionDiff")
        self.diffView.setReadOnly(True)
        layout.addWidget(self.diffView, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.restoreButton = buttons.addButton("Restore this version", QDialogButtonBox.ButtonRole.ActionRole)
        self.restoreButton.clicked.connect(self.restore)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.versions = session.library.history.versions(name)
        for number, version in zip(range(len(self.versions), 0, -1), self.versions, strict=True):
            when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(version.created))
            item = QListWidgetItem(f"{number}. {version.hash}  {when}  {version.note}")
            item.setData(Qt.ItemDataRole.UserRole, version.hash)
            self.versionList.addItem(item)

    def _selected(self) -> list[str]:
        return [i.data(Qt.ItemDataRole.UserRole) for i in self.versionList.selectedItems()]

    def _show_diff(self) -> None:
        chosen = self._selected()
        if len(chosen) == 1:
            self.diffView.setPlainText(self.session.library.version(self.name, chosen[0]).content)
        elif len(chosen) == 2:
            old, new = sorted(chosen, key=lambda h: [v.hash for v in self.versions].index(h), reverse=True)
            self.diffView.setPlainText(self.session.library.diff(self.name, old, new) or "No differences.")

    def restore(self) -> None:
        chosen = self._selected()
        if len(chosen) != 1:
            self.diffView.setPlainText("Select exactly one version to restore.")
            return
        self.session.restore_version(self.name, chosen[0])
        self.restored.emit()
        self.accept()


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
    ) -> None:
        super().__init__(parent)
        self.setObjectName("matrixDialog")
        self.setWindowTitle(f"{template.name}: all cases x models")
        self.resize(1200, 760)
        self.session, self.template = session, template
        self.models = models or list(template.models)
        self.cases = [(name, dict(values)) for name, values in template.cases]
        self.requests = [template_request(template, self.models, values, params) for _, values in self.cases]
        self.runs: list[CompareRun] = []
        layout = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setObjectName("matrixSummary")
        layout.addWidget(self.summary)
        self.grid = QTableWidget(len(self.cases), len(self.models))
        self.grid.setObjectName("matrixGrid")
        self.grid.setHorizontalHeaderLabels(self.models)
        self.grid.setVerticalHeaderLabels([name for name, _ in self.cases])
        self.cells = [[MatrixCell() for _ in self.models] for _ in self.cases]
        for r, row in enumerate(self.cells):
            self.grid.setRowHeight(r, 220)
            for c, cell in enumerate(row):
                self.grid.setCellWidget(r, c, cell)
        for c in range(len(self.models)):
            self.grid.setColumnWidth(c, 360)
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
                for r in self.requests
            ),
            start=estimate_cost(None, [], "", None, None).total,
        )
        cells = len(self.cases) * len(self.models)
        self.summary.setText(
            f"{len(self.cases)} cases x {len(self.models)} models = {cells} answers. "
            f"Estimated maximum cost {usd(total, digits=4)}. Press Start to send."
        )

    def start(self) -> None:
        self.startButton.setEnabled(False)
        version = self.session.library.current_version(self.template)
        try:
            for (case_name, values), request in zip(self.cases, self.requests, strict=True):
                run = self.session.new_compare(
                    request,
                    template=self.template.name,
                    version=version.hash,
                    case_name=case_name,
                    variables=values,
                )
                run.add_listener(functools.partial(self._on_event, len(self.runs)))
                self.runs.append(run)
        except PlaygroundError as exc:
            self.summary.setText(str(exc))
            return
        for run in self.runs:
            run.start()
        self.timer.start()

    def _on_event(self, row: int, pane_event: PaneEvent) -> None:
        from playground.core.events import Delta

        if isinstance(pane_event.event, Delta):
            self.cells[row][pane_event.pane].pending.append(pane_event.event.text)

    def _flush(self) -> None:
        for r, run in enumerate(self.runs):
            for c, cell in enumerate(self.cells[r]):
                if cell.pending:
                    cell.view.append_text("".join(cell.pending))
                    cell.pending.clear()
                result = run.results[c]
                text = stats_text(result)
                if result.failed is not None:
                    text += f"\n{result.failed.message}"
                cell.stats.setText(text)
        if not any(run.running for run in self.runs):
            self.timer.stop()
            done = sum(r.state is PaneState.DONE for run in self.runs for r in run.results)
            cost = sum(
                (r.cost for run in self.runs for r in run.results if r.cost is not None),
                start=estimate_cost(None, [], "", None, None).total,
            )
            self.summary.setText(
                f"{done} of {len(self.cases) * len(self.models)} answers complete; "
                f"cost {usd(cost, digits=4)}."
            )

    def stop_all(self) -> None:
        for run in self.runs:
            run.cancel_all()

    def retry_failed(self) -> None:
        for r, run in enumerate(self.runs):
            for c, result in enumerate(run.results):
                if result.state in (PaneState.FAILED, PaneState.STOPPED, PaneState.TRUNCATED):
                    self.cells[r][c].view.clear_text()
                    run.retry(c)
        self.timer.start()

    def done(self, result: int) -> None:
        self.stop_all()
        super().done(result)
