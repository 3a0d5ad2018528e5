"""ModelBrowser: the whole catalog in a sortable, filterable table; add models to panes.

``ModelListModel`` mirrors ``core.catalog.ModelCatalog``; filtering reuses the core's
``ModelFilter`` inside a sort/filter proxy, so the window and ``playground models`` agree.

Signals (ModelBrowser):
    modelsChosen(list): model ids to put into panes.
    refreshRequested(): the user asked for a fresh list.
    favouritesChanged(list): the favourite model ids.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from playground.core.catalog import ModelCatalog, ModelFilter, ModelInfo
from playground.core.format import context, per_million

COLUMNS = ("★", "Name", "ID", "Context", "Prompt $/M", "Completion $/M", "Input", "Badges")
Index = QModelIndex | QPersistentModelIndex


class ModelListModel(QAbstractTableModel):
    """One row per model of a ModelCatalog."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.catalog = ModelCatalog([])
        self.favourites: set[str] = set()

    def set_catalog(self, catalog: ModelCatalog, favourites: set[str]) -> None:
        self.beginResetModel()
        self.catalog = catalog
        self.favourites = set(favourites)
        self.endResetModel()

    def model_at(self, row: int) -> ModelInfo:
        return self.catalog.models[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.catalog.models)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.catalog.models):
            return None
        model = self.catalog.models[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(model, index.column())
        if role == Qt.ItemDataRole.UserRole:
            return self._sort_key(model, index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            return model.description[:500] or model.id
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (3, 4, 5):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, model: ModelInfo, column: int) -> str:
        if column == 0:
            return "★" if model.id in self.favourites else ""
        if column == 1:
            return model.name
        if column == 2:
            return model.id
        if column == 3:
            return context(model.context_length)
        if column in (4, 5):
            return per_million(model, "prompt" if column == 4 else "completion")
        if column == 6:
            return ", ".join(model.input_modalities)
        return "  ".join(self.badges(model))

    def badges(self, model: ModelInfo) -> list[str]:
        changes = self.catalog.changes
        found = []
        if model.is_free:
            found.append("free")
        if model.id in changes.added:
            found.append("new")
        if model.id in changes.price_changed:
            found.append("price changed")
        return found

    def _sort_key(self, model: ModelInfo, column: int) -> Any:
        if column == 3:
            return model.context_length or 0
        if column in (4, 5):
            price = model.prompt_price if column == 4 else model.completion_price
            return float(price) if price is not None else float("inf")
        if column == 0:
            return 0 if model.id in self.favourites else 1
        return self._display(model, column).lower()


class ModelFilterProxy(QSortFilterProxyModel):
    """Filters with the core's ModelFilter; sorts by each column's natural key."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.flt = ModelFilter()
        self._words: list[str] = []
        self.setSortRole(Qt.ItemDataRole.UserRole)

    def set_filter(self, flt: ModelFilter) -> None:
        self.beginFilterChange()
        self.flt = flt
        self._words = flt.query.lower().split()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        source = self.sourceModel()
        assert isinstance(source, ModelListModel)
        return self.flt.matches(source.model_at(source_row), self._words)


class ModelBrowser(QDialog):
    """Browse, search, filter and pick models."""

    modelsChosen = Signal(list)
    refreshRequested = Signal()
    favouritesChanged = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("modelBrowser")
        self.setAccessibleName("Model browser")
        self.setWindowTitle("Models")
        self.resize(1000, 620)
        self.source = ModelListModel(self)
        self.proxy = ModelFilterProxy(self)
        self.proxy.setSourceModel(self.source)
        layout = QVBoxLayout(self)
        layout.addLayout(self._filters())
        self.table = QTableView()
        self.table.setObjectName("modelTable")
        self.table.setAccessibleName("Models")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((28, 230, 230, 70, 90, 110, 90)):
            self.table.setColumnWidth(column, width)
        self.table.doubleClicked.connect(lambda _i: self._choose())
        layout.addWidget(self.table, 1)
        layout.addLayout(self._actions())

    def _filters(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.searchEdit = QLineEdit()
        self.searchEdit.setObjectName("modelSearch")
        self.searchEdit.setAccessibleName("Search models")
        self.searchEdit.setPlaceholderText("Search id, name, description...")
        self.searchEdit.setClearButtonEnabled(True)
        self.freeBox = QCheckBox("Free")
        self.maxPrice = QDoubleSpinBox()
        self.maxPrice.setAccessibleName("Maximum price per million tokens")
        self.maxPrice.setPrefix("≤ $")
        self.maxPrice.setSuffix("/M")
        self.maxPrice.setRange(-1, 1000)
        self.maxPrice.setSpecialValueText("any price")
        self.maxPrice.setValue(-1)
        self.minContext = QSpinBox()
        self.minContext.setAccessibleName("Minimum context")
        self.minContext.setRange(0, 10_000_000)
        self.minContext.setSingleStep(8000)
        self.minContext.setSpecialValueText("any context")
        self.modality = QComboBox()
        self.modality.setAccessibleName("Input modality")
        self.modality.addItems(["any input", "image", "file", "audio"])
        self.parameter = QComboBox()
        self.parameter.setAccessibleName("Supported parameter")
        self.parameter.addItems(["any parameter", "reasoning", "tools", "response_format", "seed"])
        for widget in (
            self.searchEdit,
            self.freeBox,
            self.maxPrice,
            self.minContext,
            self.modality,
            self.parameter,
        ):
            row.addWidget(widget, 3 if widget is self.searchEdit else 0)
        self.searchEdit.textChanged.connect(self._apply_filter)
        self.freeBox.toggled.connect(self._apply_filter)
        self.maxPrice.valueChanged.connect(self._apply_filter)
        self.minContext.valueChanged.connect(self._apply_filter)
        self.modality.currentIndexChanged.connect(self._apply_filter)
        self.parameter.currentIndexChanged.connect(self._apply_filter)
        return row

    def _actions(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.statusLabel = QLabel()
        self.statusLabel.setObjectName("catalogStatus")
        self.refreshButton = QPushButton("Refresh")
        self.favouriteButton = QPushButton("★ Favourite")
        self.addButton = QPushButton("Add to panes")
        self.addButton.setObjectName("addModelsButton")
        self.addButton.setDefault(True)
        row.addWidget(self.statusLabel, 1)
        for button in (self.refreshButton, self.favouriteButton, self.addButton):
            row.addWidget(button)
        self.refreshButton.clicked.connect(self.refreshRequested)
        self.favouriteButton.clicked.connect(self._toggle_favourites)
        self.addButton.clicked.connect(self._choose)
        return row

    def set_catalog(self, catalog: ModelCatalog, favourites: set[str]) -> None:
        chosen = self.selected_ids()  # a reset drops the selection: ★ then Add to panes must still work
        self.source.set_catalog(catalog, favourites)
        self._select(chosen)
        self._count()

    def _select(self, ids: list[str]) -> None:
        selection = self.table.selectionModel()
        rows = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if self.source.model_at(self.proxy.mapToSource(index).row()).id in ids:
                selection.select(index, rows)

    def set_status(self, text: str) -> None:
        self.statusLabel.setText(f"{self.proxy.rowCount()} of {self.source.rowCount()} models - {text}")
        self._status = text

    def _count(self) -> None:
        self.set_status(getattr(self, "_status", ""))

    def _apply_filter(self) -> None:
        price = self.maxPrice.value()
        cap = None if price < 0 else Decimal(str(price))
        self.proxy.set_filter(
            ModelFilter(
                query=self.searchEdit.text(),
                free_only=self.freeBox.isChecked(),
                max_prompt_per_million=cap,
                max_completion_per_million=cap,
                min_context=self.minContext.value() or None,
                input_modality=None if self.modality.currentIndex() == 0 else self.modality.currentText(),
                parameter=None if self.parameter.currentIndex() == 0 else self.parameter.currentText(),
            )
        )
        self._count()

    def selected_ids(self) -> list[str]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.source.model_at(self.proxy.mapToSource(self.proxy.index(r, 0)).row()).id for r in rows]

    def _choose(self) -> None:
        ids = self.selected_ids()
        if ids:
            self.modelsChosen.emit(ids)

    def _toggle_favourites(self) -> None:
        favourites = set(self.source.favourites)
        for model_id in self.selected_ids():
            favourites ^= {model_id}
        self.set_catalog(self.source.catalog, favourites)
        self.favouritesChanged.emit(sorted(favourites))
