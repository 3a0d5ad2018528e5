"""A pane's conversation at a readable size: TurnEditDialog edits one of your turns to resend from
there; ThreadDialog shows the whole conversation in its own resizable window.

Signals:
    TurnEditDialog.edited(str): the new text of the turn, when the user chose to resend it.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from playground.ui.markdown_view import SAFE_MARKDOWN


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


class ThreadDialog(QDialog):
    """Every turn of one pane's conversation, read-only, in a window the user can make as big as
    they like (the pane's own view is a small strip above its answer)."""

    def __init__(self, model: str, markdown: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("threadDialog")
        self.setWindowTitle(f"Conversation with {model}" if model else "Conversation")
        self.resize(760, 640)
        layout = QVBoxLayout(self)
        self.view = QTextBrowser()
        self.view.setObjectName("threadDialogView")
        self.view.setAccessibleName("Whole conversation")
        self.view.setOpenLinks(False)  # links in answers are text here, never actions
        self.view.document().setMarkdown(markdown, SAFE_MARKDOWN)
        layout.addWidget(self.view, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
