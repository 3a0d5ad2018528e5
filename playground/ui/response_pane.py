"""ResponsePane: one model's answer, streaming live, with its figures, state and controls.

The pane only renders state: events are buffered as they arrive and drawn by ``flush()``, which
the compare view calls on a frame timer, never once per token.

Signals:
    stopRequested(): the user pressed Stop.
    retryRequested(): the user pressed Retry.
    removeRequested(): the user closed the pane.
    moveRequested(int): -1 to move left, +1 to move right.
    codeRequested(): the user asked for a code snippet of this pane's request.
    modelChanged(str): the model id typed or picked in the selector.
"""

from __future__ import annotations

import secrets
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QDrag, QGuiApplication, QMouseEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QCompleter,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QSizePolicy,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from playground.core.answer_extras import result_from_extras
from playground.core.compare import PaneEventBody, PaneResult, PaneState
from playground.core.conversation import Message, turns
from playground.core.events import Delta, Reasoning, Started
from playground.core.format import usd
from playground.core.request import ChatParams
from playground.core.routing import Routing
from playground.ui.figures import BadgePills, Chip, FiguresBar, headline, result_chips
from playground.ui.markdown_view import SAFE_MARKDOWN, MarkdownView
from playground.ui.pane_extras import PaneExtras, continue_with_results
from playground.ui.widgets import DETAILS_ROLE, FREE_ROLE, ModelItemDelegate

if TYPE_CHECKING:
    from playground.core.history import AnswerRecord
    from playground.ui.routing_dialog import RoutingDialog

# The next step after each kind of failure. The failure's own message already says what happened,
# so the advice must not say it again ("the connection was lost. The connection dropped - ...").
ADVICE = {
    "auth": "OpenRouter rejected this key - open Key settings to check or replace it.",
    "credits": "Add credits on openrouter.ai or lower Max tokens.",
    "not_found": "Pick another model.",
    "rate_limited": "Wait a moment, then Retry.",
    "network": "Check your connection, then Retry.",
    "disconnected": "Retry to run it again.",
    "timeout": "Retry, or pick a faster model.",
    "server": "Retry, or pick another model.",
}


PANE_MIME = "application/x-prompt-playground-pane"
MIN_WIDTH = 250  # six panes fit 1600 px; narrower, a figure chip would not fit
RENDER_INTERVAL = 0.08  # seconds between Markdown renders of one pane while it streams
TAIL_BUDGET_CHARS = 2000  # beyond this unfinished-tail length, renders space out proportionally


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


def _tool(text: str, tip: str, name: str) -> QToolButton:
    button = QToolButton()
    button.setText(text)
    button.setToolTip(tip)
    button.setObjectName(name)
    button.setAccessibleName(tip)
    button.setAutoRaise(True)
    return button


