"""MarkdownView: streams Markdown into a QTextBrowser with work that follows new text, not total text.

Finished paragraphs (up to a blank line outside a code fence) are rendered once and never touched
again; only the unfinished tail is re-rendered on each flush. ``setMarkdown`` on the whole answer
would be O(total length) per frame and freeze the window on long answers.

Fenced code is not left to Qt's Markdown importer: each block becomes a framed table with the
fence's language, a Copy link and Pygments colours, all chosen for the current palette. A change of
colours (a theme switch; recolour.py) renders the answer again from its source.

A long batch (a full-speed answer's first turn, an answer from History, a theme switch) is rendered
in slices over several frames (markdown_slices), so it is paged like a streamed answer.

Signals:
    codeCopied(str): a code block's Copy link was used; the code is on the clipboard.
    rendered(): every piece of text given so far is rendered (after a batch that took slices).
"""

from __future__ import annotations

import re

from PySide6 import QtGui  # text classes on first use: PySide6 makes each (and its enums) when first reached
from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import (
    QContextMenuEvent,
    QFont,
    QGuiApplication,
    QKeyEvent,
    QMouseEvent,
    QPalette,
    QResizeEvent,
    QTextDocument,
)
from PySide6.QtWidgets import QTextBrowser, QWidget

from playground.ui.heap_release import heap_release
from playground.ui.highlight import highlight
from playground.ui.markdown_pages import PagesMixin
from playground.ui.markdown_slices import SLICE_CHARS, SlicesMixin, slicer
from playground.ui.recolour import RecolourMixin
from playground.ui.theme import Colours, is_dark, readable

# A character outside the text Markdown renders as itself inside a paragraph (letters, digits and
# some punctuation: no markers, breaks or entities), found in one scan. A construct plain text could
# still complete (a URL, "1." turning into a list) is fixed when the paragraph ends.
_NOT_PLAIN = re.compile(r"[^\w ,.;:'\"?!()%/@+=-]|_")
_BREAK_OR_FENCE = re.compile(r"\n\n|^ {0,3}(?:```|~~~)", re.MULTILINE)
_FENCE_LINE = re.compile(r"^ {0,3}(```|~~~)(.*)$")
# Answers come from servers: raw HTML in them is shown as text, never rendered (no spoofed buttons,
# no images that look like the app's own, nothing styled to hide text).
SAFE_MARKDOWN = (
    QTextDocument.MarkdownFeature.MarkdownDialectGitHub | QTextDocument.MarkdownFeature.MarkdownNoHTML
)
LIST_INDENT = 18  # pixels per list level (Qt's default 40 wastes a narrow pane)


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


def split_fences(markdown: str) -> list[tuple[str, str, str | None]]:
    """``markdown`` as ("text", source, None) and ("code", code, language) pieces, in order.

    A fence still open at the end (an answer mid-stream) is code up to the end."""
    pieces: list[tuple[str, str, str | None]] = []
    prose: list[str] = []
    code: list[str] | None = None
    marker, language = "", ""
    for line in markdown.split("\n"):
        match = _FENCE_LINE.match(line)
        if code is None and match:
            if prose:
                pieces.append(("text", "\n".join(prose), None))
                prose = []
            code, marker, language = [], match.group(1), match.group(2).strip()
        elif code is not None and match and match.group(1) == marker and not match.group(2).strip():
            pieces.append(("code", "\n".join(code), language))
            code = None
        elif code is not None:
            code.append(line)
        else:
            prose.append(line)
    if code is not None:
        pieces.append(("code", "\n".join(code), language))
    if prose and "\n".join(prose).strip():
        pieces.append(("text", "\n".join(prose), None))
    return pieces


def mono_font() -> QFont:
    font = QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont)
    font.setStyleHint(QFont.StyleHint.TypeWriter)
    return font


