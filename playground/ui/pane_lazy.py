"""A ResponsePane's hidden parts, built the first time they are needed (start-up, benchmark 6).

A fresh pane shows its model, its state line and the answer area. Its note, the model's reasoning,
the earlier turns, what went wrong and the answer's extras (tool calls, citations, images, the JSON
view) stay hidden until an answer or a follow-up brings them; built with the window, they were most
of its widgets. Each part is built by the first read of one of its widgets (``pane.reasoningView``
builds the reasoning part), put where it always stood in the pane and in the keyboard's Tab order,
with its object and accessible names. Code that only clears or hides a part asks ``pane.built(...)``
first: a part never built has nothing to clear.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLayout, QPlainTextEdit, QTextBrowser, QToolButton, QWidget

if TYPE_CHECKING:
    from playground.core.compare import PaneResult
    from playground.ui.pane_base import PaneBase
    from playground.ui.pane_extras import PaneExtras

ANSWER_RANK = 5  # the answer's place in the column: parts ranked lower stand above it


def tool_button(text: str, tip: str, name: str) -> QToolButton:
    """A pane's small flat button, its tip also its accessible name."""
    button = QToolButton()
    button.setText(text)
    button.setToolTip(tip)
    button.setObjectName(name)
    button.setAccessibleName(tip)
    button.setAutoRaise(True)
    return button


def has_extras(result: PaneResult) -> bool:
    """Whether ``result`` has anything for the extras under the answer (pane_extras) to show."""
    usage = result.usage
    cache = usage is not None and bool(usage.cached_tokens or usage.cache_write_tokens)
    return bool(result.tool_calls or result.citations or result.images) or result.schema is not None or cache


class PanePart:
    """A hidden part of a pane: its widgets top to bottom, and where it stands in the column."""

    RANK: ClassVar[int]  # parts stand in rank order; below ANSWER_RANK above the answer

    def __init__(self, pane: PaneBase) -> None:
        """Build the part's widgets, hidden; ``place`` puts them in ``pane``."""

    def widgets(self) -> list[QWidget]:
        raise NotImplementedError


class NotePart(PanePart):
    """A remark about the pane's model before sending (parameters it ignores, its routing...)."""

    RANK = 0

    def __init__(self, pane: PaneBase) -> None:
        self.label = QLabel()
        self.label.setObjectName("noteLabel")
        self.label.setWordWrap(True)
        self.label.hide()

    def widgets(self) -> list[QWidget]:
        return [self.label]


class ReasoningPart(PanePart):
    """The model's reasoning, under its toggle."""

    RANK = 1

    def __init__(self, pane: PaneBase) -> None:
        self.toggle = tool_button("▸ Reasoning", "Show or hide the model's reasoning", "reasoningToggle")
        self.toggle.setCheckable(True)
        self.toggle.toggled.connect(pane._toggle_reasoning)
        self.view = QPlainTextEdit()
        self.view.setObjectName("reasoningView")
        self.view.setAccessibleName("Reasoning")
        self.view.setReadOnly(True)
        self.view.setMaximumHeight(140)
        self.toggle.hide()
        self.view.hide()

    def widgets(self) -> list[QWidget]:
        return [self.toggle, self.view]

    def clear(self) -> None:
        self.view.clear()
        self.toggle.hide()
        self.view.hide()


class ThreadPart(PanePart):
    """The earlier turns, under their toggle."""

    RANK = 2

    def __init__(self, pane: PaneBase) -> None:
        self.toggle = tool_button(
            "▸ Earlier turns", "Show this pane's earlier turns; edit one to branch", "threadToggle"
        )
        self.toggle.setCheckable(True)
        self.toggle.toggled.connect(pane._toggle_thread)
        self.view = QTextBrowser()
        self.view.setObjectName("threadView")
        self.view.setAccessibleName("Earlier turns")
        self.view.setOpenLinks(False)
        self.view.anchorClicked.connect(pane._thread_link)
        self.view.setMaximumHeight(180)
        self.toggle.hide()
        self.view.hide()

    def widgets(self) -> list[QWidget]:
        return [self.toggle, self.view]


class ProblemPart(PanePart):
    """What went wrong, and the server's details under their toggle."""

    RANK = 3

    def __init__(self, pane: PaneBase) -> None:
        selectable = Qt.TextInteractionFlag.TextSelectableByMouse
        self.error = QLabel()
        self.error.setObjectName("errorLabel")
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(selectable)
        self.error.hide()
        self.details_button = tool_button(
            "Details ▸", "Show the server's status and message", "detailsButton"
        )
        self.details_button.setCheckable(True)
        self.details = QLabel()
        self.details.setObjectName("detailsLabel")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(selectable)
        self.details_button.toggled.connect(pane._toggle_details)
        self.details_button.hide()
        self.details.hide()

    def widgets(self) -> list[QWidget]:
        return [self.error, self.details_button, self.details]

    def clear(self) -> None:
        self.error.hide()
        self.details_button.hide()
        self.details_button.setChecked(False)


class ExtrasPart(PanePart):
    """Under the answer: tool calls, citations, images, the schema check, the cache figures."""

    RANK = 10

    def __init__(self, pane: PaneBase) -> None:
        from playground.ui.pane_extras import PaneExtras, continue_with_results

        self.extras: PaneExtras = PaneExtras()
        self.extras.toolResultsReady.connect(lambda results: continue_with_results(pane, results))

    def widgets(self) -> list[QWidget]:
        return [self.extras]


def place(pane: PaneBase, part: PanePart) -> None:
    """Put ``part``'s widgets where the pane always showed them: in rank order around the answer,
    and in the Tab order right after what stands above them (a widget given a parent late is put
    last in its window's Tab order)."""
    column = pane.column
    if part.RANK < ANSWER_RANK:
        later = [p for p in pane.parts() if part.RANK < p.RANK < ANSWER_RANK]
        below = min(later, key=lambda p: p.RANK).widgets()[0] if later else pane.outputView
        index = column.indexOf(below)
    else:
        index = column.indexOf(pane.outputView) + 1
    before = _last_focusable(column, index)
    for offset, widget in enumerate(part.widgets()):
        column.insertWidget(index + offset, widget)
        for target in _focus_targets(widget):
            if before is not None:
                QWidget.setTabOrder(before, target)
            before = target


def _focusable(widget: QWidget) -> bool:
    return widget.focusPolicy() is not Qt.FocusPolicy.NoFocus


def _focus_targets(widget: QWidget) -> list[QWidget]:
    """``widget`` if it takes focus, else its own children that do (a container's buttons)."""
    if _focusable(widget):
        return [widget]
    direct = Qt.FindChildOption.FindDirectChildrenOnly
    return [child for child in widget.findChildren(QWidget, options=direct) if _focusable(child)]


def _last_focusable(layout: QLayout, end: int) -> QWidget | None:
    """The last widget that takes focus among ``layout``'s first ``end`` items (nested ones too)."""
    for index in range(end - 1, -1, -1):
        item = layout.itemAt(index)
        if item is None:
            continue
        widget = item.widget()
        if widget is not None and _focus_targets(widget):
            return _focus_targets(widget)[-1]
        inner = item.layout()
        found = _last_focusable(inner, inner.count()) if inner is not None else None
        if found is not None:
            return found
    return None
