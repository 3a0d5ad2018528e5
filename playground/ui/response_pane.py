"""ResponsePane: one model's answer, streaming live, with its figures, state and controls.

The pane only renders state: events are buffered as they arrive and drawn by ``flush()``, which
the compare view calls on the FrameClock's frames, never once per token; the compare view alone
decides in which frames a pane re-renders its text (compare_view.RENDER_EVERY).

Its signals, and what its parts (pane_figures, pane_thread, pane_controls) share: pane_base.PaneBase.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QMimeData, QPoint, Qt
from PySide6.QtGui import QAction, QDrag, QGuiApplication, QMouseEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QCompleter,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from playground.core.compare import PaneEventBody, PaneResult, PaneState
from playground.core.conversation import Message
from playground.core.events import Delta, Reasoning, Started
from playground.core.request import ChatParams
from playground.core.routing import Routing
from playground.ui.figures import BadgePills, FiguresBar
from playground.ui.markdown_view import MarkdownView
from playground.ui.pane_controls import PaneControlsMixin
from playground.ui.pane_figures import PaneFiguresMixin
from playground.ui.pane_lazy import ProblemPart, ReasoningPart, tool_button
from playground.ui.pane_thread import PaneThreadMixin
from playground.ui.widgets import DETAILS_ROLE, FREE_ROLE, ModelBox, ModelItemDelegate

PANE_MIME = "application/x-prompt-playground-pane"
MIN_WIDTH = 250  # six panes fit 1600 px; narrower, a figure chip would not fit


class DragHandle(QLabel):
    """The grip at a pane's top left: drag it onto another pane to reorder the panes."""

    def __init__(self, pane: ResponsePane) -> None:
        super().__init__("⠿")
        self.pane = pane
        self.setObjectName("dragHandle")
        self.setToolTip("Drag to move this pane")
        self.setAccessibleName("Drag to reorder")
        self.setCursor(Qt.CursorShape.OpenHandCursor)
        self._press_at: QPoint | None = None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._press_at = event.position().toPoint()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        start = self._press_at
        if start is None or not event.buttons() & Qt.MouseButton.LeftButton:
            return
        if (event.position().toPoint() - start).manhattanLength() < QApplication.startDragDistance():
            return
        mime = QMimeData()
        mime.setData(PANE_MIME, str(id(self.pane)).encode())
        drag = QDrag(self)
        drag.setMimeData(mime)
        drag.setPixmap(self.pane.grab().scaledToWidth(160))
        self._press_at = None
        drag.exec(Qt.DropAction.MoveAction)


