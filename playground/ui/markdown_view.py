"""MarkdownView: streams Markdown into a QTextBrowser with work that follows new text, not total text.

Finished paragraphs (up to a blank line outside a code fence) are rendered once and never touched
again; only the unfinished tail is re-rendered on each flush. ``setMarkdown`` on the whole answer
would be O(total length) per frame and freeze the window on long answers.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import (
    QColor,
    QPalette,
    QSyntaxHighlighter,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextDocumentFragment,
    QTextFormat,
)
from PySide6.QtWidgets import QTextBrowser, QWidget

# Text that Markdown renders as itself inside a paragraph (no markers, breaks or entities). A
# construct it could still complete (a URL, "1." turning into a list) is fixed when the paragraph
# ends and is rendered from its source.
_PLAIN = re.compile(r"(?:[^\W_]|[ ,.;:'\"?!()%/@+=-])*")
_BREAK_OR_FENCE = re.compile(r"\n\n|^ {0,3}(?:```|~~~)", re.MULTILINE)
_KEYWORDS = [
    "def",
    "class",
    "return",
    "if",
    "elif",
    "else",
    "for",
    "while",
    "in",
    "not",
    "and",
    "or",
    "import",
    "from",
    "as",
    "with",
    "try",
    "except",
    "finally",
    "raise",
    "yield",
    "async",
    "await",
    "lambda",
    "None",
    "True",
    "False",
    "pass",
    "break",
    "continue",
    "const",
    "let",
    "var",
    "function",
    "new",
    "this",
    "null",
    "true",
    "false",
    "public",
    "private",
    "static",
    "void",
    "int",
    "string",
    "fn",
    "pub",
    "use",
    "struct",
    "impl",
    "match",
    "mut",
    "SELECT",
    "FROM",
    "WHERE",
]
_RULES = [
    ("keyword", re.compile(r"\b(" + "|".join(_KEYWORDS) + r")\b")),
    ("number", re.compile(r"\b\d+(\.\d+)?\b")),
    ("string", re.compile(r"(\"[^\"\n]*\"|'[^'\n]*'|`[^`\n]*`)")),
    ("comment", re.compile(r"(#[^\n]*$|//[^\n]*$)")),
]


class CodeHighlighter(QSyntaxHighlighter):
    """Colours keywords, strings, numbers and comments inside fenced code blocks only."""

    def __init__(self, document: QTextDocument, palette: QPalette) -> None:
        super().__init__(document)
        dark = palette.color(QPalette.ColorRole.Text).lightness() > 128  # light text: a dark theme
        colours = {
            "keyword": "#c678dd" if dark else "#8250df",
            "number": "#d19a66" if dark else "#0550ae",
            "string": "#98c379" if dark else "#0a7a32",
            "comment": "#7f848e" if dark else "#6e7781",
        }
        self._formats: dict[str, QTextCharFormat] = {}
        for name, colour in colours.items():
            fmt = QTextCharFormat()
            fmt.setForeground(QColor(colour))
            if name == "comment":
                fmt.setFontItalic(True)
            self._formats[name] = fmt

    def highlightBlock(self, text: str) -> None:
        if not self.currentBlock().blockFormat().hasProperty(QTextFormat.Property.BlockCodeFence):
            return
        for name, pattern in _RULES:
            for match in pattern.finditer(text):
                self.setFormat(match.start(), match.end() - match.start(), self._formats[name])


def safe_split(text: str, fence_open: bool = False) -> tuple[int, bool]:
    """Where the last finished paragraph of ``text`` ends (after a blank line outside a code fence),
    and whether a fence is open at that point. ``fence_open``: the state at the start of ``text``."""
    cut, cut_state, state = 0, fence_open, fence_open
    for match in _BREAK_OR_FENCE.finditer(text):
        if match.group(0) == "\n\n":
            if not state:
                cut, cut_state = match.end(), state
        else:
            state = not state
    return cut, cut_state


class MarkdownView(QTextBrowser):
    """Answer text rendered as Markdown (or raw), appended in batches."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("outputView")
        self.setAccessibleName("Answer")
        self.setOpenExternalLinks(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextBrowserInteraction | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.document().setUndoRedoEnabled(False)  # an answer is never edited; undo would only cost
        self._highlighter = CodeHighlighter(self.document(), self.palette())
        self._chunks: list[str] = []  # the whole answer, as it arrived
        self._tail = ""  # source not yet rendered for good (the unfinished paragraph)
        self._fence_open = False  # inside a code fence at the start of the tail
        self._tail_at = 0  # document position where the re-rendered tail starts
        self.raw = False

    @property
    def tail_length(self) -> int:
        """Characters re-rendered on each append (the unfinished paragraph or code block)."""
        return 0 if self.raw else len(self._tail)

    @property
    def text(self) -> str:
        if len(self._chunks) > 1:
            self._chunks[:] = ["".join(self._chunks)]
        return self._chunks[0] if self._chunks else ""

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self._highlighter.setDocument(None)
            self.document().setUndoRedoEnabled(False)  # an answer is never edited; undo would only cost
        self._highlighter = CodeHighlighter(self.document(), self.palette())
        super().changeEvent(event)

    def clear_text(self) -> None:
        self._chunks.clear()
        self._tail = ""
        self._fence_open = False
        self._tail_at = 0
        self.document().clear()

    def set_raw(self, raw: bool) -> None:
        """Switch between rendered Markdown and the raw text; re-renders once."""
        if raw == self.raw:
            return
        self.raw = raw
        text = self.text
        self.clear_text()
        self.append_text(text)

    def append_text(self, chunk: str) -> None:
        if not chunk:
            return
        bar = self.verticalScrollBar()
        at_bottom = bar.value() >= bar.maximum() - 4
        self._chunks.append(chunk)
        if self.raw:
            cursor = QTextCursor(self.document())
            cursor.movePosition(QTextCursor.MoveOperation.End)
            cursor.insertText(chunk)
        else:
            plain = bool(self._tail.strip()) and _PLAIN.fullmatch(self._tail) and _PLAIN.fullmatch(chunk)
            self._tail += chunk
            if plain:  # words added to a plain paragraph render as themselves: no re-render needed
                cursor = QTextCursor(self.document())
                cursor.movePosition(QTextCursor.MoveOperation.End)
                cursor.insertText(chunk)
            else:
                self._render_markdown()
        if at_bottom:
            bar.setValue(bar.maximum())

    def _render_markdown(self) -> None:
        cursor = QTextCursor(self.document())
        cursor.beginEditBlock()  # one layout pass for the whole update, not one per edit
        try:
            self._replace_tail(cursor)
        finally:
            cursor.endEditBlock()

    def _replace_tail(self, cursor: QTextCursor) -> None:
        cursor.setPosition(self._tail_at)
        cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        cut, fence_after = safe_split(self._tail, self._fence_open)
        if cut:
            self._insert(self._tail[:cut])
            self._tail, self._fence_open = self._tail[cut:], fence_after
            self._tail_at = self._end()
        self._insert(self._tail)

    def _end(self) -> int:
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        return cursor.position()

    def _insert(self, markdown: str) -> None:
        if not markdown.strip():
            return
        piece = QTextDocument()
        piece.setMarkdown(markdown)
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        if cursor.position() > 0:
            cursor.insertBlock(QTextBlockFormat(), QTextCharFormat())
        start = cursor.position()
        cursor.insertFragment(QTextDocumentFragment(piece))
        first = QTextCursor(self.document())
        first.setPosition(start)
        first.setBlockFormat(piece.begin().blockFormat())  # the first block would take the old format
        self._shade_code_blocks(start)

    def _shade_code_blocks(self, start: int) -> None:
        """Give fenced code a background, from the inserted position on."""
        shade = self.palette().color(QPalette.ColorRole.AlternateBase)
        block = self.document().findBlock(start)
        while block.isValid():
            fmt = block.blockFormat()
            if fmt.hasProperty(QTextFormat.Property.BlockCodeFence):
                fmt.setBackground(shade)
                cursor = QTextCursor(block)
                cursor.setBlockFormat(fmt)
            block = block.next()
