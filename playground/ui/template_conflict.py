"""The questions the template panel asks before work could be lost.

ConflictBox: the file changed on disk since it was loaded (keep mine / take theirs / show both).
BothDialog: the file on disk and the unsaved edits side by side, to choose after reading them.
UnsavedBox: unsaved edits before New, another template or Quit (save / discard / cancel).

Each is opened window-modal with ``open()`` and says what was chosen through a signal, so the
window keeps running while it is shown (and tests click its real buttons).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from playground.core.errors import PlaygroundError
from playground.core.templates import TemplateConflict

if TYPE_CHECKING:
    from playground.ui.template_panel import TemplatePanel

Role = QMessageBox.ButtonRole


class _ChoiceBox(QMessageBox):
    """A message box whose buttons each stand for one named choice.

    Signals:
        chosen(str): the name of the button clicked ("cancel" for Cancel or Escape).
    """

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setIcon(QMessageBox.Icon.Warning)
        self.setTextFormat(Qt.TextFormat.PlainText)  # file and template names are not markup
        self._names: dict[QAbstractButton, str] = {}
        self.buttonClicked.connect(lambda button: self.chosen.emit(self._names.get(button, "cancel")))

    def _choice(self, text: str, role: Role, name: str) -> QPushButton:
        button = self.addButton(text, role)
        button.setObjectName(f"{name}Choice")
        self._names[button] = name
        return button


class ConflictBox(_ChoiceBox):
    """The template file was changed (or deleted) outside the app while it had unsaved edits."""

    def __init__(self, file_name: str, deleted: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("templateConflictBox")
        self.setWindowTitle("Template changed on disk")
        what = "deleted" if deleted else "changed"
        self.setText(f"{file_name} was {what} outside the app since you opened it.")
        self.setInformativeText(
            "Keep mine: save your edits over it (the file's text is kept in Versions first).\n"
            "Take theirs: drop your edits and load the file as it is now.\n"
            "Show both: read them side by side before choosing."
        )
        self.mineButton = self._choice("Keep mine", Role.AcceptRole, "mine")
        if not deleted:
            self.theirsButton = self._choice("Take theirs", Role.DestructiveRole, "theirs")
            self.bothButton = self._choice("Show both", Role.ActionRole, "both")
        self.cancelButton = self._choice("Cancel", Role.RejectRole, "cancel")
        self.setDefaultButton(self.cancelButton)


class UnsavedBox(_ChoiceBox):
    """Unsaved edits in the template editor."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("templateUnsavedBox")
        self.setWindowTitle("Unsaved template")
        self.setText(f"Save your changes to '{name}'?" if name else "Save the new template?")
        self.setInformativeText("Your edits are lost if you don't save them.")
        self.saveButton = self._choice("Save", Role.AcceptRole, "save")
        self.discardButton = self._choice("Don't save", Role.DestructiveRole, "discard")
        self.cancelButton = self._choice("Cancel", Role.RejectRole, "cancel")
        self.setDefaultButton(self.saveButton)


