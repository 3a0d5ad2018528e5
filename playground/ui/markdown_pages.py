"""Long streamed answers in pages: only the last page is a live document.

Qt walks every fragment of a document whenever a table or a code block (a frame) goes in or out
(``QTextDocumentPrivate::scan_frames``), so extending one document gets dearer the longer the answer
(benchmark 5: the last 1,000 of 50,000 tokens cost 5-9x the first). While an answer streams, each
time the finished part of the live document passes ``PAGE_CHARS`` of source, that document becomes a
finished page - a read-only ``AnswerPage`` drawn inside the view's viewport at its place - and the
view goes on in a fresh document whose top margin leaves room for the pages above it.

The split is meant to go unnoticed: one scroll bar (the view's), wheel and keys scroll the whole
answer, a click in a page gives the view the keyboard (and puts the caret there), a mouse drag and
Shift+arrow keys (markdown_keys) select on across page edges, select-all and copy take every page,
the code blocks' Copy links work in every page, ``toPlainText`` and ``text`` are the whole answer,
and a theme switch renders the answer again from its source. An answer given at once (from History,
after a theme switch, a full-speed stream's first turn) is rendered in slices over frames
(markdown_slices) and so makes pages as a streamed one does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6 import QtGui  # text classes on first use: PySide6 makes each (and its enums) when first reached
from PySide6.QtCore import QPoint, QSizeF, Qt
from PySide6.QtGui import (
    QContextMenuEvent,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QTextDocument,
    QWheelEvent,
)
from PySide6.QtWidgets import QAbstractSlider, QFrame, QMenu, QTextBrowser

from playground.ui.heap_release import heap_release
from playground.ui.markdown_keys import KeySelectionMixin, selection_span

if TYPE_CHECKING:
    from PySide6.QtCore import QUrl

PAGE_CHARS = 6_000  # source characters of a finished page (about 1,200 tokens)
_SCROLL_KEYS = {
    Qt.Key.Key_PageUp: QAbstractSlider.SliderAction.SliderPageStepSub,
    Qt.Key.Key_PageDown: QAbstractSlider.SliderAction.SliderPageStepAdd,
    Qt.Key.Key_Up: QAbstractSlider.SliderAction.SliderSingleStepSub,
    Qt.Key.Key_Down: QAbstractSlider.SliderAction.SliderSingleStepAdd,
    Qt.Key.Key_Home: QAbstractSlider.SliderAction.SliderToMinimum,
    Qt.Key.Key_End: QAbstractSlider.SliderAction.SliderToMaximum,
}


class AnswerPage(QTextBrowser):
    """A finished page of a long answer, shown inside its MarkdownView; the view scrolls for it."""

    def __init__(self, view: PagesMixin, number: int) -> None:
        super().__init__(view.viewport())
        self._view = view
        self.setObjectName("answerPage")
        self.setAccessibleName(f"Answer, part {number}")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the view keeps the keyboard: one answer
        self.setOpenLinks(False)
        self.anchorClicked.connect(view.link_clicked)
        self.viewport().setAutoFillBackground(False)  # the view's background shows through
        self._skip = 0  # where the page's text starts in its document (below the room it kept)
        self._sized = False  # following its document's size (after a change of width)
        bar = self.verticalScrollBar()
        bar.rangeChanged.connect(self._hold)
        bar.valueChanged.connect(self._hold)

    def take(self, document: QTextDocument, width: int, skip: int, height: int) -> None:
        """Show ``document`` (it was the view's live page) from ``skip`` down, ``height`` tall.

        The document keeps its margins - the room it left for the pages above is scrolled past -
        because changing them would lay the page out again at once; given to this view while it is
        one pixel tall, it is laid out again in Qt's idle-time steps, not in this frame."""
        self.resize(width, 1)
        self.show()  # shown before it has the document: showing lays out what it shows
        self.setDocument(document)
        self._skip = skip
        self.resize(width, max(1, height))
        self._hold()

    def fit(self, width: int) -> None:
        """The view's width changed: the page is laid out again at ``width`` in Qt's idle-time steps
        (one pixel tall, it has nothing to lay out at once), taking its height as that goes on."""
        height = self.height()
        self.resize(width, 1)
        layout = self.document().documentLayout()
        if not self._sized:
            self._sized = True
            layout.documentSizeChanged.connect(self._size_changed)
        self.resize(width, height)
        self._size_changed(layout.documentSize())

    def _size_changed(self, size: QSizeF) -> None:
        bottom = self.document().rootFrame().frameFormat().bottomMargin()
        height = max(1, round(size.height() - self._skip - bottom))
        if height != self.height():
            self.resize(self.width(), height)
            self._hold()
            self._view.place_pages()

    def _hold(self, *_: int) -> None:
        """Stay scrolled to the page's text (its scroll bar is hidden; a drag must not move it)."""
        bar = self.verticalScrollBar()
        if bar.value() != self._skip:
            bar.setValue(self._skip)

    def wheelEvent(self, event: QWheelEvent) -> None:
        self._view.wheelEvent(event)  # the view scrolls the whole answer (a page has no scroll bar)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._view.clear_selections(keep=self)
        self._view.setFocus(Qt.FocusReason.MouseFocusReason)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        super().mouseMoveEvent(event)
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._view.drag_to(self, event.position().toPoint())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        event.accept()  # the press was the page's: its release must not reach the view under it

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        self._view.show_menu(event.globalPos())


class PagesMixin(KeySelectionMixin):
    """MarkdownView's pages: made while streaming, placed, scrolled, selected and copied as one."""

    _pages: list[AnswerPage]
    _page_chars: int  # finished source characters in the live document
    _placeholder: str  # shown only while there are no pages (Qt draws it over an empty live page)
    # MarkdownView's, used here
    raw: bool
    following: bool
    _tail_at: int
    _codes: list[str]
    _codes_final: int
    _shown: str

    if TYPE_CHECKING:

        def link_clicked(self, url: QUrl) -> None: ...

    def _page_due(self) -> bool:
        return not self.raw and self._page_chars >= PAGE_CHARS

    def _start_page(self) -> None:
        """The live document, without its unfinished tail, becomes a page; a fresh one goes on."""
        document, bar = self.document(), self.verticalScrollBar()
        value, following = bar.value(), self.following
        cursor = QtGui.QTextCursor(document)
        cursor.setPosition(self._tail_at)
        cursor.movePosition(QtGui.QTextCursor.MoveOperation.End, QtGui.QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        del self._codes[self._codes_final :]
        fmt = document.rootFrame().frameFormat()
        skip = round(fmt.topMargin())
        height = round(document.size().height() - fmt.topMargin() - fmt.bottomMargin())
        page = AnswerPage(self, len(self._pages) + 1)
        document.setParent(page)  # a view deletes the document it owns when it is given another
        QTextBrowser.setPlaceholderText(self, "")
        self.setDocument(self._new_document(document))
        if self in (self._anchor_in, self._caret_in):  # its selection went with the document
            self._anchor_in = self._caret_in = None
        self._tail_at, self._page_chars, self._shown = 0, 0, ""
        page.take(document, self.viewport().width(), skip, height)
        self._pages.append(page)
        self.place_pages()
        self.following = following
        if not following:
            bar.setValue(value)

    def _new_document(self, like: QTextDocument) -> QTextDocument:
        document = QTextDocument(self)
        document.setUndoRedoEnabled(False)
        document.setIndentWidth(like.indentWidth())
        document.setDefaultFont(like.defaultFont())
        document.setDocumentMargin(like.documentMargin())
        return document

    def _drop_pages(self) -> None:
        for page in self._pages:
            page.hide()
            page.deleteLater()
        if self._pages:  # the answer's memory goes back to the system, not to the next answer
            heap_release().after_deletion(self._pages[-1])
        self._pages.clear()
        self._anchor_in = self._caret_in = None
        self._page_chars = 0
        QTextBrowser.setPlaceholderText(self, self._placeholder)

    def setPlaceholderText(self, text: str) -> None:
        self._placeholder = text
        QTextBrowser.setPlaceholderText(self, "" if self._pages else text)

    def placeholderText(self) -> str:
        return self._placeholder

    def place_pages(self) -> None:
        """Each page at its place in the answer; the live document starts below the last one."""
        if not self._pages:
            return
        width, top = self.viewport().width(), self.verticalScrollBar().value()
        y = round(self.document().documentMargin())
        for page in self._pages:
            if page.width() != width:
                page.fit(width)
            page.move(0, y - top)
            y += page.height()
        frame = self.document().rootFrame()
        fmt = frame.frameFormat()
        if fmt.topMargin() != y:
            fmt.setTopMargin(y)
            frame.setFrameFormat(fmt)

    def clear_selections(self, keep: QTextBrowser | None = None) -> None:
        """One selection in the answer at a time, as in one document: a press in ``keep`` (a page or
        the view) starts the next one there, and puts the caret there for the keys."""
        self._anchor_in = self._caret_in = keep
        for widget in [*self._pages, self]:
            if widget is not keep and widget.textCursor().hasSelection():
                cursor = widget.textCursor()
                cursor.clearSelection()
                self._set_cursor(widget, cursor)

    def _set_cursor(self, widget: QTextBrowser, cursor: QtGui.QTextCursor) -> None:
        """Give ``widget`` ``cursor`` without scrolling the answer to it (Qt would: the reader is
        looking at the selection being made, not at the caret)."""
        bar = self.verticalScrollBar()
        value = bar.value()
        widget.setTextCursor(cursor)
        bar.setValue(value)

    def drag_to(self, origin: QTextBrowser, pos: QPoint) -> None:
        """A drag that began in ``origin`` is at ``pos`` (in origin's viewport): the selection runs on
        into the pages (or the live page) it crosses, as in one document."""
        point = origin.viewport().mapTo(self.viewport(), pos)
        bar = self.verticalScrollBar()
        if point.y() < 0 or point.y() > self.viewport().height():  # past an edge: scroll, as Qt does
            bar.triggerAction(
                QAbstractSlider.SliderAction.SliderSingleStepSub
                if point.y() < 0
                else QAbstractSlider.SliderAction.SliderSingleStepAdd
            )
        widgets: list[QTextBrowser] = [*self._pages, self]
        start, end = widgets.index(origin), self._index_at(point.y())
        self._anchor_in, self._caret_in = origin, widgets[end]  # Shift+arrow carries on from there
        target = widgets[end]
        local = point if target is self else target.viewport().mapFrom(self.viewport(), point)
        caret = target.cursorForPosition(local).position()
        for index, widget in enumerate(widgets):
            if index != start:  # the page the drag began in selects its own part, as Qt does
                cursor = selection_span(widget, index, start, 0, end, caret)
                if cursor is not None:
                    self._set_cursor(widget, cursor)

    def _index_at(self, y: int) -> int:
        """Which page (or, past the last, the live page) is at ``y`` in the view's viewport."""
        for index, page in enumerate(self._pages):
            if y < page.y() + page.height():
                return index
        return len(self._pages)

    def select_all(self) -> None:
        for page in self._pages:
            page.selectAll()
        QTextBrowser.selectAll(self)
        self._anchor_in, self._caret_in = (self._pages[0] if self._pages else self), self

    def selected_text(self) -> str:
        """The selected text of every page and of the live document, in order."""
        parts = [w.textCursor().selection().toPlainText() for w in [*self._pages, self]]
        return "\n".join(part for part in parts if part)

    def copy_selection(self) -> None:
        text = self.selected_text()
        clipboard = QGuiApplication.clipboard()
        if text and clipboard is not None:
            clipboard.setText(text)

    def show_menu(self, where: QPoint) -> None:
        """Copy and Select All for the whole answer (the pages' own menus would see one page)."""
        menu = QMenu(self)
        copy = menu.addAction("Copy", self.copy_selection)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.setEnabled(bool(self.selected_text()))
        menu.addAction("Select All", self.select_all).setShortcut(QKeySequence.StandardKey.SelectAll)
        menu.exec(where)
        menu.deleteLater()

    def _page_key(self, event: QKeyEvent) -> bool:
        """Keys that must act on the whole answer, not the live document only; True if handled."""
        if event.matches(QKeySequence.StandardKey.SelectAll):
            self.select_all()
        elif event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
        elif event.key() in _SCROLL_KEYS and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.verticalScrollBar().triggerAction(_SCROLL_KEYS[Qt.Key(event.key())])
        else:
            return self._selection_key(event)
        return True
