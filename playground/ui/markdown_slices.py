"""A long batch of Markdown rendered in slices, one turn of the event loop at a time, not in one piece.

At full speed a pane's whole answer (230,000 characters for 50,000 tokens) can arrive before its
first turn to draw, and an answer opened from History or rendered again after a theme switch comes
in one call too. Rendered in one piece that is about a second of the window's thread per pane, in
which no timer, input or network event is handled. A view instead keeps what it could not render
yet as a backlog and renders it one slice (about ``SLICE_CHARS`` of source, cut after a finished
paragraph) at a time, the views taking turns, for at most ``TURN_BUDGET`` (at least one slice) in
each turn of the window's event loop: between turns the frame clock, timers, input and the network's
events run, so none waits for more than about one slice. The slices run in the turns right after
each other, not one batch per 16 ms frame: spread over frames, a 1-second render took 2 seconds and
the panes' last text (below) arrived frames after the run's end. A long answer that arrives at once
is therefore paged (markdown_pages) exactly as a streamed one. The same goes for text that would
render a long unfinished paragraph again (a pane's last text at the end of a run): eight panes' last
renders take turns instead of all landing in the run's last frame. A paragraph itself is never split
(Markdown needs it whole), so one slice is at most one paragraph and what follows it up to
``SLICE_CHARS``.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, QTimer, SignalInstance
from shiboken6 import isValid

if TYPE_CHECKING:
    from PySide6.QtWidgets import QTextBrowser

    _ViewBase = QTextBrowser
else:
    _ViewBase = object

SLICE_CHARS = 1_500  # source characters a slice renders (about 6 ms of code-heavy Markdown here)
TURN_BUDGET = 0.005  # seconds of slices per turn of the event loop, across every view
_BREAK_OR_FENCE = re.compile(r"\n\n|^ {0,3}(?:```|~~~)", re.MULTILINE)


class SlicedView(Protocol):
    """What the slicer needs of a view: render one slice, say whether any is left."""

    def render_slice(self) -> bool: ...


def next_cut(tail: str, backlog: str, fence_open: bool, limit: int = SLICE_CHARS) -> int:
    """How much of ``backlog`` the next slice takes: all of it if it is at most ``limit`` long, else
    up to the last paragraph end (a blank line outside a code fence, counted from the start of the
    unfinished ``tail`` it continues) within ``limit`` - or, with none there, the first one after.

    A paragraph (or code block) is never split: it renders as one piece, however long."""
    if len(backlog) <= limit:
        return len(backlog)
    best, state, offset = 0, fence_open, len(tail)
    for match in _BREAK_OR_FENCE.finditer(tail + backlog):
        if match.group(0) != "\n\n":
            state = not state
        elif not state and match.end() > offset:
            end = match.end() - offset
            if end > limit:
                return best or end
            best = end
    return best or len(backlog)


class SlicesMixin(_ViewBase):
    """MarkdownView's backlog: rendered a slice at a time, then where the reader was is restored."""

    _backlog: str  # source received but not rendered at all yet (the next slices)
    _tail: str
    _fence_open: bool
    _scroll_ratio: float | None  # where to scroll once the backlog is rendered (a theme switch)
    rendered: SignalInstance

    if TYPE_CHECKING:

        def _take(self, chunk: str) -> None: ...

    @property
    def rendering(self) -> bool:
        """Whether text given to the view is still waiting for its slices to be rendered."""
        return bool(self._backlog)

    def render_slice(self) -> bool:
        """Render the next slice of the backlog (up to a finished paragraph's end, about SLICE_CHARS
        of source); True while more is left. The last one emits ``rendered``."""
        if not self._backlog:
            return False
        cut = next_cut(self._tail, self._backlog, self._fence_open)
        piece, self._backlog = self._backlog[:cut], self._backlog[cut:]
        self._take(piece)
        if self._backlog:
            return True
        self._restore_scroll()
        self.rendered.emit()
        return False

    def _restore_scroll(self) -> None:
        """Back to where the reader was (as a share of the answer) once it is all rendered again."""
        if self._scroll_ratio is not None and not self._backlog:
            bar = self.verticalScrollBar()
            bar.setValue(round(self._scroll_ratio * bar.maximum()))
            self._scroll_ratio = None


class Slicer(QObject):
    """Renders the views' backlogs, a time budget per turn of the event loop, views in turn."""

    def __init__(self) -> None:
        super().__init__()
        self._views: list[SlicedView] = []
        self._timer = QTimer(self)
        self._timer.setInterval(0)  # the next turn, after what is waiting (not a frame's wait)
        self._timer.timeout.connect(self._turn)

    def add(self, view: SlicedView) -> None:
        """``view`` has a backlog: render it in the coming turns."""
        if view in self._views:
            return
        self._views.append(view)
        if not self._timer.isActive():
            self._timer.start()

    def discard(self, view: SlicedView) -> None:
        """``view`` dropped its backlog (a new answer, a cleared pane)."""
        if view in self._views:
            self._views.remove(view)

    @property
    def busy(self) -> bool:
        """Whether some view still has text to render."""
        return bool(self._views)

    def _turn(self) -> None:
        deadline = time.perf_counter() + TURN_BUDGET
        while self._views:
            view = self._views.pop(0)
            if isValid(view) and view.render_slice():
                self._views.append(view)  # the next view's turn: each answer grows in sight
            if time.perf_counter() >= deadline:
                break
        if not self._views:
            self._timer.stop()


_instance: Slicer | None = None


def slicer() -> Slicer:
    """The window thread's one Slicer."""
    global _instance
    if _instance is None or not isValid(_instance):
        _instance = Slicer()
    return _instance
