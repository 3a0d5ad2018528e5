"""CompareView: the row of response panes, drawn on the FrameClock from the run's state.

Signals:
    runStarted(): a comparison began.
    runFinished(): every pane of the current comparison has ended.
    codeRequested(int): the pane at this index asked for a code snippet.
    panesChanged(): panes were added, removed, moved, or a pane's model changed.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QResizeEvent
from PySide6.QtWidgets import QGridLayout, QPushButton, QScrollArea, QSizePolicy, QWidget

from playground.core.compare import PaneEvent, PaneState
from playground.core.conversation import extend
from playground.core.run_handle import RunHandle
from playground.ui.net import frame_clock
from playground.ui.response_pane import PANE_MIME, ResponsePane

# The one place a streaming pane's drawing is paced, in frames of the FrameClock (about 60 a second).
FIGURES_EVERY = 15  # the figures line refreshes about 4 times a second
# A tick draws panes' text until it has spent this long, and the panes left over draw first in the
# next one: eight panes' last long paragraphs (2-3 ms each) used to land in one 20 ms tick.
DRAW_BUDGET = 0.005
RENDER_EVERY = 8  # a pane re-renders its Markdown at most once every 8 frames (about 130 ms)...
TAIL_BUDGET_CHARS = 2000  # ...and proportionally less often while its unfinished tail is longer


class _DropRow(QWidget):
    """The row of panes; accepts a pane dragged by its handle."""

    def __init__(self, view: CompareView) -> None:
        super().__init__()
        self.view = view
        self.setAcceptDrops(True)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasFormat(PANE_MIME):
            event.acceptProposedAction()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if event.mimeData().hasFormat(PANE_MIME):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        data = event.mimeData().data(PANE_MIME)
        if data.isEmpty():
            return
        self.view.drop_pane(int(bytes(data.data()).decode()), event.position().x())
        event.acceptProposedAction()


class _RowLayout(QGridLayout):
    """The panes, in one row or two. Word-wrapped labels make a layout height-for-width, and
    QScrollArea then sizes the row by that height instead of its own - taller than the view, cutting
    the panes' bottoms off. The panes always take the view's height; each pane scrolls its own text."""

    def hasHeightForWidth(self) -> bool:
        return False


class CompareView(QScrollArea):
    """Panes side by side; beyond what fits, the row scrolls horizontally."""

    runStarted = Signal()
    runFinished = Signal()
    codeRequested = Signal(int)
    panesChanged = Signal()
    branchRequested = Signal(object, int, str)  # pane, user turn index, edited text
    voteRequested = Signal(object)  # pane voted best (blind mode)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compareView")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes from the composer into the first pane
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._row = _DropRow(self)
        self._layout = _RowLayout(self._row)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(8)
        self.setWidget(self._row)
        self.rows = 1  # 2: the panes in a grid of two rows
        self.focused: ResponsePane | None = None  # one pane shown alone, the others hidden
        # put in the viewport when first shown: the first viewport() of a window makes PySide6 load
        # every widget class (about 4 ms and 34 enums) to find the type it returns - after the first frame
        self.moreButton = QPushButton()
        self.moreButton.setObjectName("morePanesButton")
        self.moreButton.setAccessibleName("More panes")
        self.moreButton.setToolTip("Scroll to the panes that do not fit")
        self.moreButton.clicked.connect(self._more_clicked)
        self.moreButton.hide()
        self.horizontalScrollBar().valueChanged.connect(self._update_more)
        self.horizontalScrollBar().rangeChanged.connect(self._update_more)
        self.panes: list[ResponsePane] = []
        self.run: RunHandle | None = None
        self._run_panes: list[ResponsePane] = []  # pane objects by the run's pane index
        self._rendered: list[int] = []  # by the run's pane index: the frame it last rendered in
        self._owed: set[int] = set()  # panes whose render was due but left for the next tick
        self._sync = False
        self._syncing = False
        self.model_ids: list[str] = []
        self.model_details: dict[str, tuple[str, bool]] = {}
        self.panesChanged.connect(self._update_positions)

    # ----- panes ----------------------------------------------------------------------------

    def add_pane(self, model: str = "") -> ResponsePane:
        pane = ResponsePane(model)
        pane.set_models(self.model_ids, self.model_details)
        pane.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        pane.removeRequested.connect(lambda p=pane: self.remove_pane(p))
        pane.moveRequested.connect(lambda d, p=pane: self.move_pane(p, d))
        pane.stopRequested.connect(lambda p=pane: self.stop_pane(p))
        pane.retryRequested.connect(lambda p=pane: self.retry_pane(p))
        pane.codeRequested.connect(lambda p=pane: self.codeRequested.emit(self.panes.index(p)))
        pane.modelChanged.connect(lambda _m: self.panesChanged.emit())
        pane.conversationChanged.connect(lambda _on: self.panesChanged.emit())
        pane.branchRequested.connect(lambda i, t, p=pane: self.branchRequested.emit(p, i, t))
        pane.voteRequested.connect(lambda p=pane: self.voteRequested.emit(p))
        pane.focusRequested.connect(lambda on, p=pane: self.focus_pane(p if on else None))
        pane.outputView.verticalScrollBar().valueChanged.connect(lambda v, p=pane: self._scrolled(p))
        self.panes.append(pane)
        self._place()
        self.panesChanged.emit()
        return pane

    def remove_pane(self, pane: ResponsePane) -> None:
        if len(self.panes) <= 1:
            return
        if self.run is not None and pane in self._run_panes:
            self.run.cancel(self._run_panes.index(pane))
        self.panes.remove(pane)
        self._layout.removeWidget(pane)
        pane.deleteLater()
        if self.focused is pane:
            self.focused = None
        self._place()
        self.panesChanged.emit()

    def move_pane(self, pane: ResponsePane, delta: int) -> None:
        index = self.panes.index(pane)
        target = max(0, min(len(self.panes) - 1, index + delta))
        if target == index:
            return
        self.panes.insert(target, self.panes.pop(index))
        self._place()
        self.panesChanged.emit()

    def reorder(self, order: list[int]) -> None:
        """Show the panes in a new order: ``order[i]`` is the current index of the pane to put at i."""
        self.panes = [self.panes[i] for i in order]
        self._place()
        self.panesChanged.emit()

    def drop_pane(self, pane_id: int, x: float) -> None:
        """Move the dragged pane to where it was dropped (x in the row's coordinates)."""
        pane = next((p for p in self.panes if id(p) == pane_id), None)
        if pane is None:
            return
        centres = [p.geometry().center().x() for p in self.panes if p is not pane]
        target = sum(1 for c in centres if c < x)
        self.move_pane(pane, target - self.panes.index(pane))

    # ----- arrangement: one row, two rows, one pane focused ----------------------------------

    def _place(self) -> None:
        """Lay the panes out in order: one row, or two rows filled left to right."""
        for pane in self.panes:
            self._layout.removeWidget(pane)
        columns = max(1, -(-len(self.panes) // self.rows))
        for column in range(self._layout.columnCount()):
            self._layout.setColumnStretch(column, 0)
        for index, pane in enumerate(self.panes):
            self._layout.addWidget(pane, index // columns, index % columns)
            self._layout.setColumnStretch(index % columns, 1)
            pane.setVisible(self.focused is None or pane is self.focused)
        self._update_more()

    def set_rows(self, rows: int) -> None:
        """One row of panes (scrolling sideways when they do not fit) or a grid of two rows."""
        self.rows = 2 if rows >= 2 else 1
        self._place()

    def focus_pane(self, pane: ResponsePane | None) -> None:
        """Show one pane alone, using the whole width; None shows every pane again."""
        self.focused = pane if pane in self.panes else None
        for each in self.panes:
            each.set_focused(each is self.focused)
        self._place()

    def hidden_panes(self) -> list[ResponsePane]:
        """Panes that are out of sight (scrolled off, or hidden while one is focused)."""
        if self.focused is not None:
            return [p for p in self.panes if p is not self.focused]
        left = self.horizontalScrollBar().value()
        right = left + self.maximumViewportSize().width()  # the viewport's (no vertical scroll bar)
        return [p for p in self.panes if p.geometry().right() > right + 2 or p.geometry().left() < left - 2]

    def _update_more(self) -> None:
        """ "3 more →" while panes are out of sight, saying how many of them failed."""
        hidden = self.hidden_panes()
        if not hidden:
            self.moreButton.hide()
            return
        failed = sum(1 for p in hidden if p.result.state is PaneState.FAILED)
        if self.focused is not None:
            text = f"Show all {len(self.panes)} panes"
        else:
            beyond = self.horizontalScrollBar().value() < self.horizontalScrollBar().maximum()
            text = f"{len(hidden)} more " + ("→" if beyond else "←")
        self.moreButton.setText(text + (f" ({failed} failed)" if failed else ""))
        self.moreButton.setAccessibleName(self.moreButton.text().replace("→", "to the right"))
        self.moreButton.adjustSize()
        # bottom right, beside the last visible pane's Copy and Raw: its header stays usable
        viewport = self.viewport()
        if self.moreButton.parent() is not viewport:
            self.moreButton.setParent(viewport)
        self.moreButton.move(
            viewport.width() - self.moreButton.width() - 12, viewport.height() - self.moreButton.height() - 10
        )
        self.moreButton.show()
        self.moreButton.raise_()

    def _more_clicked(self) -> None:
        if self.focused is not None:
            self.focus_pane(None)
            return
        bar = self.horizontalScrollBar()
        bar.setValue(bar.maximum() if bar.value() < bar.maximum() else 0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_more()

    def _update_positions(self) -> None:
        for index, pane in enumerate(self.panes):
            pane.set_position(index, len(self.panes))

    def models(self) -> list[str]:
        return [p.model for p in self.panes]

    def set_model_ids(self, ids: list[str], details: dict[str, tuple[str, bool]] | None = None) -> None:
        self.model_ids = ids
        self.model_details = details or {}
        for pane in self.panes:
            pane.set_models(ids, self.model_details)

    # ----- running --------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.run is not None and self.run.running

    @property
    def rendering(self) -> bool:
        """The panes are still being drawn from the run (its last frame has not been drawn yet)."""
        return frame_clock().watching(self)

    def start(self, run: RunHandle, panes: list[ResponsePane] | None = None) -> None:
        """Show a new comparison on ``panes`` (default: every pane, in order); others keep their text."""
        if self.run is not None and self.run.running:  # (an ended run: no call to the network thread)
            self.run.cancel_all()
        self.run = run
        self._run_panes = list(self.panes) if panes is None else list(panes)
        self._rendered = [-RENDER_EVERY] * len(self._run_panes)
        self._owed = set()
        for index, pane in enumerate(self._run_panes):
            self._reset_pane(index, pane)
        run.add_listener(self._on_event)
        run.start()
        for index, pane in enumerate(self._run_panes):
            pane.show_result(run.results[index])  # the run's state is the one the pane draws
        frame_clock().add_view(self, self._on_frame, self._quiet)
        self.runStarted.emit()

    def _reset_pane(self, index: int, pane: ResponsePane) -> None:
        pane.reset(starting=True)

    def _on_event(self, pane_event: PaneEvent) -> None:
        if pane_event.pane < len(self._run_panes):
            self._run_panes[pane_event.pane].on_event(pane_event.event)
        clock = frame_clock()
        if clock.asleep or not clock.watching(self):  # (once per run or wake, not once per event)
            clock.add_view(self, self._on_frame, self._quiet)

    def _quiet(self) -> bool:
        """Nothing left to draw until the run's next event (the clock may sleep)."""
        run = self.run
        return run is not None and run.running and not any(p.needs_frame for p in self._run_panes)

    def _on_frame(self) -> bool:
        """Draw one frame; False once the run has ended and its last frame is drawn."""
        clock = frame_clock()
        # the frames this tick stands for: one, or two while answers trickle (the clock then ticks
        # every second frame, and what fell due in either is drawn now)
        frames = range(clock.previous + 1, clock.frame + 1)
        ended = self.run is not None and not self.run.running
        self._draw_panes(frames, ended)
        if ended and self._owed:
            clock.again()  # the rest of the last text at once, after the events waiting
            return True
        if ended:
            self._update_more()  # a pane out of sight may have failed
            self._award_badges()
            self._update_threads()
            self.runFinished.emit()
            return False
        return True

    def _draw_panes(self, frames: range, ended: bool) -> None:
        """Each pane draws what fell due in ``frames`` (all of it once the run has ended), within
        DRAW_BUDGET: a pane's text left over is owed, and drawn first in the next tick."""
        all_figures = any(f % FIGURES_EVERY == 0 for f in frames)
        deadline = time.perf_counter() + DRAW_BUDGET
        drawn = False  # at least one pane's text a tick, however long it takes
        for index, pane in enumerate(self._run_panes):
            # every figures line in the same frame (one repaint of them all, a fraction of a ms each);
            # a pane that has ended shows its final state on its turn, so the run's last frame has
            # little left to draw
            turn = next((f for f in frames if (f + index) % RENDER_EVERY == 0), None)
            figures = ended or all_figures or (turn is not None and pane.result.state.final)
            render = ended or index in self._owed
            render = render or (turn is not None and self._render_due(index, pane, turn))
            if render and pane.has_pending_text:
                if drawn and time.perf_counter() > deadline:
                    self._owed.add(index)  # over this tick's budget: first in the next one
                    render = False
                else:
                    drawn = True
            if render:
                self._owed.discard(index)
            pane.flush(render=render, figures=figures)

    def _render_due(self, index: int, pane: ResponsePane, frame: int) -> bool:
        """Whether pane ``index``, whose turn is ``frame``, re-renders its text now.

        The panes take turns (pane i in frames where frame + i is a multiple of RENDER_EVERY), so
        eight panes never all re-lay out their text in the same 16 ms; a pane whose unfinished
        paragraph is long (re-rendered whole each time) waits proportionally more frames, so its cost
        per second stays flat however long the paragraph grows - until its answer has ended."""
        if not pane.has_pending_text:
            return False
        every = RENDER_EVERY * max(1, pane.outputView.tail_length // TAIL_BUDGET_CHARS)
        if frame - self._rendered[index] < every and not pane.result.state.final:
            return False  # (a pane whose answer has ended draws the rest on its next turn)
        self._rendered[index] = frame
        return True

    def _update_threads(self) -> None:
        """Each pane's conversation: what it sent, and its answer if it gave one (a failed or stopped
        turn is left out, so the next follow-up does not carry a question without its answer)."""
        if self.run is None:
            return
        request = self.run.request
        for index, pane in enumerate(self._run_panes):
            if index >= len(request.panes):
                continue
            result = pane.result
            answered = result.state in (PaneState.DONE, PaneState.TRUNCATED) and result.text
            pane.set_thread(
                extend(request.panes[index].history, request.pane_prompt(index), answered or None)
            )

    def stop_all(self) -> None:
        if self.run is not None:
            self.run.cancel_all()

    def stop_pane(self, pane: ResponsePane) -> None:
        if self.run is not None and pane in self._run_panes:
            self.run.cancel(self._run_panes.index(pane))

    def retry_pane(self, pane: ResponsePane) -> None:
        if self.run is None or pane not in self._run_panes:
            return
        index = self._run_panes.index(pane)
        self._reset_pane(index, pane)
        self._rendered[index] = -RENDER_EVERY
        self.run.retry(index, model=pane.model)
        pane.show_result(self.run.results[index])
        frame_clock().add_view(self, self._on_frame, self._quiet)
        self.runStarted.emit()

    def _award_badges(self) -> None:
        done = [p for p in self._run_panes if p.result.state is PaneState.DONE and p.result.finished]
        for pane in self.panes:  # a pane left out of this run no longer competes with its old answer
            pane.set_badges([])
        if len(done) < 2:
            return
        badges: dict[ResponsePane, list[str]] = {p: [] for p in done}
        fastest = min(done, key=lambda p: p.result.finished.duration if p.result.finished else 1e9)
        badges[fastest].append("⚡ fastest")
        priced = [p for p in done if p.result.cost is not None]
        if len(priced) >= 2:
            badges[min(priced, key=lambda p: p.result.cost or 0)].append("$ cheapest")
        badges[max(done, key=lambda p: len(p.result.text))].append("≡ longest")
        for pane, names in badges.items():
            pane.set_badges(names)

    # ----- synchronised scrolling -------------------------------------------------------------

    def set_sync_scrolling(self, on: bool) -> None:
        self._sync = on

    def _scrolled(self, source: ResponsePane) -> None:
        if not self._sync or self._syncing:
            return
        bar = source.outputView.verticalScrollBar()
        ratio = bar.value() / bar.maximum() if bar.maximum() else 0.0
        self._syncing = True
        try:
            for pane in self.panes:
                if pane is not source:
                    other = pane.outputView.verticalScrollBar()
                    other.setValue(round(ratio * other.maximum()))
        finally:
            self._syncing = False
