"""ChartsDialog: cost / quality, spend per day and speed, drawn from the same chart data as the reports.

The pictures are the reports' own SVG, rendered by QtSvg in the theme's colours; each chart also has
a table of the same numbers (what a screen reader reads) and exports as SVG or PNG. Clicking a point
on the cost / quality chart lists that model's answers. Loaded when first opened, never at start-up.

Signals (ChartView):
    pointClicked(str): the model whose point was clicked.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QEvent, QIODevice, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QImage, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from playground.core.errors import PlaygroundError
from playground.core.format import usd
from playground.core.history import RunRecord
from playground.core.leaderboard import leaderboard
from playground.core.report.charts import CostQualityChart
from playground.core.report.figures import Figure, history_figures
from playground.core.report.svg import DARK, HEIGHT, LIGHT, WIDTH, Palette, point_positions
from playground.ui.session import Session
from playground.ui.widgets import local_when

HIT_RADIUS = 14.0  # in the chart's own units: a little larger than the biggest point
MAX_RUNS = 5000


def palette_for(widget: QWidget) -> Palette:
    """The dark chart colours on a dark window, the light ones otherwise."""
    return DARK if widget.palette().window().color().lightness() < 128 else LIGHT


class ChartView(QWidget):
    """One chart, drawn from its SVG at any size with its proportions kept."""

    pointClicked = Signal(str)

    def __init__(self, figure: Figure, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.figure = figure
        self.setObjectName(f"chart_{figure.key}")
        self.setAccessibleName(f"{figure.title} (chart; the table view has the same numbers)")
        self.setMinimumSize(QSize(WIDTH // 2, HEIGHT // 2))
        self.renderer = QSvgRenderer(self)
        self._load()

    def svg(self) -> str:
        return self.figure.svg(palette_for(self))

    def _load(self) -> None:
        self.renderer.load(QByteArray(self.svg().encode("utf-8")))
        self.update()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self._load()  # the theme changed: redraw in its colours
        super().changeEvent(event)

    def target(self) -> QRectF:
        """Where the chart is drawn in the widget: centred, scaled to fit."""
        scale = min(self.width() / WIDTH, self.height() / HEIGHT)
        w, h = WIDTH * scale, HEIGHT * scale
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        self.renderer.render(painter, self.target())
        painter.end()

    def model_at(self, pos: QPointF) -> str | None:
        chart = self.figure.chart
        if not isinstance(chart, CostQualityChart):
            return None
        box = self.target()
        x = (pos.x() - box.x()) * WIDTH / box.width()
        y = (pos.y() - box.y()) * HEIGHT / box.height()
        near = [
            ((px - x) ** 2 + (py - y) ** 2, model)
            for model, (px, py) in point_positions(chart).items()
            if (px - x) ** 2 + (py - y) ** 2 <= HIT_RADIUS**2
        ]
        return min(near)[1] if near else None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        model = self.model_at(event.position())
        if model is not None:
            self.pointClicked.emit(model)
        super().mousePressEvent(event)

    def png(self) -> bytes:
        """The chart at twice its size, in the window's colours."""
        image = QImage(WIDTH * 2, HEIGHT * 2, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        self.renderer.render(painter, QRectF(0, 0, WIDTH * 2, HEIGHT * 2))
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stub wants bytes; Qt takes str
        buffer.close()
        return bytes(data.data())


def table_widget(figure: Figure) -> QTableWidget:
    headers, rows = figure.table()
    table = QTableWidget(len(rows), len(headers))
    table.setObjectName(f"chartTable_{figure.key}")
    table.setAccessibleName(f"{figure.title}: the numbers")
    table.setHorizontalHeaderLabels(list(headers))
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(text))
    return table


