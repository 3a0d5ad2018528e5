"""Template versions: list, diff, restore (the test-case matrix is in matrix_dialog)."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from playground.core.templates import PromptTemplate
from playground.ui.session import Session


class VersionsDialog(QDialog):
    """Every saved version of a template; pick two to diff, or one to restore.

    Signals:
        restored(): a version was restored.
    """

    restored = Signal()
    compareRequested = Signal(object, object)  # the older and the newer PromptTemplate

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
        self.compareButton = buttons.addButton(
            "Run both on all cases", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.compareButton.setObjectName("compareVersionsButton")
        self.compareButton.clicked.connect(self.compare_versions)
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

    def _ordered(self) -> list[str]:
        """The selected hashes, oldest first."""
        order = [v.hash for v in self.versions]
        return sorted(self._selected(), key=order.index, reverse=True)

    def compare_versions(self) -> None:
        chosen = self._ordered()
        if len(chosen) != 2:
            self.diffView.setPlainText("Select exactly two versions to compare them on the test cases.")
            return
        old, new = (
            PromptTemplate.from_toml(self.session.library.version(self.name, h).content) for h in chosen
        )
        self.compareRequested.emit(old, new)

    def restore(self) -> None:
        chosen = self._selected()
        if len(chosen) != 1:
            self.diffView.setPlainText("Select exactly one version to restore.")
            return
        self.session.restore_version(self.name, chosen[0])
        self.restored.emit()
        self.accept()
