"""Small dialogs: 'Get code' for a pane, a word-level diff of two answers, the keyboard shortcuts."""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFont, QFontMetrics, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from playground.core.request import ChatRequest
from playground.core.snippets import LANGUAGES, snippet
from playground.core.textdiff import diff_colours, similarity, word_diff


class CodeDialog(QDialog):
    """The pane's request as curl, Python and JavaScript; the key comes from the environment."""

    def __init__(self, request: ChatRequest, base_url: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("codeDialog")
        # one dialog per Get code: deleted when closed, so opening it again and again keeps nothing
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(f"Code for {request.model}")
        self.resize(720, 480)
        layout = QVBoxLayout(self)
        note = QLabel("Each snippet reads the key from OPENROUTER_API_KEY; it never contains the key.")
        note.setWordWrap(True)
        layout.addWidget(note)
        self.tabs = QTabWidget()
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.TypeWriter)
        self.texts: dict[str, str] = {}
        for language in LANGUAGES:
            text = snippet(request, base_url, language)
            self.texts[language] = text
            view = QPlainTextEdit(text)
            view.setReadOnly(True)
            view.setFont(mono)
            view.setObjectName(f"{language}Snippet")
            title = {"curl": "curl", "python": "Python (httpx)", "javascript": "JavaScript"}[language]
            view.setAccessibleName(f"Request as {title}")
            self.tabs.addTab(view, title)
        layout.addWidget(self.tabs, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = buttons.addButton("Copy", QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(self.copy_current)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def copy_current(self) -> None:
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.setText(self.texts[LANGUAGES[self.tabs.currentIndex()]])


class DiffDialog(QDialog):
    """Two answers, word by word: removed words struck through in red, added ones in green."""

    def __init__(self, answers: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("diffDialog")
        self.setWindowTitle("Differences between two answers")
        self.resize(900, 600)
        self.answers = answers
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.left = QComboBox()
        self.right = QComboBox()
        self.left.setAccessibleName("First answer")
        self.right.setAccessibleName("Second answer")
        for combo in (self.left, self.right):
            combo.addItems([f"{i + 1}. {model}" for i, (model, _text) in enumerate(answers)])
        self.right.setCurrentIndex(min(1, len(answers) - 1))
        row.addWidget(QLabel("Compare"))
        row.addWidget(self.left, 1)
        row.addWidget(QLabel("with"))
        row.addWidget(self.right, 1)
        layout.addLayout(row)
        self.summary = QLabel()
        layout.addWidget(self.summary)
        self.view = QTextBrowser()
        self.view.setObjectName("diffView")
        self.view.setAccessibleName("Differences")
        layout.addWidget(self.view, 1)
        self.left.currentIndexChanged.connect(self.redraw)
        self.right.currentIndexChanged.connect(self.redraw)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.redraw()

    def redraw(self) -> None:
        left = self.answers[self.left.currentIndex()][1]
        right = self.answers[self.right.currentIndex()][1]
        base = self.palette().color(QPalette.ColorRole.Base)  # the dialog's: children follow it
        self.html = diff_html(left, right, dark=base.lightnessF() < 0.5)
        self.view.setHtml(self.html)
        self.summary.setText(f"{similarity(left, right):.0%} of the words are shared.")

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "html"):
            self.redraw()  # the diff colours belong to the theme


def diff_html(left: str, right: str, *, dark: bool = False) -> str:
    colours = diff_colours(dark)
    added = f"background:{colours.added_background};color:{colours.added_text}"
    removed = f"background:{colours.removed_background};color:{colours.removed_text}"
    parts = []
    before = ""
    for piece in word_diff(left, right):
        text = html.escape(piece.text).replace("\n", "<br>")
        if piece.kind == "added":
            if before == "removed":  # "keeps stores", not "keepsstores": a gap between old and new
                parts.append("\u2009")
            parts.append(f'<span style="{added}">{text}</span>')
        elif piece.kind == "removed":
            parts.append(f'<span style="{removed};text-decoration:line-through">{text}</span>')
        else:
            parts.append(text)
        before = piece.kind
    return "<div style='white-space:pre-wrap'>" + "".join(parts) + "</div>"


class ShortcutsDialog(QDialog):
    """Every keyboard shortcut in a two-column table: the keys, and what they do."""

    def __init__(self, shortcuts: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle("Keyboard shortcuts")
        layout = QVBoxLayout(self)
        self.table = QTableWidget(len(shortcuts), 2)
        self.table.setObjectName("shortcutsTable")
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.setHorizontalHeaderLabels(["Keys", "Action"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setShowGrid(False)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.TypeWriter)
        for row, (keys, action) in enumerate(shortcuts):
            key_item = QTableWidgetItem(keys)
            key_item.setFont(mono)
            self.table.setItem(row, 0, key_item)
            self.table.setItem(row, 1, QTableWidgetItem(action))
        # measured in the keys' own (monospace) font, with room after them: resizeColumnsToContents
        # measured before the font was resolved and cut "Ctrl+Shift+Enter" short
        metrics = QFontMetrics(mono)
        widest = max((metrics.horizontalAdvance(keys) for keys, _action in shortcuts), default=0)
        self.table.setColumnWidth(0, widest + metrics.horizontalAdvance("MM"))
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(480, min(640, 80 + 30 * len(shortcuts)))
