"""Selecting a paged answer with the keyboard: Shift+arrow (and its kin) carries on across page edges.

A long answer is shown in pages (markdown_pages): finished pages are read-only documents of their
own, only the last one is the view's. A selection across pages is kept as each page's own
selection - the page where it began selects from its anchor to its edge, the pages between are
selected whole, the page with the caret from its edge to the caret - as a mouse drag leaves it. Here
the keys that extend a selection move that caret: within its page as Qt would move it, and on into
the page below or above when its page has no room left for the move (the next character, word or
line of the answer is the first one of the next page). Shift+Page Up/Down move the caret a screen
(and the answer with it), Ctrl+Shift+Home/End select to the answer's start or end.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from PySide6 import QtGui  # QTextCursor on the first key: PySide6 makes a class when first reached
from PySide6.QtCore import QPoint
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QAbstractSlider, QTextBrowser

if TYPE_CHECKING:
    from collections.abc import Sequence

    from PySide6.QtGui import QTextCursor

    _ViewBase = QTextBrowser
else:
    _ViewBase = object

_Key = QKeySequence.StandardKey


@cache
def _cursor_moves() -> tuple[type[QTextCursor.MoveOperation], QTextCursor.MoveMode]:
    """QTextCursor's moves and its keep-the-anchor mode, made on the first key (not at start-up)."""
    return QtGui.QTextCursor.MoveOperation, QtGui.QTextCursor.MoveMode.KeepAnchor


@cache
def _moves() -> tuple[tuple[QKeySequence.StandardKey, QTextCursor.MoveOperation, int], ...]:
    """The move in the caret's page, and where it carries on when its page has no room left for it:
    the next page (1), the one before (-1), or nowhere (0: a line's or paragraph's edge is in its
    page)."""
    Move, _ = _cursor_moves()
    return (
        (_Key.SelectNextChar, Move.NextCharacter, 1),
        (_Key.SelectPreviousChar, Move.PreviousCharacter, -1),
        (_Key.SelectNextWord, Move.NextWord, 1),
        (_Key.SelectPreviousWord, Move.PreviousWord, -1),
        (_Key.SelectNextLine, Move.Down, 1),
        (_Key.SelectPreviousLine, Move.Up, -1),
        (_Key.SelectStartOfLine, Move.StartOfLine, 0),
        (_Key.SelectEndOfLine, Move.EndOfLine, 0),
        (_Key.SelectStartOfBlock, Move.StartOfBlock, 0),
        (_Key.SelectEndOfBlock, Move.EndOfBlock, 0),
    )


_SCREENS = {_Key.SelectNextPage: 1, _Key.SelectPreviousPage: -1}


