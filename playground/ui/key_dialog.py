"""KeyDialog: paste, test and save a key; list, switch, rename, replace and remove saved keys.

Keyring calls go through the Session, off the event loop, so the dialog never freezes. When the
keyring is missing or locked the dialog says so in plain words and offers a session-only key.
Save checks the key first; a rejected key is kept only when the person confirms, and is not made
the key in use (playground.core.keyflow, shared with ``playground key set``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from playground.core.keyflow import KeyCheck

LOCKED_WORDS = (
    "Your keyring is locked. Your saved keys are in it: unlock it (the system asks for its "
    "password) to use them, or paste a key to use for this session only."
)


class KeyDialog(QDialog):
    """First-run key entry and key settings in one dialog."""

    def __init__(
        self,
        session: Session,
        parent: QWidget | None = None,
        *,
        first_run: bool = False,
        locked: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("keyDialog")
        self.setAccessibleName("API keys")
        title = "Your keyring is locked" if locked else "Welcome - add your OpenRouter key"
        self.setWindowTitle(title if first_run or locked else "API keys")
        self.setMinimumWidth(560)
        self.session = session
        self.confirmBox: QMessageBox | None = None
        layout = QVBoxLayout(self)
        if locked:
            intro = QLabel(LOCKED_WORDS)
            intro.setObjectName("lockedLabel")
            intro.setWordWrap(True)
            layout.addWidget(intro)
        elif first_run:
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
        self.statusLabel.setTextFormat(Qt.TextFormat.PlainText)
        self.statusLabel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.statusLabel)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.demoButton = buttons.addButton("Try the demo", QDialogButtonBox.ButtonRole.ActionRole)
        self.demoButton.setObjectName("demoButton")
        self.demoButton.setVisible(first_run and not locked)
        self.unlockButton = buttons.addButton("Unlock", QDialogButtonBox.ButtonRole.ActionRole)
        self.unlockButton.setObjectName("unlockButton")
        self.unlockButton.setAccessibleName("Unlock the keyring")
        self.unlockButton.setVisible(locked)
        self.unlockButton.clicked.connect(lambda: self._run(self._unlock))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.demo_requested = False
        self.demoButton.clicked.connect(self._choose_demo)
        self.keyEdit.setFocus()
        session.keysChanged.connect(self.refresh)
        self.finished.connect(self._stop_listening)
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
        self.addStatus = _message_label("addKeyStatus", "Result of Test or Save")
        form.addRow(self.addStatus)  # a result or an error, right under the button that caused it
        self.testButton.clicked.connect(lambda: self._run(self._test_pasted, where=self.addStatus))
        self.saveButton.clicked.connect(lambda: self._run(self._save, where=self.addStatus))
        self.sessionButton.clicked.connect(lambda: self._run(self._save_session, where=self.addStatus))
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
        self.savedStatus = _message_label("savedKeyStatus", "Result of the saved key's action")
        layout.addWidget(self.savedStatus)
        self.useButton.clicked.connect(lambda: self._with_selected(self._use))
        self.testSavedButton.clicked.connect(lambda: self._with_selected(self._test_saved))
        self.renameButton.clicked.connect(lambda: self._with_selected(self._rename))
        self.replaceButton.clicked.connect(lambda: self._with_selected(self._replace))
        self.removeButton.clicked.connect(lambda: self._with_selected(self._remove))
        return box

    def _stop_listening(self) -> None:
        with suppress(RuntimeError):  # already disconnected (finished twice)
            self.session.keysChanged.disconnect(self.refresh)

    def _toggle_echo(self, shown: bool) -> None:
        self.keyEdit.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        self.showButton.setText("Hide" if shown else "Show")

    # ----- behaviour ------------------------------------------------------------------------

    def refresh(self) -> None:
        """Say which key is in use and why, then list the saved keys (read in parallel)."""
        keys = self.session.keys
        override = keys.override()
        lines = [f"⚠ {problem}" for problem in keys.override_problems()]
        if override is not None:
            lines.insert(
                0,
                f"In use: {override.describe()}. It takes precedence over saved keys while it is set; "
                "the keys below are kept for later.",
            )
        self.overrideLabel.setText("\n".join(lines))
        self.overrideLabel.setVisible(bool(lines))
        if self.keyList.count() == 0:
            self.keyList.addItem("Loading saved keys...")
        self._run(self._fill_list, busy=False)

    async def _fill_list(self) -> None:
        rows = await self.session.keys.list_keys()
        selected = self._selected_name()
        self.keyList.clear()
        for name, masked, active in rows:
            item = QListWidgetItem(f"{name}  -  {masked}" + ("  (in use)" if active else ""))
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.keyList.addItem(item)
            if name == selected:
                self.keyList.setCurrentItem(item)
        if not rows:
            self.keyList.addItem("No saved keys yet.")

    def _run(
        self, work: Callable[[], Awaitable[Any]], *, busy: bool = True, where: QLabel | None = None
    ) -> None:
        """Run ``work`` off the event loop; its progress and any error show in ``where``: beside the
        buttons that started it (the dialog's own line for dialog-wide work)."""
        label = where or self.statusLabel

        async def guarded() -> None:
            if busy:
                self._say(label, "Working...")
            try:
                await work()
            except KeyringError as exc:
                self._say(label, f"⚠ {exc}", error=True)
            except ApiError as exc:
                self._say(label, _api_words(exc), error=True)
            except PlaygroundError as exc:
                self._say(label, f"⚠ {exc}", error=True)

        self.session.spawn(guarded(), "key-dialog")

    def _say(self, label: QLabel, text: str, *, error: bool = False) -> None:
        """One message at a time, beside its cause: the other places are cleared."""
        for other in (self.addStatus, self.savedStatus, self.statusLabel):
            if other is not label:
                other.clear()
                other.setProperty("tone", "")
                other.setVisible(other is self.statusLabel)
        label.setText(text)
        label.setProperty("tone", "error" if error else "")
        label.setVisible(bool(text) or label is self.statusLabel)
        label.style().unpolish(label)  # the style sheet's [tone="error"] look follows the property
        label.style().polish(label)

    def _selected_name(self) -> str | None:
        item = self.keyList.currentItem()
        name = item.data(Qt.ItemDataRole.UserRole) if item else None
        return name if isinstance(name, str) and name else None

    def _with_selected(self, action: Callable[[str], Awaitable[Any]]) -> None:
        name = self._selected_name()
        if name is None:
            self._say(self.savedStatus, "Pick a saved key first.", error=True)
            return
        self._run(lambda: action(name), where=self.savedStatus)

    async def _test_pasted(self) -> None:
        check = await self.session.keys.test_key(self.keyEdit.text() or None)
        self._show_check(check.words, check, self.addStatus)

    def test_in_use(self) -> None:
        """Keys > Test the key in use: test it, whatever its source."""
        active = self.session.keys.active
        if active is None:
            self._say(self.statusLabel, f"⚠ {self.session.keys.key_description()}", error=True)
            return
        self._run(lambda: self._test_key_in_use(active.describe()))

    async def _test_key_in_use(self, described: str) -> None:
        check = await self.session.keys.test_key(None)
        self._show_check(f"Testing the {described}: {check.words}", check, self.statusLabel)

    async def _test_saved(self, name: str) -> None:
        check = await self.session.keys.test_saved(name)
        self._show_check(f"Key '{name}': {check.words}", check, self.savedStatus)

    def _show_check(self, title: str, check: KeyCheck, where: QLabel) -> None:
        mark = {"works": "✓", "rejected": "✗"}.get(check.verdict.value, "⚠")
        figures = "".join(f"\n{label}: {value}" for label, value in check.figures)
        self._say(where, f"{mark} {title}{figures}", error=check.verdict.value != "works")

    async def _save(self) -> None:
        self._say(self.addStatus, "Checking the key with OpenRouter, then saving...")
        name, raw = self.nameEdit.text(), self.keyEdit.text()
        result = await self.session.keys.save_key(name, raw, self._confirm_rejected)
        self._clear_key()
        self._say(self.addStatus, " ".join([result.summary(), *result.warnings, *self._override_note()]))

    async def _confirm_rejected(self, check: KeyCheck) -> bool:
        """Ask (without a nested event loop) whether to keep a key OpenRouter rejected."""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Key rejected",
            f"{check.words}\nSave it anyway? It will not be made the key in use.",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("confirmRejectedBox")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        answered: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

        def finished(code: int) -> None:
            if not answered.done():
                answered.set_result(code == QMessageBox.StandardButton.Save)

        box.finished.connect(finished)
        self.confirmBox = box
        box.open()
        try:
            return await answered
        finally:
            self.confirmBox = None
            box.deleteLater()

    def _clear_key(self) -> None:
        self.keyEdit.clear()
        self.showButton.setChecked(False)  # the next key is typed hidden again

    def _override_note(self) -> list[str]:
        override = self.session.keys.override()
        if override is None:
            return []
        return [f"While it is set, {override.describe()} is the one used."]

    async def _save_session(self) -> None:
        warnings = await self.session.keys.save_session_key(self.nameEdit.text(), self.keyEdit.text())
        self._clear_key()
        words = ["Using the key for this session only; it is not saved.", *warnings, *self._override_note()]
        self._say(self.addStatus, " ".join(words))

    async def _use(self, name: str) -> None:
        await self.session.keys.use_key(name)
        self._say(self.savedStatus, " ".join([f"'{name}' is now the key in use.", *self._override_note()]))

    async def _unlock(self) -> None:
        self._say(self.statusLabel, "Unlocking: answer the system's password prompt...")
        await self.session.keys.unlock_keyring()
        if self.session.keys.active is not None:
            self._say(self.statusLabel, f"Unlocked. In use: {self.session.keys.active.describe()}.")
        else:
            self._say(self.statusLabel, f"⚠ {self.session.keys.key_description()}", error=True)

    async def _rename(self, name: str) -> None:
        new, ok = QInputDialog.getText(self, "Rename key", f"New name for '{name}':", text=name)
        new = new.strip()
        if ok and new and new != name:
            await self.session.keys.rename_key(name, new)
            if self.nameEdit.text().strip() == name:
                self.nameEdit.setText(new)
            self._say(self.savedStatus, f"Renamed '{name}' to '{new}'.")

    async def _replace(self, name: str) -> None:
        self.nameEdit.setText(name)
        self.keyEdit.setFocus()
        self._say(self.addStatus, f"Paste the new key for '{name}' and press Save to replace it.")

    async def _remove(self, name: str) -> None:
        answer = QMessageBox.question(
            self, "Remove key", f"Remove the key '{name}' from the system keyring?\nThis cannot be undone."
        )
        if answer == QMessageBox.StandardButton.Yes:
            now = await self.session.keys.remove_key(name)
            then = f" '{now}' is now the key in use." if now else ""
            self._say(self.savedStatus, f"Removed '{name}'.{then}")

    def _choose_demo(self) -> None:
        self.demo_requested = True
        self.accept()


def _message_label(name: str, spoken: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setAccessibleName(spoken)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)  # a server's or keyring's words, never markup
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def _api_words(exc: ApiError) -> str:
    if exc.status == 401:
        return "✗ OpenRouter rejected this key (401): it is wrong, revoked or expired."
    if exc.kind == "network":
        return "⚠ Could not reach OpenRouter - this says nothing about the key. Check your connection."
    return f"⚠ {exc}"
