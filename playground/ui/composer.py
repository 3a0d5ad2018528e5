"""The composer: prompt, system prompt, attachments, parameters, the action row, and the cost estimate
and per-pane notes that follow what is typed.

`Composer` writes its widgets and the panes into the window's `Workspace` (`read()`), the one point
where the next request's inputs are taken from the screen.

Signals:
    message(str, int): words for the status bar, and for how many milliseconds.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from playground.core.attachments import Attachment, check_total, make_attachment
from playground.core.errors import PlaygroundError
from playground.core.estimate import CostEstimate
from playground.core.format import usd
from playground.core.request import ChatParams
from playground.core.workspace import Workspace, WorkspacePane
from playground.ui.attachments import PromptEdit
from playground.ui.compare_view import CompareView
from playground.ui.params_panel import ParamsPanel
from playground.ui.response_pane import ResponsePane
from playground.ui.session import Session

if TYPE_CHECKING:
    from playground.ui.attachment_strip import AttachmentStrip

log = logging.getLogger(__name__)

HIDDEN_ESTIMATES = "Per-model estimates are hidden until you vote."


def _button(text: str, name: str, tip: str, accessible: str = "") -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    if accessible:
        button.setAccessibleName(accessible)
    button.setToolTip(tip)
    return button


class Composer(QWidget):
    """What the next message is made of, and what it would cost; the window wires its buttons."""

    message = Signal(str, int)

    def __init__(
        self, session: Session, workspace: Workspace, compare: CompareView, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.workspace = workspace
        self.compare = compare
        self.estimate = CostEstimate(Decimal(0), (), 0, ())  # until the first update_estimate()
        self._estimate_timer = QTimer(self)
        self._estimate_timer.setSingleShot(True)
        self._estimate_timer.setInterval(150)
        self._estimate_timer.timeout.connect(self.update_estimate)
        self._editors()
        self._strip: AttachmentStrip | None = None  # built on the first attachment (attachmentStrip)
        self.params = ParamsPanel()
        self.params.changed.connect(self.schedule_estimate)
        self._layout()

    def _editors(self) -> None:
        """The system prompt (behind its toggle) and the prompt."""
        self.systemToggle = QToolButton()
        self.systemToggle.setObjectName("systemToggle")
        self.systemToggle.setText("▸ System prompt")
        self.systemToggle.setCheckable(True)
        self.systemToggle.setAutoRaise(True)
        self.systemPromptEdit = QPlainTextEdit()
        self.systemPromptEdit.setObjectName("systemPromptEdit")
        self.systemPromptEdit.setAccessibleName("System prompt")
        self.systemPromptEdit.setPlaceholderText(
            "Optional instructions sent to every model before the prompt"
        )
        self.systemPromptEdit.setMaximumHeight(72)
        self.systemPromptEdit.setMinimumHeight(40)  # two lines: the composer can shrink after Send
        self.systemPromptEdit.hide()
        self.systemToggle.toggled.connect(self._toggle_system)
        self.promptEdit = PromptEdit()
        self.promptEdit.setObjectName("promptEdit")
        self.promptEdit.setAccessibleName("Prompt")
        self.promptEdit.setPlaceholderText(
            "Type a prompt - Ctrl+Enter sends it to every pane, Ctrl+Shift+Enter follows up. "
            "Drop or paste images and files to attach them."
        )
        self.promptEdit.setMinimumHeight(48)
        for edit in (self.promptEdit, self.systemPromptEdit):
            edit.setTabChangesFocus(True)  # Tab moves on, as in every form; a prompt rarely needs one
        self.promptEdit.textChanged.connect(self.prompt_changed)
        self.promptEdit.filesDropped.connect(self.attach_files)
        self.promptEdit.imagePasted.connect(lambda data: self._attach_bytes("pasted image.png", data))

    def _layout(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        header = QHBoxLayout()
        header.addWidget(self.systemToggle)
        header.addWidget(self.params.optionsButton)
        header.addStretch(1)
        layout.addLayout(header)
        layout.addWidget(self.systemPromptEdit)
        layout.addWidget(self.promptEdit, 1)
        self._strip_at = layout.count()  # where the attachment strip goes once there is one
        layout.addWidget(self.params)
        layout.addLayout(self._action_row())

    def _action_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self._send_buttons()
        self._pane_buttons()
        widgets: tuple[QWidget, ...] = (
            self.sendButton,
            self.followUpButton,
            self.stopAllButton,
            self.blindButton,
            self.attachButton,
            self.costLabel,
        )
        for widget in widgets:
            row.addWidget(widget)
        row.addStretch(1)
        for widget in (self.syncBox, self.addPaneButton, self.modelsButton):
            row.addWidget(widget)
        return row

    def _send_buttons(self) -> None:
        """Send, Follow up, Blind: the window wires what they do."""
        self.sendButton = _button(
            "Send", "sendButton", "Send the prompt to every pane (Ctrl+Enter)", "Send to all panes"
        )
        self.sendButton.setEnabled(False)
        self.followUpButton = _button(
            "Follow up",
            "followUpButton",
            "Send the prompt as the next turn: each pane's model gets its own earlier answers "
            "(Ctrl+Shift+Enter)",
            "Follow up in every conversation",
        )
        self.followUpButton.setEnabled(False)
        self.blindButton = _button(
            "Blind",
            "blindButton",
            "Hide model names, providers and prices until you vote; the panes are shuffled (Ctrl+B)",
            "Blind comparison",
        )
        self.blindButton.setCheckable(True)

    def _pane_buttons(self) -> None:
        """Attach, Stop all, + Pane, Models, the cost estimate and Sync scrolling."""
        self.attachButton = _button(
            "Attach...",
            "attachButton",
            "Attach images, PDFs or text files to the next message (or drop / paste them)",
            "Attach files",
        )
        self.attachButton.clicked.connect(self.choose_attachments)
        self.stopAllButton = _button(
            "Stop all", "stopAllButton", "Stop every answer (Esc)", "Stop all answers"
        )
        self.stopAllButton.setEnabled(False)
        self.stopAllButton.clicked.connect(self.compare.stop_all)
        self.addPaneButton = _button("+ Pane", "addPaneButton", "Add a pane (Ctrl+T)", "Add a pane")
        self.addPaneButton.clicked.connect(lambda: self.compare.add_pane(""))
        self.modelsButton = _button(
            "Models...", "modelsButton", "Browse every model with prices and limits (Ctrl+M)"
        )
        self.costLabel = QLabel()
        self.costLabel.setObjectName("costLabel")
        self.costLabel.setAccessibleName("Estimated maximum cost")
        self.syncBox = QCheckBox("Sync scrolling")
        self.syncBox.setObjectName("syncScrolling")
        self.syncBox.toggled.connect(self.compare.set_sync_scrolling)

    # ----- the workspace ------------------------------------------------------------------------

    def read(self) -> Workspace:
        """Write what the screen shows into the workspace: the one point the next request reads."""
        ws = self.workspace
        ws.prompt = self.promptEdit.toPlainText()
        ws.system = self.systemPromptEdit.toPlainText()
        ws.params = self.params.params()
        ws.attachments = self.attachments
        ws.blind = self.blindButton.isChecked()
        ws.panes = [
            WorkspacePane(p.model, p.overrides, p.routing, p.messages, p.in_conversation)
            for p in self.compare.panes
        ]
        return ws

    def fill(self, prompt: str, system: str | None, params: ChatParams | None = None) -> None:
        """Show a prompt, a system prompt (its box open when there is one) and the parameters."""
        self.systemPromptEdit.setPlainText(system or "")
        self.systemToggle.setChecked(bool(system))
        self.promptEdit.setPlainText(prompt)
        if params is not None:
            self.params.set_params(params)

    def _toggle_system(self, shown: bool) -> None:
        self.systemPromptEdit.setVisible(shown)
        self.systemToggle.setText(("▾" if shown else "▸") + " System prompt")

    def prompt_changed(self) -> None:
        self.update_buttons()
        self.schedule_estimate()

    def update_buttons(self) -> None:
        """Send needs a prompt; Follow up also a conversation, and nothing running."""
        ws = self.read()
        self.sendButton.setEnabled(ws.can_send())
        self.followUpButton.setEnabled(not self.compare.running and ws.can_follow_up())

    # ----- attachments --------------------------------------------------------------------------

    @property
    def attachmentStrip(self) -> AttachmentStrip:
        """The thumbnails under the prompt, built the first time they are needed."""
        if self._strip is None:
            from playground.ui.attachment_strip import AttachmentStrip

            self._strip = AttachmentStrip()
            self._strip.changed.connect(self.schedule_estimate)
            layout = self.layout()
            assert isinstance(layout, QVBoxLayout)
            layout.insertWidget(self._strip_at, self._strip)
        return self._strip

    @property
    def attachments(self) -> tuple[Attachment, ...]:
        """What goes with the next message (nothing, without building the strip, when none)."""
        return () if self._strip is None else tuple(self._strip.attachments)

    def clear_attachments(self) -> None:
        """Nothing attached to the next message (a strip never built stays unbuilt)."""
        if self.attachments:
            self.attachmentStrip.set_attachments(())

    def choose_attachments(self) -> None:
        from PySide6.QtWidgets import QFileDialog  # its Python enums are made on first use

        paths, _ = QFileDialog.getOpenFileNames(
            self,
            "Attach files",
            "",
            "Images, PDFs and text (*.png *.jpg *.jpeg *.gif *.webp *.pdf *.txt *.md *.csv *.json)"
            ";;All files (*)",
        )
        self.attach_files(paths)

    def attach_files(self, paths: list[str]) -> None:
        for path in paths:
            try:
                self.add_attachment(self.session.files.load_attachment(Path(path)))
            except PlaygroundError as exc:
                self.message.emit(str(exc), 10000)

    def _attach_bytes(self, name: str, data: bytes) -> None:
        try:
            self.add_attachment(make_attachment(name, data))
        except PlaygroundError as exc:
            self.message.emit(str(exc), 10000)

    def add_attachment(self, attachment: Attachment) -> None:
        try:
            check_total([*self.attachments, attachment])
        except PlaygroundError as exc:
            self.message.emit(str(exc), 10000)
            return
        if self.attachmentStrip.add(attachment):
            self.message.emit(f"Attached {attachment.describe()}.", 5000)

    def turn_sent(self, *, everyone: bool = False) -> None:
        """The attachments went with this turn (each pane's thread keeps them): the strip is for the
        next one. A new comparison brings every pane back into follow-ups."""
        self.clear_attachments()
        if everyone:
            for pane in self.compare.panes:
                pane.set_in_conversation(True)
                pane.left_behind.clear()  # branches of the conversation that just ended

    # ----- the estimate and the notes -------------------------------------------------------------

    def schedule_estimate(self) -> None:
        self._estimate_timer.start()

    def update_estimate(self) -> None:
        """The estimated maximum cost next to Send, and per pane what it should say before sending."""
        ws = self.read()
        estimate = ws.estimate(self.session.models.catalog)
        self.estimate = estimate
        text = f"Est. max {usd(estimate.total)}" if estimate.per_model else ""
        unpriced = [m for m in estimate.unknown if m and not self.session.models.unknown_model(m)]
        if unpriced:  # an unknown id is marked in its own pane instead
            text += f" (+{len(unpriced)} unpriced)"
        over = bool(estimate.per_model) and bool(self.session.spend.estimate_alerts(estimate.total))
        if over:
            text = f"⚠ {text} - above your alert"
        follow = ws.follow_up_estimate(self.session.models.catalog) if estimate.per_model else None
        if follow is not None:
            text += f" · follow-up {usd(follow.total)}"
        self.costLabel.setText(text)
        self.costLabel.setProperty("alert", over)
        self.costLabel.style().unpolish(self.costLabel)
        self.costLabel.style().polish(self.costLabel)
        self.costLabel.setToolTip(
            HIDDEN_ESTIMATES
            if ws.models_hidden
            else "\n".join(
                f"{m}: {usd(c) if c is not None else 'unknown price'}" for m, c in estimate.per_model
            )
        )
        self._update_notes(ws)

    def _update_notes(self, ws: Workspace) -> None:
        follow = set(ws.conversation_panes())
        for index, pane in enumerate(self.compare.panes):
            pane.set_unknown(self.session.models.unknown_model(pane.model))
            left_out = ws.panes[index].left_out  # the next follow-up skips it
            problems = [] if left_out else self.pane_problems(index, follow=index in follow, all_notes=True)
            pane.set_note("\n".join(problems))

    def hide_estimates(self) -> None:
        self.costLabel.setToolTip(HIDDEN_ESTIMATES)

    def pane_problems(self, index: int, *, follow: bool, all_notes: bool = False) -> list[str]:
        """What pane ``index`` should say before sending (core/preflight.py); without ``all_notes``
        only what blocks sending (attachments the model cannot read, a thread over its context)."""
        return self.session.models.pane_notes(self.workspace.draft(index, follow=follow), all_notes=all_notes)

    def blocked(self, panes: list[ResponsePane], *, follow: bool) -> bool:
        """Refuse to send what would only come back as an error, and say why in each pane."""
        self.read()
        blocked = False
        for pane in panes:
            problems = self.pane_problems(self.compare.panes.index(pane), follow=follow)
            if problems:
                blocked = True
                pane.set_note("\n".join(problems))
        if blocked:
            self.message.emit("Not sent: see the note in the flagged panes.", 10000)
        return blocked