class KeySelectionMixin(_ViewBase):
    """The keyboard's part of selecting across a MarkdownView's pages (see the module docstring)."""

    _pages: Sequence[QTextBrowser]
    # Where the selection began and where its caret is: a finished page or the view (the live page).
    # None: in the view. Set by a click or a drag (markdown_pages) and by the keys here.
    _anchor_in: QTextBrowser | None = None
    _caret_in: QTextBrowser | None = None

    if TYPE_CHECKING:

        def _set_cursor(self, widget: QTextBrowser, cursor: QTextCursor) -> None: ...
        def _index_at(self, y: int) -> int: ...

    def _selection_key(self, event: QKeyEvent) -> bool:
        """Extend the selection for a Shift+move key across the answer's pages; True if it was one."""
        line = next(((move, way) for key, move, way in _moves() if event.matches(key)), None)
        screen = next((way for key, way in _SCREENS.items() if event.matches(key)), None)
        if line is not None:
            self._extend(lambda widgets, c: self._moved(widgets, c, *line))
        elif screen is not None:
            self._extend(lambda widgets, c: self._screen(widgets, c, screen))
        elif event.matches(_Key.SelectStartOfDocument) or event.matches(_Key.SelectEndOfDocument):
            end = event.matches(_Key.SelectEndOfDocument)
            self._extend(lambda widgets, _c: self._edge(widgets, end))
        else:
            return False
        return True

    def _extend(self, move: _CaretMove) -> None:
        """Move the caret with ``move`` (which page, where in it) and select from the anchor to it."""
        widgets: list[QTextBrowser] = [*self._pages, self]
        anchor_in = self._anchor_in if self._anchor_in in widgets else self
        caret_in = self._caret_in if self._caret_in in widgets else anchor_in
        a, c = widgets.index(anchor_in), widgets.index(caret_in)
        anchor = anchor_in.textCursor().anchor()
        c, caret = move(widgets, c)
        for index, widget in enumerate(widgets):
            cursor = selection_span(widget, index, a, anchor, c, caret)
            if cursor is not None:
                self._set_cursor(widget, cursor)
        self._anchor_in, self._caret_in = anchor_in, widgets[c]
        self._show_caret(widgets[c], caret)

    def _moved(
        self, widgets: list[QTextBrowser], c: int, move: QTextCursor.MoveOperation, way: int
    ) -> tuple[int, int]:
        """The caret after ``move`` in its page, or on into the next page (``way``) at its edge."""
        Move, KEEP = _cursor_moves()
        widget = widgets[c]
        cursor = widget.textCursor()
        before = cursor.position()
        x = widget.cursorRect(cursor).left()
        if cursor.movePosition(move, KEEP) and cursor.position() != before:
            return c, cursor.position()
        if way and 0 <= c + way < len(widgets):
            return c + way, _entered(widgets[c + way], way, x, move in (Move.Down, Move.Up))
        if move in (Move.Down, Move.Up):  # on the answer's first or last line: to its edge, as Qt
            cursor.movePosition(Move.End if way > 0 else Move.Start, KEEP)
        return c, cursor.position()

    def _screen(self, widgets: list[QTextBrowser], c: int, way: int) -> tuple[int, int]:
        """The caret a screen further, whichever page that is in; the answer scrolls a screen too."""
        widget = widgets[c]
        point = self._in_view(widget, widget.cursorRect(widget.textCursor()).center())
        target = QPoint(point.x(), point.y() + way * self.viewport().height())
        c = self._index_at(target.y())
        widget = widgets[c]
        local = target if widget is self else widget.viewport().mapFrom(self.viewport(), target)
        position = widget.cursorForPosition(local).position()
        self.verticalScrollBar().triggerAction(
            QAbstractSlider.SliderAction.SliderPageStepAdd
            if way > 0
            else QAbstractSlider.SliderAction.SliderPageStepSub
        )
        return c, position

    def _edge(self, widgets: list[QTextBrowser], end: bool) -> tuple[int, int]:
        """The answer's start (in its first page) or end (in the live page)."""
        Move, _ = _cursor_moves()
        widget = widgets[-1 if end else 0]
        cursor = QtGui.QTextCursor(widget.document())
        cursor.movePosition(Move.End if end else Move.Start)
        return len(widgets) - 1 if end else 0, cursor.position()

    def _in_view(self, widget: QTextBrowser, point: QPoint) -> QPoint:
        """``point`` in ``widget``'s viewport, in the view's viewport."""
        return point if widget is self else widget.viewport().mapTo(self.viewport(), point)

    def _show_caret(self, widget: QTextBrowser, position: int) -> None:
        """Scroll the answer just enough to show the caret, as Qt does in one document."""
        cursor = QtGui.QTextCursor(widget.document())
        cursor.setPosition(position)
        margin = round(widget.document().documentMargin())  # the answer's first and last lines too
        rect = widget.cursorRect(cursor).adjusted(0, -margin, 0, margin)
        top = self._in_view(widget, rect.topLeft()).y()
        bar, height = self.verticalScrollBar(), self.viewport().height()
        if top < 0:
            bar.setValue(bar.value() + top)
        elif top + rect.height() > height:
            bar.setValue(bar.value() + top + rect.height() - height)


if TYPE_CHECKING:
    from collections.abc import Callable

    _CaretMove = Callable[[list[QTextBrowser], int], tuple[int, int]]


def _entered(widget: QTextBrowser, way: int, x: int, by_line: bool) -> int:
    """Where the caret lands coming into ``widget`` from the page above (``way`` 1) or below: its
    first or last character, or on its first or last line below or above ``x`` (a line move)."""
    Move, _ = _cursor_moves()
    cursor = QtGui.QTextCursor(widget.document())
    cursor.movePosition(Move.Start if way > 0 else Move.End)
    if not by_line:
        return cursor.position()
    line = widget.cursorRect(cursor).center().y()
    return widget.cursorForPosition(QPoint(x, line)).position()


def selection_span(
    widget: QTextBrowser, index: int, a: int, anchor: int, c: int, caret: int
) -> QTextCursor | None:
    """``widget``'s part of a selection from ``anchor`` in page ``a`` to ``caret`` in page ``c``;
    None when it has no part and nothing selected to clear."""
    Move, KEEP = _cursor_moves()
    cursor = QtGui.QTextCursor(widget.document())
    if index == a:
        cursor.setPosition(anchor)
        if c == a:
            cursor.setPosition(caret, KEEP)
        else:
            cursor.movePosition(Move.End if c > a else Move.Start, KEEP)
    elif index == c:
        cursor.movePosition(Move.Start if c > a else Move.End)
        cursor.setPosition(caret, KEEP)
    elif min(a, c) < index < max(a, c):
        cursor.select(QtGui.QTextCursor.SelectionType.Document)
    elif widget.textCursor().hasSelection():
        cursor = widget.textCursor()
        cursor.clearSelection()
    else:
        return None
    return cursor
