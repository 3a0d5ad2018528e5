"""PaneBase: what the parts of a ResponsePane share, declared once so each part is type-checked.

A ResponsePane is built from parts in their own modules (pane_figures, pane_thread, pane_controls),
each a class whose methods run on the pane. They all derive from PaneBase, which declares the
pane's signals, its widgets and state (created by ResponsePane._build / __init__) and the few
methods one part calls on another; so mypy checks every part against the pane it runs on. The
widgets hidden in a fresh pane (its note, reasoning, earlier turns, failure words and extras) are
built the first time one of them is read (pane_lazy).

Signals:
    stopRequested(): the user pressed Stop.
    retryRequested(): the user pressed Retry.
    removeRequested(): the user closed the pane.
    moveRequested(int): -1 to move left, +1 to move right.
    codeRequested(): the user asked for a code snippet of this pane's request.
    modelChanged(str): the model id typed or picked in the selector.
    branchRequested(int, str): a user turn (0-based) edited: branch from it with this text.
    conversationChanged(bool): the pane was ticked in or out of follow-ups.
    voteRequested(): blind mode: "this answer is the best".
    focusRequested(bool): show this pane alone (True) or every pane again (False).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar, cast

from PySide6.QtCore import QUrl, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QLabel,
    QPlainTextEdit,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
)

from playground.ui.pane_lazy import (
    ExtrasPart,
    NotePart,
    PanePart,
    ProblemPart,
    ReasoningPart,
    ThreadPart,
    place,
)

if TYPE_CHECKING:
    from PySide6.QtGui import QAction

    from playground.core.compare import PaneResult
    from playground.core.conversation import Message
    from playground.core.request import ChatParams
    from playground.core.routing import Routing
    from playground.ui.figures import BadgePills, FiguresBar
    from playground.ui.markdown_view import MarkdownView
    from playground.ui.pane_extras import PaneExtras

Part = TypeVar("Part", bound=PanePart)


class PaneBase(QFrame):
    """The pane's signals, widgets, state and cross-part methods (see the module's docstring)."""

    stopRequested = Signal()
    retryRequested = Signal()
    removeRequested = Signal()
    moveRequested = Signal(int)
    codeRequested = Signal()
    modelChanged = Signal(str)
    branchRequested = Signal(int, str)
    conversationChanged = Signal(bool)
    voteRequested = Signal()
    focusRequested = Signal(bool)

    # state (ResponsePane.__init__)
    result: PaneResult
    active: bool  # part of a comparison that has not ended for this pane
    overrides: ChatParams | None  # this pane's own parameters, over the shared ones
    routing: Routing | None  # this pane's routing, over a template's defaults
    messages: tuple[Message, ...]  # this pane's conversation so far, its latest answer last
    in_conversation: bool  # follow-ups go to this pane
    left_behind: list[tuple[Message, ...]]  # conversations an edited turn branched away from
    blind: str | None  # blind mode: the label shown instead of the model ("Model B")
    blind_show_speed: bool
    note: str
    badges: list[str]
    _model_ids: list[str]
    _started_at: float | None
    _first_token_at: float | None

    # widgets (ResponsePane._build)
    modelSelector: QComboBox
    blindLabel: QLabel
    stopButton: QToolButton
    retryButton: QToolButton
    menuButton: QToolButton
    voteButton: QToolButton
    conversationAction: QAction
    headlineLabel: QLabel
    badgeLabel: BadgePills
    statsLabel: FiguresBar
    outputView: MarkdownView
    column: QVBoxLayout  # the pane's widgets, top to bottom
    _built_parts: dict[type[PanePart], PanePart]

    @property
    def model(self) -> str:
        return self.modelSelector.currentText().strip()

    # ----- the parts built on first use (pane_lazy) ---------------------------------------------

    def part(self, kind: type[Part]) -> Part:
        """``kind``'s widgets, built and put in their place the first time they are asked for."""
        found = self._built_parts.get(kind)
        if found is None:
            found = kind(self)
            place(self, found)
            self._built_parts[kind] = found
        return cast(Part, found)

    def built(self, kind: type[Part]) -> Part | None:
        """``kind``'s widgets if they were built: what only clears or hides a part asks this first."""
        return cast("Part | None", self._built_parts.get(kind))

    def parts(self) -> list[PanePart]:
        return list(self._built_parts.values())

    @property
    def noteLabel(self) -> QLabel:
        return self.part(NotePart).label

    @property
    def reasoningToggle(self) -> QToolButton:
        return self.part(ReasoningPart).toggle

    @property
    def reasoningView(self) -> QPlainTextEdit:
        return self.part(ReasoningPart).view

    @property
    def threadToggle(self) -> QToolButton:
        return self.part(ThreadPart).toggle

    @property
    def threadView(self) -> QTextBrowser:
        return self.part(ThreadPart).view

    @property
    def errorLabel(self) -> QLabel:
        return self.part(ProblemPart).error

    @property
    def detailsButton(self) -> QToolButton:
        return self.part(ProblemPart).details_button

    @property
    def detailsLabel(self) -> QLabel:
        return self.part(ProblemPart).details

    @property
    def extras(self) -> PaneExtras:
        return self.part(ExtrasPart).extras

    # ----- what one part calls on another (each defined by exactly one part) ----------------

    def reset(self, *, starting: bool = False) -> None:
        raise NotImplementedError  # ResponsePane

    def _update_actions(self) -> None:
        raise NotImplementedError  # ResponsePane

    def _update_placeholder(self) -> None:
        raise NotImplementedError  # ResponsePane

    def _render_state(self) -> None:
        raise NotImplementedError  # pane_figures

    def _render_note(self) -> None:
        raise NotImplementedError  # pane_controls

    def _toggle_reasoning(self, shown: bool) -> None:
        raise NotImplementedError  # pane_figures

    def _toggle_details(self, shown: bool) -> None:
        raise NotImplementedError  # pane_figures

    def _toggle_thread(self, shown: bool) -> None:
        raise NotImplementedError  # pane_thread

    def _thread_link(self, url: QUrl) -> None:
        raise NotImplementedError  # pane_thread
