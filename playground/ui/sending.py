"""Sending from MainWindow: a new comparison, a follow-up, a branch of one pane's conversation.

A mixin: its methods run on the MainWindow."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from playground.core.compare import CompareRequest, PaneSpec
from playground.core.conversation import (
    branch,
    turns,
)
from playground.core.errors import NoKeyError, PlaygroundError
from playground.core.routing import Routing
from playground.ui.response_pane import ResponsePane

MAX_RECENT = 12


class SendingMixin:
    """Sending from MainWindow: a new comparison, a follow-up, a branch of one pane."""

    def send(self) -> None:
        prompt = self.promptEdit.toPlainText()
        models = [m for m in self.compare.models() if m]
        if not prompt.strip():
            return
        if len(models) != len(self.compare.panes):
            self.statusBar().showMessage("Pick a model in every pane first.", 6000)
            return
        self.update_estimate()
        if self._blocked(self.compare.panes, follow=False) or not self._within_spend_cap():
            return
        blind = self.blindButton.isChecked()
        if blind:
            self.reveal(quiet=True)  # an earlier blind run nobody voted on
            self.statusBar().clearMessage()  # it may name the last run's models
            from playground.core.leaderboard import shuffled

            self._blind_order = list(self.compare.panes)  # the order the user chose, back on reveal
            self.compare.reorder(shuffled(len(self.compare.panes), self.blind_rng))
        system = self.systemPromptEdit.toPlainText().strip() or None
        panes = tuple(PaneSpec(p.model, p.overrides, routing=p.routing) for p in self.compare.panes)
        applies = self._template_still_applies(prompt)
        routing = self.template_context.get("_routing") if applies else None
        request = CompareRequest(
            prompt,
            panes,
            system,
            self.params.params(),
            routing=routing or Routing(),
            attachments=tuple(self.attachmentStrip.attachments),
        )
        record = {k: v for k, v in self.template_context.items() if not k.startswith("_")}
        record = record if applies else {}
        try:
            run = self.session.new_compare(request, **record)
        except PlaygroundError as exc:
            self.statusBar().showMessage(str(exc), 15000)  # said before anything is sent
            if isinstance(exc, NoKeyError):
                self.show_key_dialog()
            return
        self.compare.start(run)
        self._turn_sent(everyone=True)
        self._sent_prompt = prompt
        self._make_room_for_answers()
        if blind:
            self._hide_models(run, list(self.compare.panes))
        self._remember_recent(models)

    def _turn_sent(self, *, everyone: bool = False) -> None:
        """The attachments went with this turn (each pane's thread keeps them): the strip is for the
        next one. A new comparison brings every pane back into follow-ups."""
        if self.attachmentStrip.attachments:
            self.attachmentStrip.set_attachments(())
        if everyone:
            for pane in self.compare.panes:
                pane.set_in_conversation(True)
                pane.left_behind.clear()  # branches of the conversation that just ended

    def _make_room_for_answers(self) -> None:
        """On a short screen the composer gives its spare height to the answers after Send; the
        splitter handle brings it back."""
        composer, answers = self.splitter.sizes()
        smallest = self.splitter.widget(0).minimumSizeHint().height()
        if answers < 2 * composer and composer > smallest:
            self.splitter.setSizes([smallest, answers + composer - smallest])

    def follow_up(self) -> None:
        """The prompt as the next turn of every pane's own conversation (panes left out are skipped)."""
        prompt = self.promptEdit.toPlainText()
        panes = self._conversation_panes()
        if not prompt.strip() or self.compare.running:
            return
        if not panes:
            self.statusBar().showMessage("Nothing to follow up yet: send a comparison first.", 6000)
            return
        self.update_estimate()
        if self._blocked(panes, follow=True):
            self._offer_leave_out(panes)
            return
        if not self._within_spend_cap():
            return
        specs = tuple(PaneSpec(p.model, p.overrides, routing=p.routing, history=p.messages) for p in panes)
        system = self.systemPromptEdit.toPlainText().strip() or None
        request = CompareRequest(
            prompt, specs, system, self.params.params(), attachments=tuple(self.attachmentStrip.attachments)
        )
        if self._start(request, panes):
            self._turn_sent()

    def _offer_leave_out(self, panes: list[ResponsePane]) -> None:
        """A follow-up some panes cannot take: offer to leave those out and follow up in the rest."""
        flagged = [p for p in panes if self._pane_problems(p, follow=True)]
        if not flagged or len(flagged) == len(panes):
            return
        names = ", ".join(p.model for p in flagged)
        text = f"{names} cannot take this follow-up."
        box = QMessageBox(QMessageBox.Icon.Question, "Follow up", text, parent=self)
        box.setObjectName("leaveOutBox")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText("The note in its pane says why. Leave it out and follow up in the others?")
        self.leaveOutButton = box.addButton("Leave out and follow up", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.buttonClicked.connect(lambda b: self._leave_out(flagged) if b is self.leaveOutButton else None)
        box.finished.connect(box.deleteLater)
        box.open()
        self.leave_out_box = box

    def _leave_out(self, panes: list[ResponsePane]) -> None:
        for pane in panes:
            pane.set_in_conversation(False)
        self.follow_up()

    def branch_pane(self, pane: ResponsePane, turn_index: int, text: str) -> None:
        """Edit an earlier turn of one pane and resend it from there; the other panes are untouched."""
        if self.compare.running:
            self.statusBar().showMessage(
                "Stop or wait for the current answers first, then edit the turn.", 6000
            )
            return
        pairs = turns(pane.messages)
        if not 0 <= turn_index < len(pairs):
            return
        original = pairs[turn_index][0]
        history = branch(pane.messages, turn_index)
        spec = PaneSpec(pane.model, pane.overrides, routing=pane.routing, history=history)
        system = self.systemPromptEdit.toPlainText().strip() or None
        request = CompareRequest(
            text, (spec,), system, self.params.params(), attachments=original.attachments
        )
        if self._start(request, [pane]):
            pane.left_behind.append(pane.messages)  # the thread view offers a way back to it

    def _start(self, request: CompareRequest, panes: list[ResponsePane]) -> bool:
        """A follow-up or a branch; in blind mode it is voted on like a new comparison."""
        blind = self.blindButton.isChecked()
        if blind:
            self.reveal(quiet=True)
            self.statusBar().clearMessage()
        try:
            run = self.session.new_compare(request)
        except PlaygroundError as exc:
            QMessageBox.information(self, "Cannot send yet", str(exc))
            return False
        self.compare.start(run, panes)
        self._sent_prompt = request.prompt
        if blind:
            self._hide_models(run, panes)
        self._remember_recent([p.model for p in panes])
        return True

    def _template_still_applies(self, prompt: str) -> bool:
        return bool(self.template_context) and self.template_context.get("_prompt") == prompt

    def _within_spend_cap(self) -> bool:
        """Ask first when the estimate reaches the user's per-comparison alert."""
        alerts = self.session.estimate_alerts(self.estimate.total)
        if not alerts:
            return True
        answer = QMessageBox.question(self, "Above your spend alert", f"{alerts[0].message} Send anyway?")
        return answer == QMessageBox.StandardButton.Yes

    def _remember_recent(self, models: list[str]) -> None:
        settings = self.session.ctx.settings
        recent = list(dict.fromkeys([*models, *settings.load().recent_models]))[:MAX_RECENT]
        try:
            settings.update(recent_models=tuple(recent))
        except PlaygroundError as exc:
            self.statusBar().showMessage(str(exc), 8000)
