"""Sending: a new comparison, a follow-up, a branch of one pane's conversation, a past run again.

Each asks the `Workspace` (read from the composer at that moment) for the `CompareRequest`, refuses
what preflight blocks, asks before going over the spend alert, then starts the run on the panes.

Signals:
    message(str, int): words for the status bar, and for how many milliseconds.
    keyNeeded(): a new comparison could not go for want of a key (the window opens the key dialog).
    comparisonSent(): a new comparison started (the window gives the answers room).
    recentChanged(): the recent models changed (the pickers list them first).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6 import QtWidgets  # dialogs' classes (and their enums) are made on first use
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QAbstractButton, QWidget

from playground.core.compare import CompareRequest
from playground.core.errors import NoKeyError, PlaygroundError
from playground.core.workspace import NO_MODEL_LIST, PICK_EVERY_MODEL, recent_models
from playground.ui.blind_controller import BlindController
from playground.ui.compare_view import CompareView
from playground.ui.composer import Composer
from playground.ui.response_pane import ResponsePane
from playground.ui.services.keys import NO_KEY_WORDS
from playground.ui.session import Session

if TYPE_CHECKING:  # the history's modules (SQLite) load after the first frame
    from PySide6.QtWidgets import QMessageBox

    from playground.core.history import RunRecord


class Sender(QObject):
    """Send, Follow up, an edited turn and a re-run, for the composer's workspace and the panes."""

    message = Signal(str, int)
    keyNeeded = Signal()
    comparisonSent = Signal()
    recentChanged = Signal()

    def __init__(
        self,
        session: Session,
        composer: Composer,
        compare: CompareView,
        blind: BlindController,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.composer = composer
        self.workspace = composer.workspace
        self.compare = compare
        self.blind = blind
        self._window = parent  # questions open over it
        self.leave_out_box: QMessageBox | None = None
        self.leaveOutButton: QAbstractButton | None = None

    def send(self) -> None:
        """A new comparison in every pane."""
        ws = self.composer.read()
        problem = ws.send_problem()
        if problem == PICK_EVERY_MODEL and not self._models_listed():
            self._nothing_to_pick()
            return
        if problem is not None:
            if problem:
                self.message.emit(problem, 6000)
            return
        models = [pane.model for pane in ws.panes]  # in the order the user chose
        self.composer.update_estimate()
        if self.composer.blocked(self.compare.panes, follow=False) or not self._within_spend_cap():
            return
        if ws.blind:
            self.blind.before_run(shuffle=True)
        request, record = self.composer.read().compare_request()  # in the order the panes now show
        try:
            run = self.session.runs.new_compare(request, **record)
        except PlaygroundError as exc:
            self.message.emit(str(exc), 15000)  # said before anything is sent
            if isinstance(exc, NoKeyError):
                self.keyNeeded.emit()
            return
        self.compare.start(run)
        self.message.emit("", 0)  # an earlier "Not sent: ..." no longer holds
        self.composer.turn_sent(everyone=True)
        ws.sent_prompt = request.prompt
        self.comparisonSent.emit()
        if ws.blind:
            self.blind.hide_models(run, list(self.compare.panes))
        self._remember_recent(models)

    def _models_listed(self) -> bool:
        catalog = self.session.models.catalog
        return catalog is not None and bool(catalog.models)

    def _nothing_to_pick(self) -> None:
        """A pane has no model and there is no model list to pick one from: with no key, the key is
        what is missing (said as when a model was typed); with one, the list (offline, or loading)."""
        keys = self.session.keys
        if keys.active is None and not self.session.demo:
            self.message.emit(keys.key_problem or NO_KEY_WORDS, 15000)
            self.keyNeeded.emit()
        else:
            self.message.emit(NO_MODEL_LIST, 6000)

    def follow_up(self) -> None:
        """The prompt as the next turn of every pane's own conversation (panes left out are skipped)."""
        ws = self.composer.read()
        if not ws.can_send() or self.compare.running:
            return
        indices = ws.conversation_panes()
        if not indices:
            self.message.emit(ws.follow_up_problem(answered=self.compare.run is not None), 6000)
            return
        panes = [self.compare.panes[i] for i in indices]
        self.composer.update_estimate()
        if self.composer.blocked(panes, follow=True):
            self._offer_leave_out(panes)
            return
        if not self._within_spend_cap():
            return
        if self.start(ws.follow_up_request(indices), panes):
            self.composer.turn_sent()

    def _offer_leave_out(self, panes: list[ResponsePane]) -> None:
        """A follow-up some panes cannot take: offer to leave those out and follow up in the rest."""
        flagged = [p for p in panes if self.composer.pane_problems(self.compare.panes.index(p), follow=True)]
        if not flagged or len(flagged) == len(panes):
            return
        names = ", ".join(p.model for p in flagged)
        box = QtWidgets.QMessageBox(
            QtWidgets.QMessageBox.Icon.Question,
            "Follow up",
            f"{names} cannot take this follow-up.",
            parent=self._window,
        )
        box.setObjectName("leaveOutBox")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText("The note in its pane says why. Leave it out and follow up in the others?")
        leave = box.addButton("Leave out and follow up", QtWidgets.QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QtWidgets.QMessageBox.StandardButton.Cancel)
        box.buttonClicked.connect(lambda b: self._leave_out(flagged) if b is leave else None)
        box.finished.connect(box.deleteLater)
        box.open()
        self.leave_out_box, self.leaveOutButton = box, leave

    def _leave_out(self, panes: list[ResponsePane]) -> None:
        for pane in panes:
            pane.set_in_conversation(False)
        self.follow_up()

    def branch_pane(self, pane: ResponsePane, turn_index: int, text: str) -> None:
        """Edit an earlier turn of one pane and resend it from there; the other panes are untouched."""
        if self.compare.running:
            self.message.emit("Stop or wait for the current answers first, then edit the turn.", 6000)
            return
        request = self.composer.read().branch_request(self.compare.panes.index(pane), turn_index, text)
        if request is not None and self.start(request, [pane]):
            pane.left_behind.append(pane.messages)  # the thread view offers a way back to it

    def rerun(self, run: RunRecord) -> None:
        """A past run, already opened into the panes, sent again; a follow-up turn goes with the
        conversation it was part of."""
        if not any(answer.thread for answer in run.answers):
            self.composer.attachmentStrip.set_attachments(run.attachments)
            self.send()
            return
        self.start(self.composer.read().rerun_request(run), list(self.compare.panes))

    def start(self, request: CompareRequest, panes: list[ResponsePane]) -> bool:
        """A follow-up, a branch or a re-run; in blind mode it is voted on like a new comparison."""
        ws = self.composer.read()
        blind = ws.blind
        if blind:  # shuffled again: after a vote the panes are back in the order the user knows
            self.blind.before_run(shuffle=len(panes) > 1)
        try:
            run = self.session.runs.new_compare(request)
        except PlaygroundError as exc:
            QtWidgets.QMessageBox.information(self._window, "Cannot send yet", str(exc))
            return False
        self.compare.start(run, panes)
        self.message.emit("", 0)  # an earlier "Not sent: ..." no longer holds
        if request.prompt == ws.prompt:  # an edited turn or tool results are not the prompt box's
            ws.sent_prompt = request.prompt
        if blind:  # labelled A, B, ... from left to right as they now show
            self.blind.hide_models(run, [p for p in self.compare.panes if p in panes])
        self._remember_recent([p.model for p in panes])
        return True

    def _within_spend_cap(self) -> bool:
        """Ask first when the estimate reaches the user's per-comparison alert."""
        alerts = self.session.spend.estimate_alerts(self.composer.estimate.total)
        if not alerts:
            return True
        answer = QtWidgets.QMessageBox.question(
            self._window, "Above your spend alert", f"{alerts[0].message} Send anyway?"
        )
        return answer == QtWidgets.QMessageBox.StandardButton.Yes

    def _remember_recent(self, models: list[str]) -> None:
        settings = self.session.settings  # a write that fails is said on the status bar
        before = tuple(settings.load().recent_models)
        after = recent_models(models, before)
        if after == before:  # the same models again: no settings write (two fsyncs) on the Send path
            return
        settings.update(recent_models=after)
        if tuple(settings.load().recent_models) != before:
            self.recentChanged.emit()