class ChartsDialog(QDialog):
    """The charts of the last ``days`` days of history, built once when the dialog opens."""

    def __init__(self, session: Session, parent: QWidget | None = None, *, days: int = 30) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("chartsDialog")
        self.setWindowTitle("Charts")
        self.resize(900, 640)
        self.days = days
        self.all_runs: list[RunRecord] = session.runs.list_runs(
            since=time.time() - days * 86_400, limit=MAX_RUNS, texts=False
        )
        self.runs = self.all_runs
        self.alert = session.spend.thresholds().daily_above
        self.figures: list[Figure] = []
        self.views: dict[str, ChartView] = {}
        self.stacks: list[QStackedWidget] = []
        layout = QVBoxLayout(self)
        layout.addLayout(self._filter_row())
        self.tabs = QTabWidget()
        self.tabs.setObjectName("chartTabs")
        self.tabs.currentChanged.connect(self._update_buttons)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(self._controls())
        self.answersLabel = QLabel(
            "Click a point on the cost and quality chart to list that model's answers."
        )
        self.answersLabel.setObjectName("chartAnswersLabel")
        self.answersList = QListWidget()
        self.answersList.setObjectName("chartAnswers")
        self.answersList.setAccessibleName("Answers of the chosen model")
        self.answersList.setMaximumHeight(140)
        layout.addWidget(self.answersLabel)
        layout.addWidget(self.answersList)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.show_template(None)

    def _filter_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.templateFilter = QComboBox()
        self.templateFilter.setObjectName("chartTemplateFilter")
        self.templateFilter.setAccessibleName("Template whose runs the charts show")
        self.templateFilter.addItem("All runs", None)
        for name in sorted({r.template for r in self.all_runs if r.template}):
            self.templateFilter.addItem(name, name)
        self.templateFilter.currentIndexChanged.connect(
            lambda: self.show_template(self.templateFilter.currentData())
        )
        row.addWidget(QLabel(f"Last {self.days} days of"))
        row.addWidget(self.templateFilter)
        row.addStretch(1)
        return row

    def show_template(self, template: str | None) -> None:
        """Draw the charts again for one template's runs and votes (None: every run)."""
        index = max(self.tabs.currentIndex(), 0)
        self.runs = [r for r in self.all_runs if template is None or r.template == template]
        standings = leaderboard(self.session.runs.leaderboard_votes(template=template))
        self.figures = history_figures(self.runs, standings, daily_alert=self.alert, days=self.days)
        self.views, self.stacks = {}, []
        self.tabs.blockSignals(True)
        while self.tabs.count():
            page = self.tabs.widget(0)
            self.tabs.removeTab(0)
            if page is not None:
                page.deleteLater()
        for figure in self.figures:
            self.tabs.addTab(self._page(figure), figure.title)
        self.tabs.setCurrentIndex(index)
        self.tabs.blockSignals(False)
        self._show_tables(self.tableToggle.isChecked())
        self.answersList.clear()
        self._update_buttons()

    def _page(self, figure: Figure) -> QStackedWidget:
        stack = QStackedWidget()
        if figure.empty:
            empty = QLabel(figure.empty_text)
            empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
            empty.setWordWrap(True)
            stack.addWidget(empty)
        else:
            view = ChartView(figure)
            view.pointClicked.connect(self.show_answers)
            self.views[figure.key] = view
            stack.addWidget(view)
        stack.addWidget(table_widget(figure))
        self.stacks.append(stack)
        return stack

    def _controls(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.tableToggle = QCheckBox("Show the numbers as a table")
        self.tableToggle.setObjectName("chartTableToggle")
        self.tableToggle.toggled.connect(self._show_tables)
        self.exportSvgButton = QPushButton("Export SVG...")
        self.exportSvgButton.setObjectName("exportSvgButton")
        self.exportSvgButton.clicked.connect(lambda: self.export("svg"))
        self.exportPngButton = QPushButton("Export PNG...")
        self.exportPngButton.setObjectName("exportPngButton")
        self.exportPngButton.clicked.connect(lambda: self.export("png"))
        row.addWidget(self.tableToggle)
        row.addStretch(1)
        row.addWidget(self.exportSvgButton)
        row.addWidget(self.exportPngButton)
        return row

    def _show_tables(self, on: bool) -> None:
        for stack in self.stacks:
            stack.setCurrentIndex(1 if on else 0)

    def current(self) -> Figure:
        return self.figures[self.tabs.currentIndex()]

    def _update_buttons(self) -> None:
        drawn = self.current().key in self.views
        self.exportSvgButton.setEnabled(drawn)
        self.exportPngButton.setEnabled(drawn)

    def show_answers(self, model: str) -> None:
        self.answersList.clear()
        found = [(r, a) for r in self.runs for a in r.answers if a.requested_model == model]
        self.answersLabel.setText(f"{model}: {len(found)} answers in this period (newest first)")
        for run, answer in found:
            when = local_when(run.created)
            prompt = " ".join(run.prompt.split())[:80]
            self.answersList.addItem(
                f"Run {run.id} · {when} · {answer.state} · {usd(answer.cost)} · {prompt}"
            )

    def export(self, kind: str, path: str | None = None) -> None:
        view = self.views.get(self.current().key)
        if view is None:
            return
        if path is None:
            pattern = "SVG image (*.svg)" if kind == "svg" else "PNG image (*.png)"
            path, _ = QFileDialog.getSaveFileName(
                self, "Export chart", f"{self.current().key}.{kind}", pattern
            )
        if not path:
            return
        data: str | bytes = view.svg() if kind == "svg" else view.png()
        try:
            self.session.files.save_bytes(Path(path), data)
        except PlaygroundError as exc:
            QMessageBox.warning(self, "Could not export", str(exc))