class BothDialog(QDialog):
    """The template file as it is on disk now, beside the unsaved edits.

    Signals:
        chosen(str): "mine", "theirs", or "cancel" when closed without choosing.
    """

    chosen = Signal(str)

    def __init__(self, file_name: str, theirs: str, mine: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("templateBothDialog")
        self.setWindowTitle(f"{file_name}: on disk and your edits")
        self.resize(900, 560)
        layout = QGridLayout(self)
        for column, (title, text, name) in enumerate(
            (("On disk now", theirs, "theirsView"), ("Your edits (not saved)", mine, "mineView"))
        ):
            view = QPlainTextEdit(text)
            view.setReadOnly(True)
            view.setObjectName(name)
            view.setAccessibleName(title)
            layout.addWidget(QLabel(title), 0, column)
            layout.addWidget(view, 1, column)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.mineButton = buttons.addButton("Keep mine", QDialogButtonBox.ButtonRole.AcceptRole)
        self.theirsButton = buttons.addButton("Take theirs", QDialogButtonBox.ButtonRole.DestructiveRole)
        self.mineButton.clicked.connect(lambda: self._choose("mine"))
        self.theirsButton.clicked.connect(lambda: self._choose("theirs"))
        buttons.rejected.connect(self.reject)
        self.rejected.connect(lambda: self.chosen.emit("cancel"))
        layout.addWidget(buttons, 2, 0, 1, 2)

    def _choose(self, name: str) -> None:
        self.chosen.emit(name)
        self.accept()


class SaveGuard:
    """Asks the template panel's user before edits could be lost, and carries out the answer."""

    def __init__(self, panel: TemplatePanel) -> None:
        self.panel = panel
        self.box: QMessageBox | None = None  # the question on screen, if any
        self.both: BothDialog | None = None

    def ask_unsaved(self, then: Callable[[], object]) -> bool:
        """True when nothing is unsaved; otherwise ask (save / discard / cancel), run ``then`` once
        the edits are saved or discarded, and return False."""
        if not self.panel.dirty:
            return True
        box = UnsavedBox(self.panel.nameEdit.text().strip(), self.panel)
        box.chosen.connect(lambda choice: self._unsaved_chosen(choice, then))
        self._show(box)
        return False

    def _unsaved_chosen(self, choice: str, then: Callable[[], object]) -> None:
        if choice == "save" and not self.panel.save():
            return  # the status line (or a conflict question) says why
        if choice == "discard":
            self.panel.discard_edits()
        if choice in ("save", "discard"):
            then()

    def ask_conflict(self, conflict: TemplateConflict, note: str) -> None:
        self.panel.statusLabel.setText(f"Not saved yet: {conflict}")
        box = ConflictBox(conflict.path.name, conflict.theirs is None, self.panel)
        box.chosen.connect(lambda choice: self._resolve(choice, conflict, note))
        self._show(box)

    def _show(self, box: QMessageBox) -> None:
        self.box = box
        box.finished.connect(box.deleteLater)
        box.open()

    def _resolve(self, choice: str, conflict: TemplateConflict, note: str) -> None:
        theirs, panel = conflict.theirs, self.panel
        if choice == "mine":
            if theirs is not None:  # their text stays one click away, in Versions
                try:
                    panel.session.templates.current_version(theirs)
                except PlaygroundError as exc:  # history unavailable: still do what was asked
                    panel.statusLabel.setText(f"The file's text could not be kept in Versions: {exc}")
            panel.save(note, over=conflict.digest)
        elif choice == "theirs" and theirs is not None:
            panel.load(theirs, conflict.digest)
            loaded = f"Loaded {conflict.path.name} as it is on disk; your edits were dropped."
            panel.statusLabel.setText(loaded)
        elif choice == "both" and theirs is not None:
            mine = panel.edited_template().to_toml()
            dialog = BothDialog(conflict.path.name, theirs.to_toml(), mine, panel)
            dialog.chosen.connect(lambda again: self._resolve(again, conflict, note))
            dialog.open()
            self.both = dialog

    def outside_change(self) -> None:
        """The templates folder changed: reload the template shown, or say why it is not reloaded."""
        panel = self.panel
        if panel.current is None:
            return
        name = panel.current.name
        entry = panel.session.templates.entry(name)
        if entry is not None and entry.digest == panel.digest:
            return
        if entry is None:
            panel.statusLabel.setText(f"'{name}' was deleted outside the app. Save writes it again.")
        elif entry.template is None:
            panel.statusLabel.setText(
                f"{entry.path} is broken on disk now: {entry.error}. It is left alone; the editor "
                "keeps what it shows."
            )
        elif not panel.dirty:
            panel.load(entry.template, entry.digest)
            panel.statusLabel.setText(f"'{name}' was changed outside the app; reloaded.")
        else:
            panel.statusLabel.setText(
                f"'{name}' was changed outside the app while you have unsaved edits. Save asks which to keep."
            )
