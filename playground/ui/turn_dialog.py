"""TurnEditDialog: edit one of your earlier turns in a pane's conversation and resend from there.

Signals:
    edited(str): the new text of the turn, when the user chose to resend it.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget


class TurnEditDialog(QDialog):
    """A roomy, wrapping box for the turn's text (a prompt is prose, not one long line)."""

    edited = Signal(str)

    def __init__(self, index: int, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("turnEditDialog")
        self.setWindowTitle(f"Edit turn {index + 1} and resend")
        self.resize(640, 360)
        layout = QVBoxLayout(self)
        note = QLabel(
            f"Turn {index + 1}: the answers after it are left behind, and only this pane runs again."
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        self.editor = QPlainTextEdit(text)
        self.editor.setObjectName("turnEdit")
        self.editor.setAccessibleName("Turn text")
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        layout.addWidget(self.editor, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.resendButton = buttons.addButton("Resend from here", QDialogButtonBox.ButtonRole.AcceptRole)
        self.resendButton.setObjectName("resendTurnButton")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.editor.textChanged.connect(self._enable)
        self._enable()

    def _enable(self) -> None:
        self.resendButton.setEnabled(bool(self.editor.toPlainText().strip()))

    def accept(self) -> None:
        text = self.editor.toPlainText()
        if text.strip():
            super().accept()
            self.edited.emit(text)