class ResponsePane(QFrame):
    """One column of the comparison."""

    stopRequested = Signal()
    retryRequested = Signal()
    removeRequested = Signal()
    moveRequested = Signal(int)
    codeRequested = Signal()
    modelChanged = Signal(str)
    branchRequested = Signal(int, str)  # user turn index (0-based), its edited text
    conversationChanged = Signal(bool)  # the pane was ticked in or out of follow-ups
    voteRequested = Signal()  # blind mode: "this answer is the best"
    focusRequested = Signal(bool)  # show this pane alone (True) or every pane again (False)

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
        self.thread: tuple[Message, ...] = ()  # this pane's conversation so far, its latest answer last
        self.in_conversation = True  # follow-ups go to this pane
        self.left_behind: list[tuple[Message, ...]] = []  # threads an edited turn branched away from
        self.blind: str | None = None  # blind mode: the label shown instead of the model ("Model B")
        self.blind_show_speed = True
        self._model_ids: list[str] = []
        self._started_at: float | None = None
        self._rendered_at = 0.0
        self._first_token_at: float | None = None
        self.note = ""
        self.badges: list[str] = []
        self._build(model)
        self._update_placeholder()
        self._render_state()

    # ----- layout ---------------------------------------------------------------------------

    def _build(self, model: str) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addLayout(self._header(model))
        layout.addLayout(self._meta())
        self.noteLabel = QLabel()
        self.noteLabel.setObjectName("noteLabel")
        self.noteLabel.setWordWrap(True)
        self.noteLabel.hide()
        layout.addWidget(self.noteLabel)
        self.reasoningToggle = _tool("▸ Reasoning", "Show or hide the model's reasoning", "reasoningToggle")
        self.reasoningToggle.setCheckable(True)
        self.reasoningToggle.toggled.connect(self._toggle_reasoning)
        self.reasoningView = QPlainTextEdit()
        self.reasoningView.setObjectName("reasoningView")
        self.reasoningView.setAccessibleName("Reasoning")
        self.reasoningView.setReadOnly(True)
        self.reasoningView.setMaximumHeight(140)
        self.reasoningToggle.hide()
        self.reasoningView.hide()
        layout.addWidget(self.reasoningToggle)
        layout.addWidget(self.reasoningView)
        self.threadToggle = _tool(
            "▸ Earlier turns", "Show this pane's earlier turns; edit one to branch", "threadToggle"
        )
        self.threadToggle.setCheckable(True)
        self.threadToggle.toggled.connect(self._toggle_thread)
        self.threadView = QTextBrowser()
        self.threadView.setObjectName("threadView")
        self.threadView.setAccessibleName("Earlier turns")
        self.threadView.setOpenLinks(False)
        self.threadView.anchorClicked.connect(self._thread_link)
        self.threadView.setMaximumHeight(180)
        self.threadToggle.hide()
        self.threadView.hide()
        layout.addWidget(self.threadToggle)
        layout.addWidget(self.threadView)
        self.errorLabel = QLabel()
        self.errorLabel.setObjectName("errorLabel")
        self.errorLabel.setWordWrap(True)
        self.errorLabel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.errorLabel.hide()
        layout.addWidget(self.errorLabel)
        self.detailsButton = _tool("Details ▸", "Show the server's status and message", "detailsButton")
        self.detailsButton.setCheckable(True)
        self.detailsLabel = QLabel()
        self.detailsLabel.setObjectName("detailsLabel")
        self.detailsLabel.setWordWrap(True)
        self.detailsLabel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detailsButton.toggled.connect(self._toggle_details)
        self.detailsButton.hide()
        self.detailsLabel.hide()
        layout.addWidget(self.detailsButton)
        layout.addWidget(self.detailsLabel)
        self.outputView = MarkdownView()
        self.outputView.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        layout.addWidget(self.outputView, 1)
        self.extras = PaneExtras()  # tool calls, citations, images, schema check, cache figures
        self.extras.toolResultsReady.connect(lambda results: continue_with_results(self, results))
        layout.addWidget(self.extras)
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
        self.modelSelector = QComboBox()
        self.modelSelector.setObjectName("modelSelector")
        self.modelSelector.setAccessibleName("Model")
        self.modelSelector.setEditable(True)
        self.modelSelector.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.modelSelector.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.modelSelector.setMinimumContentsLength(14)
        self.modelSelector.lineEdit().setPlaceholderText("Pick a model")
        self.modelSelector.setItemDelegate(ModelItemDelegate(self.modelSelector))
        self.modelSelector.view().setMinimumWidth(360)  # room for the price and context
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
        self.stopButton = _tool("■", "Stop this answer", "stopButton")
        self.stopButton.clicked.connect(self.stopRequested)
        self.retryButton = _tool("⟳", "Run this pane again", "retryButton")
        self.retryButton.clicked.connect(self.retryRequested)
        self.menuButton = _tool("⋯", "More: move, get code, remove", "paneMenuButton")
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
        self.removeAction = actions["Remove pane"]
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
        self.copyButton = _tool("Copy", "Copy the answer", "copyButton")
        self.copyButton.clicked.connect(self.copy_answer)
        self.rawButton = _tool("Raw", "Show the raw Markdown", "rawButton")
        self.rawButton.setCheckable(True)
        self.rawButton.toggled.connect(self.outputView.set_raw)
        self.voteButton = _tool(
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

    @property
    def model(self) -> str:
        return self.modelSelector.currentText().strip()

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
        self.removeAction.setEnabled(count > 1)

    def _update_placeholder(self) -> None:
        if self.active or self.result.state is not PaneState.QUEUED:
            text = ""  # sent: the state line and the error say what happened
        elif self.model:
            text = "Press Send (Ctrl+Enter) - the answer appears here."
        else:
            text = "Pick a model above, then press Send."
        self.outputView.setPlaceholderText(text)
        line = self.modelSelector.lineEdit()
        if not line.hasFocus():
            line.setCursorPosition(0)  # a narrow pane shows the id's start, not its end

    def _update_actions(self) -> None:
        """Copy and Raw act on the answer: offered only when there is one."""
        has_text = bool(self.outputView.text or self._text_buffer)
        self.copyButton.setEnabled(has_text)
        self.rawButton.setEnabled(has_text or self.rawButton.isChecked())

    def reset(self, *, starting: bool = False) -> None:
        """Clear the pane; ``starting`` means a request for it is about to go out."""
        self.active = starting
        self.result = PaneResult(self.model)
        self._text_buffer.clear()
        self._reasoning_buffer.clear()
        self.outputView.clear_text()
        self.reasoningView.clear()
        self.reasoningToggle.hide()
        self.reasoningView.hide()
        self.errorLabel.hide()
        self.detailsButton.hide()
        self.detailsButton.setChecked(False)
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

    def flush(self, *, figures: bool = True, force: bool = False, may_render: bool = True) -> None:
        """Draw buffered text; with ``figures`` also refresh the figures line.

        Markdown is re-rendered at most every RENDER_INTERVAL (longer for long unfinished
        paragraphs), so a trickle of tokens does not re-lay out the answer 60 times a second;
        ``may_render`` lets the compare view spread the panes' renders over different frames.
        """
        now = time.monotonic()
        # A long unfinished paragraph is re-rendered whole each time: render it less often, so the
        # cost per second stays flat however long the paragraph grows.
        interval = RENDER_INTERVAL * max(1.0, self.outputView.tail_length / TAIL_BUDGET_CHARS)
        due = force or (may_render and now - self._rendered_at >= interval)
        if not due:
            if figures and self._dirty:
                self._dirty = False
                self._render_state()
            return
        self._rendered_at = now
        if self._reasoning_buffer:
            if self.reasoningToggle.isHidden():
                self.reasoningToggle.show()
            cursor = self.reasoningView.textCursor()
            cursor.movePosition(cursor.MoveOperation.End)
            cursor.insertText("".join(self._reasoning_buffer))
            self._reasoning_buffer.clear()
        if self._text_buffer:
            self.outputView.append_text("".join(self._text_buffer))
            self._text_buffer.clear()
        if figures and self._dirty:
            self._dirty = False
            self._render_state()

    def _toggle_details(self, shown: bool) -> None:
        self.detailsLabel.setVisible(shown)
        self.detailsButton.setText("Details ▾" if shown else "Details ▸")

    def _toggle_reasoning(self, shown: bool) -> None:
        self.reasoningView.setVisible(shown)
        words = len(self.result.reasoning.split())
        self.reasoningToggle.setText(("▾" if shown else "▸") + f" Reasoning ({words} words)")

    def _render_state(self) -> None:
        result = self.result
        if result.state.final:
            self.active = False
        running = self.active and not result.state.final
        if hasattr(self, "extras"):
            self.extras.show_result(result)
        self.stopButton.setEnabled(running)
        self.retryButton.setEnabled(not running)
        self._update_actions()
        self._render_figures()
        state = result.state.name.lower()
        if self.property("state") != state:  # re-polishing restyles the whole pane: only on change
            self._update_placeholder()
            self.setProperty("state", state)
            self.style().unpolish(self)
            self.style().polish(self)
        if result.reasoning and not self.reasoningToggle.isChecked():
            self.reasoningToggle.setText(f"▸ Reasoning ({len(result.reasoning.split())} words)")
        if result.failed is not None or result.state in (PaneState.TRUNCATED, PaneState.STOPPED):
            self._show_problem()

    def _show_problem(self) -> None:
        result = self.result
        if result.failed is not None:
            self.errorLabel.setText(failure_words(result))
            self.detailsLabel.setText(result.failed.detail)
            self.detailsButton.setVisible(bool(result.failed.detail) and self.blind is None)
        elif result.state is PaneState.TRUNCATED:
            self.errorLabel.setText(
                "Incomplete: the stream ended without a finish reason - this answer was cut off."
            )
        else:
            self.errorLabel.setText("Stopped - the answer above is partial.")
        self.errorLabel.setTextFormat(Qt.TextFormat.PlainText)
        self.errorLabel.show()

    def _render_figures(self) -> None:
        result, blind = self.result, self.blind is not None
        live = self._live_numbers()
        if result.state is PaneState.QUEUED and not self.active:
            text, words, chips = "", "", []  # nothing sent yet: the answer area says what to do
        else:
            shown = live if not blind or self.blind_show_speed else (None, None)
            text = (
                stats_text(result, _live_words(shown))
                if not blind
                else blind_stats_text(result, _live_words(shown), self.blind_show_speed)
            )
            words = headline(result, _state_words(result), blind=blind)
            chips = result_chips(result, live, money=not blind, speed=not blind or self.blind_show_speed)
        self.statsLabel.setText(text)
        self.statsLabel.set_chips(chips)
        self.headlineLabel.setText(words)
        self.headlineLabel.setVisible(bool(words))

    def _live_numbers(self) -> tuple[float | None, float | None]:
        """TTFT and an approximate speed while streaming (chunks per second, until usage arrives)."""
        if self.result.state is not PaneState.STREAMING or self._started_at is None:
            return None, None
        if self._first_token_at is None:
            return None, None
        ttft = self._first_token_at - self._started_at
        elapsed = time.monotonic() - self._first_token_at
        return ttft, (self.result.chunks / elapsed if elapsed > 0.2 else None)

    def show_record(self, answer: AnswerRecord) -> None:
        """A stored answer from history, shown read-only with its figures."""
        self.reset()
        self.outputView.append_text(answer.answer)
        if answer.reasoning:
            self.reasoningView.setPlainText(answer.reasoning)
            self.reasoningToggle.show()
        cost = usd(answer.cost) if answer.cost is not None else "-"
        who = f"{answer.served_model or answer.requested_model} via {answer.provider or '-'}"
        parts = [f"from history: {answer.state}", who]
        chips = []
        if answer.ttft is not None:
            parts.append(f"TTFT {answer.ttft:.2f} s")
            chips.append(Chip("ttft", "TTFT", f"{answer.ttft:.2f} s"))
        parts += [f"{answer.tokens_in or 0} in / {answer.tokens_out or 0} out", cost]
        chips.append(Chip("tokens", "", f"{answer.tokens_in or 0} → {answer.tokens_out or 0} tok"))
        chips.append(Chip("cost", "", cost))
        self.statsLabel.setText(" · ".join(parts))
        self.statsLabel.set_chips(chips)
        self.headlineLabel.setText(f"from history: {answer.state} · {who}")
        self.headlineLabel.show()
        self.extras.show_result(result_from_extras(answer.requested_model, answer.extras))
        self._update_actions()
        if answer.error:
            self.errorLabel.setText(answer.error)
            self.errorLabel.show()

    # ----- conversation ---------------------------------------------------------------------

    def set_thread(self, thread: tuple[Message, ...]) -> None:
        """This pane's conversation; every turn before the latest answer is shown under the toggle."""
        self.thread = thread
        pairs = turns(thread)
        earlier = pairs[:-1] if pairs and pairs[-1][1] is not None else pairs
        self.threadToggle.setVisible(bool(earlier) or bool(self.left_behind))
        if not earlier and not self.left_behind:
            self.threadToggle.setChecked(False)
        self._toggle_thread(self.threadToggle.isChecked())
        # the thread view's own links carry a key an answer cannot know: a link written inside an
        # answer ("[x](edit:0)") must not act
        key = self._link_key = secrets.token_hex(8)
        blocks: list[str] = [f"[Open the whole conversation in a window]({OPEN}:{key}/0)"] if pairs else []
        if self.left_behind:
            count = len(self.left_behind)
            blocks.append(
                f"↳ *Branched: {count} earlier version{'s' if count > 1 else ''} of this conversation "
                f"left behind* - [go back to the one before]({BACK}:{key}/{count - 1})"
            )
        for index, (user, answer) in enumerate(pairs):
            attached = (
                f" *(attached: {', '.join(a.name for a in user.attachments)})*" if user.attachments else ""
            )
            quoted = "\n".join(f"> {line}" for line in user.text.splitlines() or [""])
            blocks.append(
                f"**You** - turn {index + 1} - [edit and resend](edit:{key}/{index}){attached}\n\n{quoted}"
            )
            if answer is not None and index < len(pairs) - 1:
                blocks.append(answer.text)
        self.threadView.document().setMarkdown("\n\n---\n\n".join(blocks), SAFE_MARKDOWN)

    def _toggle_thread(self, shown: bool) -> None:
        self.threadView.setVisible(shown and self.threadToggle.isVisible())
        count = max(0, len(turns(self.thread)) - 1)
        self.threadToggle.setText(("▾" if shown else "▸") + f" Earlier turns ({count})")

    def _thread_link(self, url: QUrl) -> None:
        key, _, value = url.path().partition("/")
        if key != getattr(self, "_link_key", None) or not value.isdigit():
            return  # not one of the view's own links (an answer can contain links too)
        if url.scheme() == "edit":
            self.edit_turn(int(value))
        elif url.scheme() == BACK:
            self.go_back(int(value))
        elif url.scheme() == OPEN:
            self.show_conversation()

    def show_conversation(self) -> None:
        """The whole thread, answers included, in its own window."""
        from playground.core.conversation import thread_markdown
        from playground.ui.turn_dialog import ThreadDialog

        dialog = ThreadDialog(self.model, thread_markdown(self.thread, self.model), self)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        self.thread_dialog = dialog

    def go_back(self, index: int) -> None:
        """Show a conversation a branch left behind again; the current one takes its place."""
        if not 0 <= index < len(self.left_behind):
            return
        earlier = self.left_behind.pop(index)
        self.left_behind.append(self.thread)
        pairs = turns(earlier)
        answer = pairs[-1][1] if pairs else None
        self.reset()
        self.outputView.append_text(answer.text if answer is not None else "")
        self.statsLabel.setText("the conversation before the branch (its figures are in History)")
        self.set_thread(earlier)

    def choose_turn(self) -> None:
        """Which turn to edit, when there is more than one (the menu passes no turn)."""
        pairs = turns(self.thread)
        if len(pairs) <= 1:
            self.edit_turn(0 if pairs else None)
            return
        labels = [f"Turn {i + 1}: {' '.join(user.text.split())[:70]}" for i, (user, _a) in enumerate(pairs)]
        label, ok = QInputDialog.getItem(
            self, "Edit an earlier turn", "Turn to edit and resend:", labels, len(labels) - 1, False
        )
        if ok and label in labels:
            self.edit_turn(labels.index(label))

    def edit_turn(self, index: int | None = None) -> None:
        """Ask for the new text of a user turn (the latest by default), then branch from it."""
        pairs = turns(self.thread)
        if not pairs:
            return
        index = len(pairs) - 1 if index is None or isinstance(index, bool) else index
        if not 0 <= index < len(pairs):
            return
        from playground.ui.turn_dialog import TurnEditDialog

        dialog = TurnEditDialog(index, pairs[index][0].text, self)
        dialog.edited.connect(lambda text, i=index: self.branchRequested.emit(i, text))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        self.turn_dialog = dialog

    def set_in_conversation(self, on: bool) -> None:
        changed = on != self.in_conversation
        self.in_conversation = on
        if self.conversationAction.isChecked() != on:
            self.conversationAction.setChecked(on)
        self._render_note()
        if changed:
            self.conversationChanged.emit(on)

    def set_unknown(self, unknown: bool) -> None:
        """Mark the model box red (and say why) when the catalog does not know the id."""
        if bool(self.modelSelector.property("unknown")) == unknown:
            return
        self.modelSelector.setProperty("unknown", unknown)
        self.modelSelector.setToolTip(
            "Not in OpenRouter's model list - check the spelling, or pick a model from the list"
            if unknown
            else ""
        )
        self.modelSelector.style().unpolish(self.modelSelector)
        self.modelSelector.style().polish(self.modelSelector)
        self._render_note()

    def set_note(self, text: str) -> None:
        """A remark about this pane's model before sending (e.g. parameters it ignores)."""
        self.note = text
        self._render_note()

    def _render_note(self) -> None:
        parts = [self.note] if self.note else []
        if self.modelSelector.property("unknown"):
            parts.insert(0, f"Unknown model id '{self.model}' - not in OpenRouter's model list.")
        if self.overrides is not None and self.overrides.set_names():
            shown = ", ".join(f"{n}={getattr(self.overrides, n)}" for n in self.overrides.set_names())
            parts.append(f"This pane overrides: {shown}")
        if self.routing is not None and not self.routing.empty:
            parts.append(f"Routing: {self.routing.describe()}")
        if not self.in_conversation:
            parts.append("Left out of follow-ups (⋯ menu to include it again)")
        self.noteLabel.setText("\n".join(parts))
        self.noteLabel.setVisible(bool(parts) and self.blind is None)  # notes name the model

    def set_overrides(self, params: ChatParams | None) -> None:
        self.overrides = params if params is not None and params.set_names() else None
        self._render_note()

    def edit_overrides(self) -> None:
        from playground.ui.params_panel import ParamsDialog

        dialog = ParamsDialog(self.overrides or ChatParams(), self)
        dialog.accepted.connect(lambda: self.set_overrides(dialog.panel.params()))
        dialog.open()

    def set_routing(self, routing: Routing | None) -> None:
        self.routing = routing if routing is not None and not routing.empty else None
        self._render_note()

    def edit_routing(self) -> RoutingDialog:
        from playground.ui.routing_dialog import RoutingDialog

        dialog = RoutingDialog(self.model, self.routing, self._model_ids, self)

        def accepted() -> None:
            self.set_routing(dialog.routing())
            if dialog.model() != self.model:
                self.modelSelector.setEditText(dialog.model())

        dialog.accepted.connect(accepted)
        dialog.open()
        return dialog

    # ----- blind mode -------------------------------------------------------------------------

    def set_blind(self, label: str | None, *, show_speed: bool = True) -> None:
        """Hide (label) or reveal (None) which model this pane is: its name, provider, cost, notes."""
        self.blind = label
        self.blind_show_speed = show_speed
        hidden = label is not None
        self.blindLabel.setText(label or "")
        self.blindLabel.setVisible(hidden)
        self.modelSelector.setVisible(not hidden)
        self.menuButton.setEnabled(not hidden)  # routing, code and parameters name the model
        self.noteLabel.setVisible(not hidden and bool(self.noteLabel.text()))
        if hidden:
            self.detailsButton.hide()
            self.detailsLabel.hide()
        else:
            self.voteButton.hide()
            self._render_note()
        self.set_badges(self.badges)
        self._render_state()

    def set_voting(self, on: bool) -> None:
        self.voteButton.setVisible(on and self.blind is not None)

    def set_badges(self, badges: list[str]) -> None:
        self.badges = badges
        shown = badges
        if self.blind is not None:  # cost gives a model away; speed only when the user allows it
            shown = [
                b for b in badges if "cheapest" not in b and (self.blind_show_speed or "fastest" not in b)
            ]
        self.badgeLabel.set_badges(shown)

    def copy_answer(self) -> None:
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.setText(self.outputView.text)


BACK = "back"  # the thread view's link to a conversation a branch left behind
OPEN = "open"  # the thread view's link to the whole conversation in a window


def failure_words(result: PaneResult) -> str:
    """One plain sentence with the next step, phrased for the window (not the CLI)."""
    failed = result.failed
    assert failed is not None
    advice = ADVICE.get(str(failed.kind), "")
    if failed.kind == "auth":
        return advice
    message = failed.message.removeprefix(f"{result.model}: ")
    message = message[0].upper() + message[1:] if message else message
    if " - " in message or not advice:
        return message + ("." if not message.endswith(".") else "")
    return f"{message}. {advice}"


def stats_text(result: PaneResult, live: str = "") -> str:
    """The figures line: state, served model and provider, TTFT, speed, tokens, cost, finish."""
    parts = [_state_words(result)]
    if live:
        parts.append(live)
    f, u = result.finished, result.usage
    if f is not None:
        note = result.routing_note
        served = f.served_model or result.model
        provider = f.provider or _endpoint_of(result.model) or "unknown provider"
        parts.append(f"⚠ {note}" if note else f"{served} via {provider}")
        if note:
            parts.append(f"via {provider}")
        if f.ttft is not None:
            parts.append(f"TTFT {f.ttft:.2f} s")
        if f.tokens_per_second:
            parts.append(f"{f.tokens_per_second:.1f} tok/s")
    elif result.chunks and not live:
        parts.append(f"{result.chunks} chunks")
    if u is not None:
        mark = "~" if u.estimated else ""
        tokens = f"{mark}{u.prompt_tokens or 0} in / {mark}{u.completion_tokens or 0} out"
        if u.reasoning_tokens:
            tokens += f" ({u.reasoning_tokens} reasoning)"
        parts.append(tokens + (" (estimated)" if u.estimated else ""))
        if u.cost is not None:
            parts.append(usd(u.cost))
        elif u.estimated:
            parts.append("local / unknown cost")
    if f is not None and f.finish_reason:
        parts.append(f"finish: {f.finish_reason}")
    return " · ".join(parts)


def _endpoint_of(model: str) -> str | None:
    """``@ollama/llama3`` answered "via ollama" (plain endpoints name no provider)."""
    from playground.core.modelref import endpoint_of  # the one parser of @name/model

    return endpoint_of(model)


def _live_words(live: tuple[float | None, float | None]) -> str:
    ttft, rate = live
    if ttft is None:
        return ""
    return f"TTFT {ttft:.2f} s" + (f" · ~{rate:.0f} tok/s" if rate else "")


def blind_stats_text(result: PaneResult, live: str, show_speed: bool) -> str:
    """The figures line while the model is hidden: the state, and speed if the user allows it."""
    parts = [_state_words(result)]
    if live:
        parts.append(live)
    f = result.finished
    if f is not None and show_speed:
        if f.ttft is not None:
            parts.append(f"TTFT {f.ttft:.2f} s")
        if f.tokens_per_second:
            parts.append(f"{f.tokens_per_second:.1f} tok/s")
    return " · ".join(parts)


def _state_words(result: PaneResult) -> str:
    from playground.core.pane_words import state_words  # the CLI's words too, in more detail

    return state_words(result, detailed=True)
