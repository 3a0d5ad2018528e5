"""PaneExtras: what an answer carries beside its text, under the answer in a pane - the schema
check with a pretty JSON view, tool call cards (type a result for each and continue the pane's
thread), numbered citation links, returned images and the prompt cache figures.

Signals:
    toolResultsReady(object): the user typed a result for every call: a list of texts, in order.
"""

from __future__ import annotations

import base64
import binascii
import html
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from playground.core.compare import CompareRequest, PaneResult, PaneSpec
from playground.core.events import Image, ToolCall
from playground.core.format import usd
from playground.core.structured import pretty_json
from playground.core.tools import pretty_arguments, tool_turn

if TYPE_CHECKING:
    from playground.ui.pane_base import PaneBase

THUMB = 240  # pixels: the longest side of an image in the strip

_UNSET = object()  # no part shown yet: every part is built the first time


class ToolCallCard(QFrame):
    """One tool call: its name, its arguments pretty-printed, and a field for its result."""

    def __init__(self, call: ToolCall, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("toolCallCard")
        self.setAccessibleName(f"Tool call {call.index + 1}: {call.name}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.call = call
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        title = QLabel(f"Tool call {call.index + 1}: {call.name}")
        title.setObjectName("toolCallTitle")
        title.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(title)
        self.argumentsView = QPlainTextEdit(pretty_arguments(call.arguments))
        self.argumentsView.setObjectName("toolArgumentsView")
        self.argumentsView.setAccessibleName(f"Arguments of {call.name}")
        self.argumentsView.setReadOnly(True)
        self.argumentsView.setMaximumHeight(110)
        layout.addWidget(self.argumentsView)
        self.resultEdit = QLineEdit()
        self.resultEdit.setObjectName("toolResultEdit")
        self.resultEdit.setAccessibleName(f"Result of {call.name}")
        self.resultEdit.setPlaceholderText("what the tool returned (sent as a tool message)")
        layout.addWidget(self.resultEdit)


class PaneExtras(QWidget):
    """Renders a PaneResult's tool calls, citations, images, schema check and cache figures."""

    toolResultsReady = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("paneExtras")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.schemaBadge = _label("schemaBadge", "Schema check")
        self.jsonToggle = QToolButton()
        self.jsonToggle.setObjectName("prettyJsonToggle")
        self.jsonToggle.setAccessibleName("Show the answer as pretty JSON")
        self.jsonToggle.setText("▸ Pretty JSON")
        self.jsonToggle.setCheckable(True)
        self.jsonView = QPlainTextEdit()
        self.jsonView.setObjectName("prettyJsonView")
        self.jsonView.setAccessibleName("The answer as pretty JSON")
        self.jsonView.setReadOnly(True)
        self.jsonToggle.toggled.connect(self._toggle_json)
        row = QHBoxLayout()
        row.addWidget(self.schemaBadge, 1)
        row.addWidget(self.jsonToggle)
        layout.addLayout(row)
        layout.addWidget(self.jsonView)
        self.cards = QVBoxLayout()
        layout.addLayout(self.cards)
        self.continueButton = QPushButton("Continue with these results")
        self.continueButton.setObjectName("continueToolsButton")
        self.continueButton.setAccessibleName("Send the tool results and continue this pane")
        self.continueButton.clicked.connect(self._submit)
        layout.addWidget(self.continueButton)
        self.citationsView = QTextBrowser()
        self.citationsView.setObjectName("citationsView")
        self.citationsView.setAccessibleName("Sources")
        self.citationsView.setOpenExternalLinks(True)
        self.citationsView.setMaximumHeight(120)
        layout.addWidget(self.citationsView)
        self.imageStrip = QWidget()
        self.imageStrip.setObjectName("imageStrip")
        self.imageStrip.setAccessibleName("Images in the answer")
        self.images = QHBoxLayout(self.imageStrip)
        self.images.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.imageStrip)
        self.cacheLabel = _label("cacheLabel", "Prompt cache")
        layout.addWidget(self.cacheLabel)
        self._shown: tuple[Any, ...] = ()
        self.show_result(PaneResult(""))

    def show_result(self, result: PaneResult) -> None:
        """Show what ``result`` holds; cheap when nothing changed (called on every frame)."""
        key = (len(result.tool_calls), len(result.citations), len(result.images), result.schema, result.usage)
        if key == self._shown:
            return
        old, self._shown = self._shown or (_UNSET,) * len(key), key
        # only the parts whose figures changed are rebuilt: the usage arriving at an answer's end
        # touches the cache line, not the citations' HTML or the JSON view
        if old[3] != key[3]:
            self._schema(result)
        if old[0] != key[0]:
            self._tool_calls(result.tool_calls)
        if old[1] != key[1]:
            self._citations(result)
        if old[2] != key[2]:
            self._images(result.images)
        if old[4] != key[4]:
            self._cache(result)
        self.setVisible(any(not w.isHidden() for w in self._parts()))

    def _parts(self) -> list[QWidget]:
        return [self.schemaBadge, self.continueButton, self.citationsView, self.imageStrip, self.cacheLabel]

    def _schema(self, result: PaneResult) -> None:
        check = result.schema
        self.schemaBadge.setVisible(check is not None)
        pretty = pretty_json(result.text) if check is not None else None
        self.jsonToggle.setVisible(pretty is not None)
        self.jsonView.setPlainText(pretty or "")
        self.jsonView.setVisible(pretty is not None and self.jsonToggle.isChecked())
        if check is None:
            return
        self.schemaBadge.setText("✓ valid JSON" if check.valid else f"✗ {check.message}")
        self.schemaBadge.setProperty("valid", check.valid)

    def _toggle_json(self, shown: bool) -> None:
        self.jsonToggle.setText(("▾" if shown else "▸") + " Pretty JSON")
        self.jsonView.setVisible(shown and bool(self.jsonView.toPlainText()))

    def _tool_calls(self, calls: list[ToolCall]) -> None:
        while self.cards.count():
            item = self.cards.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for call in calls:
            self.cards.addWidget(ToolCallCard(call))
        self.continueButton.setVisible(bool(calls))

    def cards_shown(self) -> list[ToolCallCard]:
        items = (self.cards.itemAt(i) for i in range(self.cards.count()))
        return [w for w in (i.widget() for i in items if i is not None) if isinstance(w, ToolCallCard)]

    def _submit(self) -> None:
        cards = self.cards_shown()
        empty = [c for c in cards if not c.resultEdit.text().strip()]
        if empty:
            empty[0].resultEdit.setFocus()
            empty[0].resultEdit.setPlaceholderText("type a result for this call first")
            return
        self.toolResultsReady.emit([c.resultEdit.text() for c in cards])

    def _citations(self, result: PaneResult) -> None:
        self.citationsView.setVisible(bool(result.citations))
        # numbered as the answer's [1], [2] markers; every server text escaped
        rows = [
            f'<div>[{c.number}] <a href="{html.escape(c.url)}">{html.escape(c.title or c.url)}</a>'
            f" <small>{html.escape(c.url)}</small></div>"
            for c in result.citations
        ]
        self.citationsView.setHtml(f"<b>Sources</b>{''.join(rows)}" if rows else "")

    def _images(self, images: list[Image]) -> None:
        while self.images.count():
            item = self.images.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for image in images:
            self.images.addWidget(_image_label(image))
        self.images.addStretch(1)
        self.imageStrip.setVisible(bool(images))

    def _cache(self, result: PaneResult) -> None:
        u = result.usage
        shown = u is not None and bool(u.cached_tokens or u.cache_write_tokens)
        self.cacheLabel.setVisible(shown)
        if not shown or u is None:
            return
        words = f"cache: {u.cached_tokens or 0} tokens read, {u.cache_write_tokens or 0} written"
        if u.cache_discount is not None:
            words += f", discount {usd(u.cache_discount)}"
        self.cacheLabel.setText(words)


def _label(name: str, accessible: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setAccessibleName(accessible)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _image_label(image: Image) -> QLabel:
    """An image from a data URL, scaled down; an https image is named, never fetched by a widget."""
    label = QLabel()
    label.setObjectName("answerImage")
    label.setAccessibleName(f"Image {image.number} of the answer")
    pixmap = QPixmap()
    if image.url.startswith("data:"):
        try:
            pixmap.loadFromData(base64.b64decode(image.url.split(",", 1)[1], validate=False))
        except (binascii.Error, ValueError, IndexError):
            pass
    if pixmap.isNull():
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setText(
            f"[image {image.number}: {'not readable' if image.url.startswith('data:') else image.url}]"
        )
        return label
    if max(pixmap.width(), pixmap.height()) > THUMB:
        pixmap = pixmap.scaled(THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio)
    label.setPixmap(pixmap)
    return label


def continue_with_results(pane: PaneBase, results: list[str]) -> bool:
    """Send ``results`` as this pane's tool messages and continue its thread (the window sends)."""
    window: Any = pane.window()
    compare = getattr(window, "compare", None)
    run = getattr(compare, "run", None)
    panes = getattr(compare, "_run_panes", [])
    if run is None or pane not in panes or getattr(compare, "running", False):
        return False
    index = panes.index(pane)
    request: CompareRequest = run.request
    spec = request.panes[index]
    turn = tool_turn(pane.result.text, pane.result.tool_calls, results)
    history = (*request.pane_messages(index), *turn[:-1])
    follow = PaneSpec(spec.model, spec.params, spec.extra, spec.routing, history, reply=turn[-1])
    follow_request = CompareRequest(
        request.prompt, (follow,), request.system, request.params, request.routing
    )
    return bool(window._start(follow_request, [pane]))
