"""The composer half of MainWindow: prompt, system prompt, attachments, parameters, the action row,
and the cost estimate and per-pane notes that follow what is typed.

A mixin: its methods run on the MainWindow and use the widgets it builds."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from playground.core.attachments import Attachment, check_total, make_attachment
from playground.core.conversation import (
    Message,
    input_tokens,
)
from playground.core.errors import PlaygroundError
from playground.core.estimate import estimate_cost
from playground.core.format import usd
from playground.core.preflight import PaneDraft
from playground.ui.attachments import AttachmentStrip, PromptEdit
from playground.ui.params_panel import ParamsPanel
from playground.ui.response_pane import ResponsePane

log = logging.getLogger(__name__)


class ComposerMixin:
    """The composer of MainWindow: prompt, attachments, parameters, estimate and pane notes."""

    def _composer(self) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
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
        self.promptEdit.textChanged.connect(self._prompt_changed)
        self.promptEdit.filesDropped.connect(self.attach_files)
        self.promptEdit.imagePasted.connect(lambda data: self._attach_bytes("pasted image.png", data))
        self.attachmentStrip = AttachmentStrip()
        self.attachmentStrip.changed.connect(self._schedule_estimate)
        self.params = ParamsPanel()
        self.params.changed.connect(self._schedule_estimate)
        header = QHBoxLayout()
        header.addWidget(self.systemToggle)
        header.addWidget(self.params.optionsButton)
        header.addStretch(1)
        layout.addLayout(header)
        layout.addWidget(self.systemPromptEdit)
        layout.addWidget(self.promptEdit, 1)
        layout.addWidget(self.attachmentStrip)
        layout.addWidget(self.params)
        layout.addLayout(self._action_row())
        return box

    def _action_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self._send_buttons()
        self._pane_buttons()
        for widget in (
            self.sendButton,
            self.followUpButton,
            self.stopAllButton,
            self.blindButton,
            self.attachButton,
            self.costLabel,
        ):
            row.addWidget(widget)
        row.addStretch(1)
        for widget in (self.syncBox, self.addPaneButton, self.modelsButton):
            row.addWidget(widget)
        return row

    def _send_buttons(self) -> None:
        """Send, Follow up, Blind."""
        self.sendButton = QPushButton("Send")
        self.sendButton.setObjectName("sendButton")
        self.sendButton.setAccessibleName("Send to all panes")
        self.sendButton.setToolTip("Send the prompt to every pane (Ctrl+Enter)")
        self.sendButton.setEnabled(False)
        self.sendButton.clicked.connect(self.send)
        self.followUpButton = QPushButton("Follow up")
        self.followUpButton.setObjectName("followUpButton")
        self.followUpButton.setAccessibleName("Follow up in every conversation")
        self.followUpButton.setToolTip(
            "Send the prompt as the next turn: each pane's model gets its own earlier answers "
            "(Ctrl+Shift+Enter)"
        )
        self.followUpButton.setEnabled(False)
        self.followUpButton.clicked.connect(self.follow_up)
        self.blindButton = QPushButton("Blind")
        self.blindButton.setObjectName("blindButton")
        self.blindButton.setAccessibleName("Blind comparison")
        self.blindButton.setCheckable(True)
        self.blindButton.setToolTip(
            "Hide model names, providers and prices until you vote; the panes are shuffled (Ctrl+B)"
        )
        self.blindButton.toggled.connect(self._blind_toggled)

    def _pane_buttons(self) -> None:
        """Attach, Stop all, + Pane, Models, the cost estimate and Sync scrolling."""
        self.attachButton = QPushButton("Attach...")
        self.attachButton.setObjectName("attachButton")
        self.attachButton.setAccessibleName("Attach files")
        self.attachButton.setToolTip(
            "Attach images, PDFs or text files to the next message (or drop / paste them)"
        )
        self.attachButton.clicked.connect(self.choose_attachments)
        self.stopAllButton = QPushButton("Stop all")
        self.stopAllButton.setObjectName("stopAllButton")
        self.stopAllButton.setAccessibleName("Stop all answers")
        self.stopAllButton.setToolTip("Stop every answer (Esc)")
        self.stopAllButton.setEnabled(False)
        self.stopAllButton.clicked.connect(self.compare.stop_all)
        self.addPaneButton = QPushButton("+ Pane")
        self.addPaneButton.setObjectName("addPaneButton")
        self.addPaneButton.setAccessibleName("Add a pane")
        self.addPaneButton.setToolTip("Add a pane (Ctrl+T)")
        self.addPaneButton.clicked.connect(lambda: self.compare.add_pane(""))
        self.modelsButton = QPushButton("Models...")
        self.modelsButton.setObjectName("modelsButton")
        self.modelsButton.setToolTip("Browse every model with prices and limits (Ctrl+M)")
        self.modelsButton.clicked.connect(self.show_model_browser)
        self.costLabel = QLabel()
        self.costLabel.setObjectName("costLabel")
        self.costLabel.setAccessibleName("Estimated maximum cost")
        self.syncBox = QCheckBox("Sync scrolling")
        self.syncBox.setObjectName("syncScrolling")
        self.syncBox.toggled.connect(self.compare.set_sync_scrolling)

    def _toggle_system(self, shown: bool) -> None:
        self.systemPromptEdit.setVisible(shown)
        self.systemToggle.setText(("▾" if shown else "▸") + " System prompt")

    def _prompt_changed(self) -> None:
        ready = bool(self.promptEdit.toPlainText().strip())
        self.sendButton.setEnabled(ready)
        self._update_follow_up()
        self._schedule_estimate()

    def _update_follow_up(self) -> None:
        ready = bool(self.promptEdit.toPlainText().strip()) and not self.compare.running
        self.followUpButton.setEnabled(ready and bool(self._conversation_panes()))

    def _conversation_panes(self) -> list[ResponsePane]:
        return [p for p in self.compare.panes if p.in_conversation and p.messages]

    def choose_attachments(self) -> None:
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
                self._add_attachment(self.session.load_attachment(Path(path)))
            except PlaygroundError as exc:
                self.statusBar().showMessage(str(exc), 10000)

    def _attach_bytes(self, name: str, data: bytes) -> None:
        try:
            self._add_attachment(make_attachment(name, data))
        except PlaygroundError as exc:
            self.statusBar().showMessage(str(exc), 10000)

    def _add_attachment(self, attachment: Attachment) -> None:
        try:
            check_total([*self.attachmentStrip.attachments, attachment])
        except PlaygroundError as exc:
            self.statusBar().showMessage(str(exc), 10000)
            return
        if self.attachmentStrip.add(attachment):
            self.statusBar().showMessage(f"Attached {attachment.describe()}.", 5000)

    def _schedule_estimate(self) -> None:
        if not hasattr(self, "_estimate_timer"):
            self._estimate_timer = QTimer(self)
            self._estimate_timer.setSingleShot(True)
            self._estimate_timer.setInterval(150)
            self._estimate_timer.timeout.connect(self.update_estimate)
        self._estimate_timer.start()

    def update_estimate(self) -> None:
        """The estimated maximum cost next to Send, and per pane the parameters its model ignores."""
        params = self.params.params()
        attached = input_tokens([Message("user", "", tuple(self.attachmentStrip.attachments))])
        estimate = estimate_cost(
            self.session.catalog,
            self.compare.models(),
            self.promptEdit.toPlainText(),
            self.systemPromptEdit.toPlainText(),
            params.max_tokens,
            extra_tokens=[attached] * len(self.compare.panes),
        )
        self.estimate = estimate
        text = f"Est. max {usd(estimate.total)}" if estimate.per_model else ""
        unpriced = [m for m in estimate.unknown if m and not self._unknown_model(m)]
        if unpriced:  # an unknown id is marked in its own pane instead
            text += f" (+{len(unpriced)} unpriced)"
        over = bool(estimate.per_model) and bool(self.session.estimate_alerts(estimate.total))
        self.costLabel.setText(f"⚠ {text} - above your alert" if over else text)
        self.costLabel.setProperty("alert", over)
        self.costLabel.style().unpolish(self.costLabel)
        self.costLabel.style().polish(self.costLabel)
        self.costLabel.setToolTip(
            "Per-model estimates are hidden until you vote."
            if getattr(self, "blind_pending", None) is not None
            else "\n".join(
                f"{m}: {usd(c) if c is not None else 'unknown price'}" for m, c in estimate.per_model
            )
        )
        follow = self._conversation_panes()
        if follow and estimate.per_model:
            threads = estimate_cost(
                self.session.catalog,
                [p.model for p in follow],
                self.promptEdit.toPlainText(),
                self.systemPromptEdit.toPlainText(),
                params.max_tokens,
                extra_tokens=[input_tokens(p.messages) + attached for p in follow],
            )
            self.costLabel.setText(f"{self.costLabel.text()} · follow-up {usd(threads.total)}")
        for pane in self.compare.panes:
            pane.set_unknown(self._unknown_model(pane.model))
            left_out = not pane.in_conversation and bool(pane.messages)  # the next follow-up skips it
            problems = [] if left_out else self._pane_problems(pane, follow=pane in follow, all_notes=True)
            pane.set_note("\n".join(problems))

    def _unknown_model(self, model: str) -> bool:
        return self.session.unknown_model(model)

    def _pane_problems(self, pane: ResponsePane, *, follow: bool, all_notes: bool = False) -> list[str]:
        """What the pane should say before sending (core/preflight.py); without ``all_notes`` only
        what blocks sending (attachments the model cannot read, a thread over its context)."""
        attachments = tuple(self.attachmentStrip.attachments)
        prompt = Message("user", self.promptEdit.toPlainText(), attachments)
        draft = PaneDraft(
            pane.model,
            self.params.params().merged(pane.overrides),
            (*(pane.messages if follow else ()), prompt),
            self.systemPromptEdit.toPlainText(),
            attachments,
            pane.routing is not None and pane.routing.require_parameters,
        )
        return self.session.pane_notes(draft, all_notes=all_notes)

    def _blocked(self, panes: list[ResponsePane], *, follow: bool) -> bool:
        """Refuse to send what would only come back as an error, and say why in each pane."""
        blocked = False
        for pane in panes:
            problems = self._pane_problems(pane, follow=follow)
            if problems:
                blocked = True
                pane.set_note("\n".join(problems))
        if blocked:
            self.statusBar().showMessage("Not sent: see the note in the flagged panes.", 10000)
        return blocked