class ResponsePane(PaneThreadMixin, PaneFiguresMixin, PaneControlsMixin):
    """One column of the comparison."""

    def __init__(self, model: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("responsePane")
        self.setAccessibleName("Response pane")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumWidth(MIN_WIDTH)
        self.result = PaneResult(model)
        self._text_buffer: list[str] = []
        self._reasoning_buffer: list[str] = []
        self._dirty = False
        self.active = False  # part of a comparison that has not ended for this pane
        self.overrides: ChatParams | None = None  # this pane's own parameters, over the shared ones
        self.routing: Routing | None = None  # this pane's routing, over a template's defaults
        self.messages: tuple[Message, ...] = ()  # this pane's conversation so far, its latest answer last
        self.in_conversation = True  # follow-ups go to this pane
        self.left_behind: list[tuple[Message, ...]] = []  # threads an edited turn branched away from
        self.blind: str | None = None  # blind mode: the label shown instead of the model ("Model B")
        self.blind_show_speed = True
        self._model_ids: list[str] = []
        self._started_at: float | None = None
        self._first_token_at: float | None = None
        self.note = ""
        self.badges: list[str] = []
        self._built_parts = {}  # the hidden parts, built on first use (pane_lazy)
        self._build(model)
        self._update_placeholder()
        self._render_state()

    # ----- layout ---------------------------------------------------------------------------

    def _build(self, model: str) -> None:
        """What a fresh pane shows; its note, reasoning, earlier turns, failure words and extras
        (tool calls, citations, images, schema check, cache figures) are built when first needed,
        in their places around the answer (pane_lazy)."""
        layout = self.column = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addLayout(self._header(model))
        layout.addLayout(self._meta())
        self.outputView = MarkdownView()
        self.outputView.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        layout.addWidget(self.outputView, 1)
        layout.addLayout(self._footer())

    def _meta(self) -> QVBoxLayout:
        """Above the answer: the state and who answered, the badges, the figure chips."""
        meta = QVBoxLayout()
        meta.setSpacing(4)
        self.headlineLabel = QLabel()
        self.headlineLabel.setObjectName("headlineLabel")
        self.headlineLabel.setAccessibleName("State")
        self.headlineLabel.setWordWrap(True)
        self.headlineLabel.setTextFormat(Qt.TextFormat.PlainText)
        self.headlineLabel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.badgeLabel = BadgePills()
        self.badgeLabel.hide()
        meta.addWidget(self.headlineLabel)
        meta.addWidget(self.badgeLabel)  # right under the model's name
        self.statsLabel = FiguresBar()
        self.statsLabel.hide()
        meta.addWidget(self.statsLabel)
        return meta

    def _header(self, model: str) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(2)  # the model id gets the room in a narrow pane
        self.dragHandle = DragHandle(self)
        row.addWidget(self.dragHandle)
        self.modelSelector = ModelBox()
        self.modelSelector.setObjectName("modelSelector")
        self.modelSelector.setAccessibleName("Model")
        self.modelSelector.setEditable(True)
        self.modelSelector.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.modelSelector.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.modelSelector.setMinimumContentsLength(14)
        line = self.modelSelector.lineEdit()  # an editable combo box always has one
        if line is not None:
            line.setPlaceholderText("Pick a model")
        self.modelSelector.setItemDelegate(ModelItemDelegate(self.modelSelector))
        completer = self.modelSelector.completer()
        if completer is not None:
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.modelSelector.setEditText(model)
        self.modelSelector.currentTextChanged.connect(self._model_edited)
        row.addWidget(self.modelSelector, 1)
        self.blindLabel = QLabel()
        self.blindLabel.setObjectName("blindLabel")
        self.blindLabel.setAccessibleName("Hidden model")
        self.blindLabel.hide()
        row.addWidget(self.blindLabel, 1)
        self.stopButton = tool_button("■", "Stop this answer", "stopButton")
        self.stopButton.clicked.connect(self.stopRequested)
        self.retryButton = tool_button("⟳", "Run this pane again", "retryButton")
        self.retryButton.clicked.connect(self.retryRequested)
        self.menuButton = tool_button("⋯", "More: move, get code, remove", "paneMenuButton")
        self.menuButton.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menuButton.setMenu(self._menu())
        for button in (self.stopButton, self.retryButton, self.menuButton):
            row.addWidget(button)
        return row

    def _menu(self) -> QMenu:
        menu = QMenu(self)
        actions: dict[str, QAction] = {}
        for text, slot in (
            ("Move left", lambda: self.moveRequested.emit(-1)),
            ("Move right", lambda: self.moveRequested.emit(1)),
            ("Parameters for this pane...", self.edit_overrides),
            ("Routing for this pane...", self.edit_routing),
            ("Edit an earlier turn...", self.choose_turn),
            ("Get code...", self.codeRequested.emit),
            ("Remove pane", self.removeRequested.emit),
        ):
            action = QAction(text, menu)
            action.triggered.connect(slot)
            menu.addAction(action)
            actions[text] = action
        self.moveLeftAction, self.moveRightAction = actions["Move left"], actions["Move right"]
        self.removePaneAction = actions["Remove pane"]
        self.focusAction = QAction("Focus this pane", menu)
        self.focusAction.setCheckable(True)
        self.focusAction.toggled.connect(self.focusRequested)
        menu.insertAction(actions["Parameters for this pane..."], self.focusAction)
        self.conversationAction = QAction("Include in follow-ups", menu)
        self.conversationAction.setCheckable(True)
        self.conversationAction.setChecked(True)
        self.conversationAction.toggled.connect(self.set_in_conversation)
        menu.addAction(self.conversationAction)
        return menu

    def _footer(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.copyButton = tool_button("Copy", "Copy the answer", "copyButton")
        self.copyButton.clicked.connect(self.copy_answer)
        self.rawButton = tool_button("Raw", "Show the raw Markdown", "rawButton")
        self.rawButton.setCheckable(True)
        self.rawButton.toggled.connect(self.outputView.set_raw)
        self.voteButton = tool_button(
            "★ Best", "Vote this answer the best, then see which model wrote it", "voteBestButton"
        )
        self.voteButton.clicked.connect(self.voteRequested)
        self.voteButton.hide()
        row.addWidget(self.copyButton)
        row.addWidget(self.rawButton)
        row.addWidget(self.voteButton)
        row.addStretch(1)
        return row

    # ----- state ----------------------------------------------------------------------------

    def set_models(self, ids: list[str], details: dict[str, tuple[str, bool]] | None = None) -> None:
        """Fill the selector (favourites and recent first) without changing the chosen model.

        ``details``: per id, its price and context in words and whether it is free (shown in the
        drop-down beside the id)."""
        current = self.model
        self._model_ids = list(ids)
        self.modelSelector.blockSignals(True)
        self.modelSelector.clear()
        self.modelSelector.addItems(ids)
        for row, model_id in enumerate(ids):
            words, free = (details or {}).get(model_id, ("", False))
            self.modelSelector.setItemData(row, words, DETAILS_ROLE)
            self.modelSelector.setItemData(row, free, FREE_ROLE)
            if words:
                self.modelSelector.setItemData(row, f"{model_id}: {words}", Qt.ItemDataRole.ToolTipRole)
        self.modelSelector.setEditText(current)
        self.modelSelector.blockSignals(False)
        self._update_placeholder()

    def _model_edited(self, text: str) -> None:
        self._update_placeholder()
        self.modelChanged.emit(text.strip())

    def set_focused(self, on: bool) -> None:
        """Shown alone (the compare view hides the others); the menu item says how to return."""
        self.focusAction.blockSignals(True)
        self.focusAction.setChecked(on)
        self.focusAction.blockSignals(False)

    def set_position(self, index: int, count: int) -> None:
        """Where the pane stands in the row: a move past either end or removing the last pane is
        not offered."""
        self.moveLeftAction.setEnabled(index > 0)
        self.moveRightAction.setEnabled(index < count - 1)
        self.removePaneAction.setEnabled(count > 1)

    def _update_placeholder(self) -> None:
        if self.active or self.result.state is not PaneState.QUEUED:
            text = ""  # sent: the state line and the error say what happened
        elif self.model:
            text = "Press Send (Ctrl+Enter)."  # one line: Qt does not wrap a placeholder
        else:
            text = "Pick a model, then Send."
        self.outputView.setPlaceholderText(text)
        line = self.modelSelector.lineEdit()
        if line is not None and not line.hasFocus():
            line.setCursorPosition(0)  # a narrow pane shows the id's start, not its end

    def _update_actions(self) -> None:
        """Copy and Raw act on the answer: offered only when there is one."""
        has_text = bool(self.outputView.text or self._text_buffer)
        self.copyButton.setEnabled(has_text)
        self.rawButton.setEnabled(has_text or self.rawButton.isChecked())

    def reset(self, *, starting: bool = False) -> None:
        """Clear the pane; ``starting`` means a request for it is about to go out."""
        if starting:  # the answer area stays where it is while the new state and figures come
            self.statsLabel.hold_height()
            headline = self.headlineLabel
            headline.setMinimumHeight(0 if headline.isHidden() else headline.height())
            # the scroll bar is there from the start: the text is not laid out again (and does not
            # reflow before the reader's eyes) when the answer grows past the pane's height
            self.outputView.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
            # the answer's view fills its own background, so it is opaque: a redraw of the streaming
            # text paints the view alone, not the pane and the row behind it as well (the style
            # sheet's background left it see-through; the style sheet still draws over this fill)
            self.outputView.viewport().setAutoFillBackground(True)
        self.active = starting
        self.result = PaneResult(self.model)
        self._text_buffer.clear()
        self._reasoning_buffer.clear()
        self.outputView.clear_text()
        for part in (self.built(ReasoningPart), self.built(ProblemPart)):
            if part is not None:
                part.clear()
        self.set_badges([])
        self._update_placeholder()
        self._render_state()

    def show_result(self, result: PaneResult) -> None:
        """Draw this state from now on: the run's own copy, which the run keeps up to date."""
        self.result = result
        self._dirty = True

    def on_event(self, event: PaneEventBody) -> None:
        """Note an event already applied to ``result``; the widgets are updated on the next flush."""
        now = time.monotonic()
        if isinstance(event, Started):
            self._started_at, self._first_token_at = now, None
        elif isinstance(event, Delta | Reasoning) and self._first_token_at is None:
            self._first_token_at = now
        if isinstance(event, Delta):
            self._text_buffer.append(event.text)
        elif isinstance(event, Reasoning):
            self._reasoning_buffer.append(event.text)
        self._dirty = True

    @property
    def has_pending_text(self) -> bool:
        """Text or reasoning arrived that the pane has not drawn yet."""
        return bool(self._text_buffer or self._reasoning_buffer)

    @property
    def needs_frame(self) -> bool:
        """Something arrived that the pane has not drawn yet: text, reasoning or figures."""
        return self._dirty or bool(self._text_buffer or self._reasoning_buffer)

    def flush(self, *, render: bool = True, figures: bool = True) -> None:
        """With ``render``, draw the buffered text and reasoning; with ``figures``, refresh the
        figures line and state if anything changed. When is the caller's decision (the compare view
        paces every pane in one place)."""
        if render and self._reasoning_buffer:
            if self.reasoningToggle.isHidden():
                self.reasoningToggle.show()
            cursor = self.reasoningView.textCursor()
            cursor.movePosition(cursor.MoveOperation.End)
            cursor.insertText("".join(self._reasoning_buffer))
            self._reasoning_buffer.clear()
        if render and self._text_buffer:
            self.outputView.append_text("".join(self._text_buffer))
            self._text_buffer.clear()
        if figures and self._dirty:
            self._dirty = False
            self._render_state()

    # ----- blind mode -------------------------------------------------------------------------

    def copy_answer(self) -> None:
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.setText(self.outputView.text)