class MarkdownView(RecolourMixin, SlicesMixin, PagesMixin, QTextBrowser):
    """Answer text rendered as Markdown (or raw), appended in batches; a long streamed answer in pages
    (markdown_pages)."""

    codeCopied = Signal(str)
    rendered = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        self._pages, self._placeholder = [], ""
        super().__init__(parent)
        self.setObjectName("outputView")
        self.setAccessibleName("Answer")
        self.setOpenLinks(False)  # web links open in the browser; copy: links copy a code block
        self.anchorClicked.connect(self._link)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextBrowserInteraction | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.document().setUndoRedoEnabled(False)  # an answer is never edited; undo would only cost
        self.document().setIndentWidth(LIST_INDENT)
        self._chunks: list[str] = []  # the whole answer, as it arrived
        self._tail = ""  # source not yet rendered for good (the unfinished paragraph)
        self._plain_len = 0  # how much of the tail is known to be plain words (it only grows)
        self._backlog = ""  # source received but not rendered at all yet (the next slices)
        self._scroll_ratio: float | None = None  # where to scroll once the backlog is rendered
        self._fence_open = False  # inside a code fence at the start of the tail
        self._tail_at = 0  # document position where the re-rendered tail starts
        self._shown = ""  # the tail's source as it is rendered now (after _tail_at)
        self._codes: list[str] = []  # each code block's text, for its Copy link
        self._codes_final = 0  # code blocks before the tail (never re-rendered)
        self._page_chars = 0
        self._colours = Colours.of(self.palette())
        self.raw = False
        # Every pane follows its stream while the user leaves it at the bottom; scrolling up stops
        # that until they return. The range grows on layout, after append_text has returned, so
        # following is done when the range changes, not when text is appended.
        self.following = True
        bar = self.verticalScrollBar()
        bar.rangeChanged.connect(self._range_changed)
        bar.valueChanged.connect(self._scrolled)

    @property
    def tail_length(self) -> int:
        """Characters re-rendered on each append (the unfinished paragraph or code block)."""
        return 0 if self.raw else len(self._tail)

    @property
    def text(self) -> str:
        if len(self._chunks) > 1:
            self._chunks[:] = ["".join(self._chunks)]
        return self._chunks[0] if self._chunks else ""

    @property
    def code_blocks(self) -> list[str]:
        """The text of each code block shown, in order."""
        return list(self._codes)

    @property
    def recolouring(self) -> bool:
        """Whether a palette change is still to be looked at (at the next turn of the event loop) or
        the answer is still being rendered again in its new colours."""
        return self._palette_settling or self.rendering

    def _recoloured(self) -> None:
        if self.text:  # an empty view draws its first text in these colours
            self._render_again()

    def _render_again(self) -> None:
        """Render the whole answer from its source again (a theme switch changed every colour)."""
        text, bar, following = self.text, self.verticalScrollBar(), self.following
        ratio = bar.value() / bar.maximum() if bar.maximum() else 0.0
        self.clear_text()
        self._scroll_ratio = None if following else ratio
        self.append_text(text)
        self.following = following
        self._restore_scroll()

    def _range_changed(self, _low: int, high: int) -> None:
        if self.following:
            self.verticalScrollBar().setValue(high)

    def show_from_top(self) -> None:
        """A finished answer to read (not a stream to follow): stay at its start as it lays out."""
        self.following = False
        self.moveCursor(self.textCursor().MoveOperation.Start)
        self.verticalScrollBar().setValue(0)

    def _scrolled(self, value: int) -> None:
        self.following = value >= self.verticalScrollBar().maximum() - 4

    def clear_text(self) -> None:
        self._drop_pages()
        self._chunks.clear()
        self._tail, self._plain_len = "", 0
        self._backlog = ""
        self._scroll_ratio = None
        slicer().discard(self)
        self._fence_open = False
        self._tail_at = 0
        self._shown = ""
        self._codes.clear()
        self._codes_final = 0
        self.document().clear()
        self.following = True

    def set_raw(self, raw: bool) -> None:
        """Switch between rendered Markdown and the raw text (in a monospace font); re-renders once."""
        if raw == self.raw:
            return
        self.raw = raw
        self.document().setDefaultFont(mono_font() if raw else self.font())
        self._render_again()

    def append_text(self, chunk: str) -> None:
        if not chunk:
            return
        if not self._chunks:  # an answer begins: the heap set-up comes before its memory is taken
            heap_release()  # (see heap_release.py; not while the window is built: ctypes loads)
        self._chunks.append(chunk)
        if self.raw:
            cursor = QtGui.QTextCursor(self.document())
            cursor.movePosition(QtGui.QTextCursor.MoveOperation.End)
            cursor.insertText(chunk)
        elif self._backlog:  # behind already: in order, on the coming slices
            self._backlog += chunk
        elif (plain := self._plain(chunk)) or len(self._tail) + len(chunk) <= SLICE_CHARS:
            self._take(chunk, plain)
        else:  # a long batch, or a long unfinished paragraph to render again: on the coming frames
            self._backlog = chunk
            slicer().add(self)

    def _plain(self, chunk: str) -> bool:
        """Whether ``chunk`` only adds words to a plain paragraph (they render as themselves)."""
        tail = self._tail
        if not tail or tail.isspace():
            return False
        if self._plain_len < len(tail):  # only what came since the last look: not the whole paragraph
            found = _NOT_PLAIN.search(tail, self._plain_len)
            self._plain_len = len(tail) if found is None else found.start()
        return self._plain_len == len(tail) and _NOT_PLAIN.search(chunk) is None

    def _take(self, chunk: str, plain: bool | None = None) -> None:
        """Render ``chunk``, the source that follows what is rendered (``plain``: see _plain)."""
        plain = self._plain(chunk) if plain is None else plain
        self._tail += chunk
        if plain:  # words added to a plain paragraph render as themselves: no re-render needed
            cursor = QtGui.QTextCursor(self.document())
            cursor.movePosition(QtGui.QTextCursor.MoveOperation.End)
            cursor.insertText(chunk)
            self._shown, self._plain_len = self._tail, len(self._tail)
        else:
            self._render_markdown()

    def _render_markdown(self) -> None:
        if self._page_due():
            self._start_page()
        cursor = QtGui.QTextCursor(self.document())
        cursor.beginEditBlock()  # one layout pass for the whole update, not one per edit
        try:
            self._replace_tail(cursor)
        finally:
            cursor.endEditBlock()

    def _replace_tail(self, cursor: QtGui.QTextCursor) -> None:
        cut, fence_after = safe_split(self._tail, self._fence_open)
        finished, shown = self._tail[:cut], self._shown
        if not (shown and finished.startswith(shown) and not finished[len(shown) :].strip("\n")):
            cursor.setPosition(self._tail_at)
            cursor.movePosition(QtGui.QTextCursor.MoveOperation.End, QtGui.QTextCursor.MoveMode.KeepAnchor)
            cursor.removeSelectedText()
            del self._codes[self._codes_final :]
            self._insert(finished)
        self._page_chars += len(finished)
        # else the tail as shown became a finished paragraph (only its blank line was missing): it
        # renders the same, so it stays - re-inserting its tables and code blocks would cost a scan of
        # every frame of the answer each (Qt's QTextDocumentPrivate::scan_frames).
        if cut:
            self._tail, self._fence_open, self._plain_len = self._tail[cut:], fence_after, 0
            self._tail_at = self._end()
            self._codes_final = len(self._codes)
        self._insert(self._tail)
        self._shown = self._tail

    def _end(self) -> int:
        cursor = QtGui.QTextCursor(self.document())
        cursor.movePosition(QtGui.QTextCursor.MoveOperation.End)
        return cursor.position()

    def _insert(self, markdown: str) -> None:
        for kind, source, language in split_fences(markdown):
            if kind == "code":
                self._insert_code(source, language or "")
            else:
                self._insert_markdown(source)

    def _insert_markdown(self, markdown: str) -> None:
        if not markdown.strip():
            return
        piece = QTextDocument()
        piece.setMarkdown(markdown, SAFE_MARKDOWN)
        _quieter_headings(piece)
        if "|" in markdown:
            # styled in the small piece, before it joins the answer: no extra layout pass
            for frame in piece.rootFrame().childFrames():
                if isinstance(frame, QtGui.QTextTable):
                    self._style_table(frame)
        cursor = self._new_block()
        start = cursor.position()
        cursor.insertFragment(QtGui.QTextDocumentFragment(piece))
        first = QtGui.QTextCursor(self.document())
        first.setPosition(start)
        _first_block_like(first, piece.begin())

    def _new_block(self) -> QtGui.QTextCursor:
        cursor = QtGui.QTextCursor(self.document())
        cursor.movePosition(QtGui.QTextCursor.MoveOperation.End)
        if cursor.position() > 0:
            cursor.insertBlock(QtGui.QTextBlockFormat(), QtGui.QTextCharFormat())
        return cursor

    def _style_table(self, table: QtGui.QTextTable) -> None:
        """A Markdown table: a quiet border, padding, and a shaded header row."""
        c = self._colours
        fmt = table.format().toTableFormat()
        if fmt.background().style() != Qt.BrushStyle.NoBrush:
            return  # a code block: styled when it was built
        fmt.setBorder(1)
        fmt.setBorderBrush(c.border)
        fmt.setBorderStyle(QtGui.QTextFrameFormat.BorderStyle.BorderStyle_Solid)
        fmt.setBorderCollapse(True)
        fmt.setCellPadding(4)
        fmt.setCellSpacing(0)
        table.setFormat(fmt)
        for column in range(table.columns()):
            cell = table.cellAt(0, column)
            cell_fmt = cell.format()
            cell_fmt.setBackground(c.code_header)
            cell.setFormat(cell_fmt)

    def _insert_code(self, code: str, language: str) -> None:
        """A framed block: the language and a Copy link above the highlighted code."""
        c = self._colours
        index = len(self._codes)
        self._codes.append(code)
        cursor = self._new_block()
        fmt = QtGui.QTextTableFormat()
        fmt.setBorder(1)
        fmt.setBorderBrush(c.border)
        fmt.setBorderStyle(QtGui.QTextFrameFormat.BorderStyle.BorderStyle_Solid)
        fmt.setBorderCollapse(True)
        fmt.setCellPadding(6)
        fmt.setCellSpacing(0)
        fmt.setWidth(QtGui.QTextLength(QtGui.QTextLength.Type.PercentageLength, 100))
        fmt.setBackground(c.code_bg)
        # one column: a merged cell would be laid out at its first column's width
        table = cursor.insertTable(2, 1, fmt)
        self._code_header(table, language, index)
        body = table.cellAt(1, 0).firstCursorPosition()
        block = QtGui.QTextBlockFormat()
        block.setProperty(QtGui.QTextFormat.Property.BlockCodeFence, "`")
        block.setProperty(QtGui.QTextFormat.Property.BlockCodeLanguage, language)
        base = QtGui.QTextCharFormat()
        base.setFont(mono_font())
        base.setForeground(c.text)
        body.setBlockFormat(block)
        body.setBlockCharFormat(base)
        runs = highlight(code, language, base, is_dark(self.palette()), c.code_bg)
        for text, run_fmt in runs:
            lines = text.split("\n")
            for number, line in enumerate(lines):
                if number:
                    body.insertBlock(block, base)
                if line:
                    body.insertText(line, run_fmt)

    def _code_header(self, table: QtGui.QTextTable, language: str, index: int) -> None:
        """The block's first row: its language, then a Copy link."""
        c = self._colours
        cell = table.cellAt(0, 0)
        cell_fmt = cell.format()
        cell_fmt.setBackground(c.code_header)
        cell.setFormat(cell_fmt)
        label = QtGui.QTextCharFormat()
        label.setForeground(readable(c.secondary, c.code_header))
        label.setFontPointSize(max(7.0, self.font().pointSizeF() * 0.9))
        header = cell.firstCursorPosition()
        header.insertText((language or "code") + "    ", label)
        link = QtGui.QTextCharFormat(label)
        link.setAnchor(True)
        link.setAnchorHref(f"copy:{index}")
        link.setForeground(readable(self.palette().color(QPalette.ColorRole.Link), c.code_header))
        link.setFontUnderline(True)
        link.setToolTip("Copy this code")
        header.insertText("Copy", link)

    def toPlainText(self) -> str:
        """The whole answer as shown (every page)."""
        own = super().toPlainText()
        return "\n".join([*(page.toPlainText() for page in self._pages), own]) if self._pages else own

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not (self._pages and self._page_key(event)):
            super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self._pages:
            self.clear_selections(keep=self)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        super().mouseMoveEvent(event)
        if self._pages and event.buttons() & Qt.MouseButton.LeftButton:
            self.drag_to(self, event.position().toPoint())

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        if self._pages:
            self.show_menu(event.globalPos())
        else:
            super().contextMenuEvent(event)

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        super().scrollContentsBy(dx, dy)
        self.place_pages()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.place_pages()

    def link_clicked(self, url: QUrl) -> None:
        """A link in the answer (or one of its pages) was used."""
        self._link(url)

    def _link(self, url: QUrl) -> None:
        if url.scheme() == "copy":
            self.copy_code(int(url.path() or "0"))
        elif url.scheme() in ("http", "https", "mailto"):
            QtGui.QDesktopServices.openUrl(url)

    def copy_code(self, index: int) -> None:
        """Put one code block's text on the clipboard."""
        if not 0 <= index < len(self._codes):
            return
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.setText(self._codes[index])
        self.codeCopied.emit(self._codes[index])


