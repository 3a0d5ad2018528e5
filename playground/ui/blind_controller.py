"""The blind comparison: hide the models, shuffle the panes, take the vote, reveal.

Signals:
    message(str, int): words for the status bar ("" clears it), and for how many milliseconds.
    modelsHidden(): a blind run hides its models (the estimate must not name them).
    revealed(): the models are shown again (the estimate may name them again).
"""

from __future__ import annotations

import logging
import random
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QBoxLayout, QWidget

from playground.core.workspace import Workspace
from playground.ui.compare_view import CompareView
from playground.ui.net import ThreadedRun
from playground.ui.response_pane import ResponsePane
from playground.ui.session import Session

# Dialogs load when first used, so the window shows sooner.
if TYPE_CHECKING:
    from playground.ui.blind import RankDialog, VoteBar

log = logging.getLogger(__name__)

BLIND_ON = "Blind: the next comparison hides models, providers and prices until you vote."


class BlindController(QObject):
    """Blind mode for a comparison view: shuffle, hide, vote, reveal; the vote bar joins ``layout``
    on the first blind run."""

    message = Signal(str, int)
    modelsHidden = Signal()
    revealed = Signal()

    def __init__(
        self,
        session: Session,
        workspace: Workspace,
        compare: CompareView,
        layout: QBoxLayout,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.workspace = workspace
        self.compare = compare
        self._layout = layout
        self._window = parent  # dialogs open over it
        self._vote_bar: VoteBar | None = None
        self.rng = random.Random()
        self.pending: tuple[ThreadedRun, list[ResponsePane]] | None = None  # (run, its panes) until a vote
        self.rank_dialog: RankDialog | None = None
        self._order: list[ResponsePane] = []
        compare.panesChanged.connect(self._panes_changed)

    def toggled(self, on: bool) -> None:
        if not on:
            self.reveal()
        self.message.emit(BLIND_ON if on else "", 6000)

    @property
    def voteBar(self) -> VoteBar:
        if self._vote_bar is None:
            from playground.ui.blind import VoteBar

            self._vote_bar = VoteBar()
            self._vote_bar.voted.connect(self._vote_from_bar)
            self._layout.addWidget(self._vote_bar)
        return self._vote_bar

    def before_run(self, *, shuffle: bool) -> None:
        """A blind run is about to start: an earlier one nobody voted on is revealed quietly, and a
        new comparison shuffles the panes (the order the user chose comes back on reveal)."""
        self.reveal(quiet=True)
        self.message.emit("", 0)  # it may name the last run's models
        if shuffle:
            from playground.core.leaderboard import shuffled

            self._order = list(self.compare.panes)
            self.compare.reorder(shuffled(len(self.compare.panes), self.rng))

    def hide_models(self, run: ThreadedRun, panes: list[ResponsePane]) -> None:
        from playground.core.leaderboard import blind_labels

        show_speed = self.session.settings.load().blind_show_speed
        for pane, label in zip(panes, blind_labels(len(panes)), strict=True):
            pane.set_blind(label, show_speed=show_speed)
        self.pending = (run, panes)
        self.workspace.models_hidden = True
        self.modelsHidden.emit()

    def offer_vote(self) -> None:
        if self.pending is None or self.compare.running:
            return
        self.voteBar.show()
        for pane in self.pending[1]:
            pane.set_voting(True)

    def hold_vote(self) -> None:
        """A pane of the blind run runs again (Retry): no vote until every answer is in."""
        if self.pending is None:
            return
        if self._vote_bar is not None:
            self._vote_bar.hide()
        for pane in self.pending[1]:
            pane.set_voting(False)

    def vote_best(self, pane: ResponsePane) -> None:
        if self.pending is None or pane not in self.pending[1]:
            return
        others = [p for p in self.pending[1] if p is not pane]
        self.vote("best", [pane, *others])

    def _vote_from_bar(self, kind: str) -> None:
        if self.pending is None:
            return
        if kind == "reveal":
            self.reveal()
        elif kind == "rank":
            self._rank(self.pending[1])
        else:
            self.vote(kind, self.pending[1])

    def _rank(self, panes: list[ResponsePane]) -> None:
        from playground.ui.blind import RankDialog

        dialog = RankDialog([p.blind or "" for p in panes], self._window)
        self.rank_dialog = dialog
        by_label = {p.blind: p for p in panes}
        dialog.accepted.connect(lambda: self.vote("rank", [by_label[label] for label in dialog.order()]))
        dialog.open()

    def vote(self, kind: str, ranking: list[ResponsePane]) -> None:
        """Store the vote with the run, then show who was who."""
        if self.pending is None:
            return
        run, _ = self.pending
        saved = self.session.runs.save_vote(run.run_id, kind, [p.model for p in ranking])
        self.reveal(note="Vote saved. " if saved else "")

    def _panes_changed(self) -> None:
        """A pane of the blind run was removed: nothing left to vote on fairly, so reveal."""
        if self.pending is not None and not set(self.pending[1]) <= set(self.compare.panes):
            self.reveal(quiet=True)

    def reveal(self, *, quiet: bool = False, note: str = "") -> None:
        if self.pending is None:
            return
        panes = [p for p in self.pending[1] if p in self.compare.panes]  # a removed pane is gone
        who = ", ".join(f"{p.blind} was {p.model}" for p in panes if p.blind)
        for pane in panes:
            pane.set_blind(None)
        self.pending = None
        self.workspace.models_hidden = False
        self._restore_order()
        if self._vote_bar is not None:
            self._vote_bar.hide()
        self.revealed.emit()
        if not quiet:
            self.message.emit(f"{note}{who}.", 15000)

    def _restore_order(self) -> None:
        """Put the panes back in the order the user chose before the blind shuffle."""
        order, self._order = self._order, []
        if order and set(order) == set(self.compare.panes):
            self.compare.reorder([self.compare.panes.index(p) for p in order])
