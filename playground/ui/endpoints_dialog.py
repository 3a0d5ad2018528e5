"""EndpointsDialog: other OpenAI-compatible servers (Ollama, LM Studio, vLLM, llama.cpp) beside OpenRouter.

Every change goes through the Session (keyring, file, model list); the dialog only shows and asks.
"""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from playground.core.errors import PlaygroundError
from playground.ui.session import Session


class EndpointsDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("endpointsDialog")
        self.setWindowTitle("Endpoints")
        self.resize(680, 420)
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Any OpenAI-compatible server beside OpenRouter - a local Ollama "
            "(http://localhost:11434/v1), LM Studio, vLLM, llama.cpp. Its models appear as "
            "@name/model and can sit in panes next to OpenRouter models. A key you give here is kept in "
            "the keyring and only ever sent to this endpoint."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self._table(layout)
        self._form(layout)
        self.statusLabel = QLabel()
        self.statusLabel.setObjectName("endpointStatus")
        self.statusLabel.setWordWrap(True)
        layout.addWidget(self.statusLabel)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.busy: asyncio.Task[None] | None = None
        session.catalogChanged.connect(self.refresh)
        self.refresh()

    def _table(self, layout: QVBoxLayout) -> None:
        """The endpoints already set up."""
        self.table = QTableWidget(0, 4)
        self.table.setAccessibleName("Endpoints")
        self.table.setObjectName("endpointTable")
        self.table.setHorizontalHeaderLabels(["name", "base URL", "key", "models"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selected)
        layout.addWidget(self.table, 1)

    def _form(self, layout: QVBoxLayout) -> None:
        """Name, base URL and key of an endpoint to add, with Add / replace and Remove."""
        form = QFormLayout()
        self.nameEdit = QLineEdit()
        self.nameEdit.setObjectName("endpointName")
        self.nameEdit.setPlaceholderText("ollama")
        self.urlEdit = QLineEdit()
        self.urlEdit.setObjectName("endpointUrl")
        self.urlEdit.setPlaceholderText("http://localhost:11434/v1")
        self.keyEdit = QLineEdit()
        self.keyEdit.setObjectName("endpointKey")
        self.keyEdit.setEchoMode(QLineEdit.EchoMode.Password)
        self.keyEdit.setPlaceholderText("optional - only if the server asks for one")
        form.addRow("Name", self.nameEdit)
        form.addRow("Base URL", self.urlEdit)
        form.addRow("Key", self.keyEdit)
        layout.addLayout(form)
        row = QHBoxLayout()
        self.addButton = QPushButton("Add / replace")
        self.addButton.setObjectName("addEndpointButton")
        self.addButton.clicked.connect(self.add)
        self.removeButton = QPushButton("Remove")
        self.removeButton.setObjectName("removeEndpointButton")
        self.removeButton.clicked.connect(self.remove)
        row.addWidget(self.addButton)
        row.addWidget(self.removeButton)
        row.addStretch(1)
        layout.addLayout(row)

    def refresh(self) -> None:
        endpoints = self.session.models.endpoints()
        self.table.setRowCount(len(endpoints))
        for row, endpoint in enumerate(endpoints):
            count = self.session.models.endpoint_model_count(endpoint.name)
            problem = self.session.models.endpoint_problems.get(endpoint.name)
            cells = [
                endpoint.name,
                endpoint.base_url,
                "yes" if endpoint.has_key else "no",
                problem or str(count),
            ]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 3 and problem:
                    item.setToolTip(problem)
                self.table.setItem(row, column, item)
        self.removeButton.setEnabled(bool(endpoints))

    def _selected(self) -> None:
        rows = {i.row() for i in self.table.selectedItems()}
        if rows:
            row = min(rows)
            name, url = self.table.item(row, 0), self.table.item(row, 1)
            self.nameEdit.setText(name.text() if name is not None else "")
            self.urlEdit.setText(url.text() if url is not None else "")
            self.keyEdit.clear()

    def add(self) -> asyncio.Task[None]:
        name, url, key = self.nameEdit.text(), self.urlEdit.text(), self.keyEdit.text().strip() or None
        self.keyEdit.clear()  # the key does not linger in the widget

        async def go() -> None:
            try:
                endpoint = await self.session.models.add_endpoint(name, url, key)
            except PlaygroundError as exc:
                self.statusLabel.setText(str(exc))
                return
            count = self.session.models.endpoint_model_count(endpoint.name)
            problem = self.session.models.endpoint_problems.get(endpoint.name)
            self.statusLabel.setText(
                f"'{endpoint.name}': {problem}" if problem else f"'{endpoint.name}' added: {count} models."
            )
            self.refresh()

        self.busy = self.session.spawn(go(), "add-endpoint")
        return self.busy

    def remove(self) -> asyncio.Task[None] | None:
        name = self.nameEdit.text().strip().lower()
        if not name:
            return None

        async def go() -> None:
            try:
                await self.session.models.remove_endpoint(name)
            except PlaygroundError as exc:
                self.statusLabel.setText(str(exc))
                return
            self.statusLabel.setText(f"Removed '{name}' and its key.")
            self.refresh()

        self.busy = self.session.spawn(go(), "remove-endpoint")
        return self.busy