def _first_block_like(cursor: QtGui.QTextCursor, source: QtGui.QTextBlock) -> None:
    """The first block of an inserted piece takes the block it went into's format (and list); give it
    the piece's own - a list item keeps its bullet (the first item of a list at the start of an
    answer, or of a page, used to lose it)."""
    fmt = source.blockFormat()
    fmt.setObjectIndex(-1)  # the piece's list object means nothing in this document
    cursor.setBlockFormat(fmt)
    source_list = source.textList()
    if source_list is None or cursor.block().text() != source.text():
        return  # not a list, or Qt put the piece's first block after this one (it keeps its list)
    after = cursor.block().next()
    same = source.next().isValid() and source.next().textList() is source_list
    if same and after.isValid() and after.textList() is not None:
        after.textList().add(cursor.block())
    else:
        cursor.createList(source_list.format())


def _quieter_headings(document: QTextDocument) -> None:
    """Headings one step above the text at most: Qt's sizes take half a narrow pane for a title."""
    block = document.begin()
    while block.isValid():
        level = block.blockFormat().headingLevel()
        if level:
            cursor = QtGui.QTextCursor(block)
            cursor.select(QtGui.QTextCursor.SelectionType.BlockUnderCursor)
            fmt = QtGui.QTextCharFormat()
            fmt.setProperty(QtGui.QTextFormat.Property.FontSizeAdjustment, 1 if level <= 2 else 0)
            cursor.mergeCharFormat(fmt)
        block = block.next()
