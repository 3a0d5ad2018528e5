"""KeyDialog: paste, test and save a key; list, switch, rename, replace and remove saved keys.

Keyring calls go through the Session, off the event loop, so the dialog never freezes. When the
keyring is missing or locked the dialog says so in plain words and offers a session-only key.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from playground.core.errors import ApiError, PlaygroundError
from playground.core.secrets import KeyringError
from playground.ui.session import Session
from playground.ui.widgets import named_button


class KeyDialog(QDialog):
    """First-run key entry and key settings in one dialog."""

    def __init__(self, session: Session, parent: QWidget | None = None, *, first_run: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("keyDialog")
        self.setAccessibleName("API keys")
        self.setWindowTitle("Welcome - add your OpenRouter key" if first_run else "API keys")
        self.setMinimumWidth(560)
        self.session = session
        layout = QVBoxLayout(self)
        if first_run:
            intro = QLabel(
                "Prompt Playground sends your prompts to OpenRouter with your own API key. "
                "Create one at openrouter.ai/keys and paste it below. It is stored in your "
                "system keyring - never in a file."
            )
            intro.setWordWrap(True)
            layout.addWidget(intro)
        self.overrideLabel = QLabel()
        self.overrideLabel.setObjectName("overrideLabel")
        self.overrideLabel.setWordWrap(True)
        layout.addWidget(self.overrideLabel)
        layout.addWidget(self._add_box())
        layout.addWidget(self._saved_box())
        self.statusLabel = QLabel()
        self.statusLabel.setObjectName("keyStatusLabel")
        self.statusLabel.setWordWrap(True)
        self.statusLabel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.statusLabel)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.demoButton = buttons.addButton("Try the demo", QDialogButtonBox.ButtonRole.ActionRole)
        self.demoButton.setObjectName("demoButton")
        self.demoButton.setVisible(first_run)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.demo_requested = False
        self.demoButton.clicked.connect(self._choose_demo)
        self.keyEdit.setFocus()
        self.refresh()

    # ----- layout ---------------------------------------------------------------------------

    def _add_box(self) -> QGroupBox:
        box = QGroupBox("Add or replace a key")
        form = QFormLayout(box)
        self.nameEdit = QLineEdit("default")
        self.nameEdit.setObjectName("keyNameEdit")
        self.nameEdit.setAccessibleName("Key name")
        self.keyEdit = QLineEdit()
        self.keyEdit.setObjectName("keyEdit")
        self.keyEdit.setAccessibleName("API key")
        self.keyEdit.setEchoMode(QLineEdit.EchoMode.Password)
        self.keyEdit.setPlaceholderText("sk-or-v1-...")
        self.showButton = QToolButton()
        self.showButton.setObjectName("showKeyButton")
        self.showButton.setText("Show")
        self.showButton.setAccessibleName("Show or hide the key")
        self.showButton.setCheckable(True)
        self.showButton.toggled.connect(self._toggle_echo)
        key_row = QHBoxLayout()
        key_row.addWidget(self.keyEdit, 1)
        key_row.addWidget(self.showButton)
        form.addRow("Name", self.nameEdit)
        form.addRow("Key", key_row)
        row = QHBoxLayout()
        self.testButton = named_button("Test", "testKeyButton")
        self.saveButton = named_button("Save to keyring", "saveKeyButton")
        self.sessionButton = named_button("Use for this session only", "sessionKeyButton")
        for button in (self.testButton, self.saveButton, self.sessionButton):
            row.addWidget(button)
        form.addRow(row)
        self.testButton.clicked.connect(lambda: self._run(self._test_pasted))
        self.saveButton.clicked.connect(lambda: self._run(self._save))
        self.sessionButton.clicked.connect(lambda: self._run(self._save_session))
        self.keyEdit.returnPressed.connect(self.saveButton.click)
        return box

    def _saved_box(self) -> QGroupBox:
        box = QGroupBox("Saved keys")
        layout = QVBoxLayout(box)
        self.keyList = QListWidget()
        self.keyList.setObjectName("keyList")
        self.keyList.setAccessibleName("Saved keys")
        self.keyList.setMaximumHeight(130)
        layout.addWidget(self.keyList)
        row = QHBoxLayout()
        self.useButton = named_button("Use", "useKeyButton")
        self.testSavedButton = named_button("Test", "testSavedKeyButton")
        self.renameButton = named_button("Rename...", "renameKeyButton")
        self.replaceButton = named_button("Replace...", "replaceKeyButton")
        self.removeButton = named_button("Remove...", "removeKeyButton")
        for button in (
            self.useButton,
            self.testSavedButton,
            self.renameButton,
            self.replaceButton,
            self.removeButton,
        ):
            row.addWidget(button)
        layout.addLayout(row)
        self.useButton.clicked.connect(lambda: self._with_selected(self._use))
        self.testSavedButton.clicked.connect(lambda: self._with_selected(self._test_saved))
        self.renameButton.clicked.connect(lambda: self._with_selected(self._rename))
        self.replaceButton.clicked.connect(lambda: self._with_selected(self._replace))
        self.removeButton.clicked.connect(lambda: self._with_selected(self._remove))
        return box

    def _toggle_echo(self, shown: bool) -> None:
        self.keyEdit.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        self.showButton.setText("Hide" if shown else "Show")

    # ----- behaviour ------------------------------------------------------------------------

    def refresh(self) -> None:
        override = self.session.ctx.keys.override()
        if override is not None:
            self.overrideLabel.setText(
                f"In use: {override.describe()}. It takes precedence over saved keys "
                "while it is set; the keys below are kept for later."
            )
        self.overrideLabel.setVisible(override is not None)
        self._run(self._fill_list, busy=False)

    async def _fill_list(self) -> None:
        rows = await self.session.list_keys()
        self.keyList.clear()
        for name, masked, active in rows:
            item = QListWidgetItem(f"{name}  -  {masked}" + ("  (active)" if active else ""))
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.keyList.addItem(item)
        if not rows:
            self.keyList.addItem("No saved keys yet.")

    def _run(self, work: Callable[[], Awaitable[Any]], *, busy: bool = True) -> None:
        async def guarded() -> None:
            if busy:
                self.statusLabel.setText("Working...")
            try:
                await work()
            except KeyringError as exc:
                self.statusLabel.setText(f"⚠ {exc}")
            except ApiError as exc:
                self.statusLabel.setText(_api_words(exc))
            except PlaygroundError as exc:
                self.statusLabel.setText(f"⚠ {exc}")

        self.session.spawn(guarded(), "key-dialog")

    def _with_selected(self, action: Callable[[str], Awaitable[Any]]) -> None:
        item = self.keyList.currentItem()
        name = item.data(Qt.ItemDataRole.UserRole) if item else None
        if not name:
            self.statusLabel.setText("Pick a saved key first.")
            return
        self._run(lambda: action(name))

    async def _test_pasted(self) -> None:
        lines = await self.session.test_key(self.keyEdit.text() or None)
        self._show_figures("The key works.", lines)

    async def _test_saved(self, name: str) -> None:
        key = await self.session.ctx.keys.get(name)
        lines = await self.session.test_key(key.reveal())
        self._show_figures(f"Key '{name}' works.", lines)

    def _show_figures(self, title: str, lines: list[tuple[str, str]]) -> None:
        self.statusLabel.setText(title + "\n" + "\n".join(f"{label}: {value}" for label, value in lines))

    async def _save(self) -> None:
        warnings = await self.session.save_key(self.nameEdit.text(), self.keyEdit.text())
        self.keyEdit.clear()
        self.statusLabel.setText(
            " ".join([f"Saved to the system keyring as '{self.nameEdit.text().strip()}'.", *warnings])
        )
        await self._fill_list()

    async def _save_session(self) -> None:
        warnings = await self.session.save_key(self.nameEdit.text(), self.keyEdit.text(), session_only=True)
        self.keyEdit.clear()
        self.statusLabel.setText(
            " ".join(["Using the key for this session only; it is not saved.", *warnings])
        )

    async def _use(self, name: str) -> None:
        await self.session.use_key(name)
        self.statusLabel.setText(f"Now using '{name}'.")
        await self._fill_list()

    async def _rename(self, name: str) -> None:
        new, ok = QInputDialog.getText(self, "Rename key", f"New name for '{name}':", text=name)
        if ok and new.strip() and new.strip() != name:
            await self.session.rename_key(name, new.strip())
            self.statusLabel.setText(f"Renamed '{name}' to '{new.strip()}'.")
            await self._fill_list()

    async def _replace(self, name: str) -> None:
        self.nameEdit.setText(name)
        self.keyEdit.setFocus()
        self.statusLabel.setText(f"Paste the new key for '{name}' and press Save to replace it.")

    async def _remove(self, name: str) -> None:
        answer = QMessageBox.question(
            self, "Remove key", f"Remove the key '{name}' from the system keyring?\nThis cannot be undone."
        )
        if answer == QMessageBox.StandardButton.Yes:
            await self.session.remove_key(name)
            self.statusLabel.setText(f"Removed '{name}'.")
            await self._fill_list()

    def _choose_demo(self) -> None:
        self.demo_requested = True
        self.accept()


def _api_words(exc: ApiError) -> str:
    if exc.status == 401:
        return "✗ OpenRouter rejected this key (401): it is wrong, revoked or expired."
    if exc.kind == "network":
        return "⚠ Could not reach OpenRouter - this says nothing about the key. Check your connection."
    return f"⚠ {exc}"
