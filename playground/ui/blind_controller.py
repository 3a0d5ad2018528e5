"""The blind comparison in MainWindow: hide the models, shuffle the panes, take the vote, reveal.

A mixin: its methods run on the MainWindow."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from playground.ui.response_pane import ResponsePane

# Dialogs and storage modules load when first used, so the window shows sooner.
if TYPE_CHECKING:
    from playground.ui.blind import LeaderboardView, VoteBar

log = logging.getLogger(__name__)


class BlindControllerMixin:
    """The blind comparison: hide the models, shuffle, take the vote, reveal."""

    def _blind_toggled(self, on: bool) -> None:
        if not on:
            self.reveal()
        self.statusBar().showMessage(
            "Blind: the next comparison hides models, providers and prices until you vote." if on else "",
            6000,
        )

    @property
    def voteBar(self) -> VoteBar:
        if self._vote_bar is None:
            from playground.ui.blind import VoteBar

            self._vote_bar = VoteBar()
            self._vote_bar.voted.connect(self._vote_from_bar)
            self._body_layout.addWidget(self._vote_bar)
        return self._vote_bar

    def _hide_models(self, run: Any, panes: list[ResponsePane]) -> None:
        from playground.core.leaderboard import blind_labels

        show_speed = self.session.settings.load().blind_show_speed
        for pane, label in zip(panes, blind_labels(len(panes)), strict=True):
            pane.set_blind(label, show_speed=show_speed)
        self.blind_pending = (run, panes)
        self.costLabel.setToolTip("Per-model estimates are hidden until you vote.")

    def _offer_vote(self) -> None:
        if self.blind_pending is None or self.compare.running:
            return
        self.voteBar.show()
        for pane in self.blind_pending[1]:
            pane.set_voting(True)

    def _vote_best(self, pane: ResponsePane) -> None:
        if self.blind_pending is None or pane not in self.blind_pending[1]:
            return
        others = [p for p in self.blind_pending[1] if p is not pane]
        self.vote("best", [pane, *others])

    def _vote_from_bar(self, kind: str) -> None:
        from playground.ui.blind import RankDialog

        if self.blind_pending is None:
            return
        panes = self.blind_pending[1]
        if kind == "reveal":
            self.reveal()
        elif kind == "rank":
            dialog = RankDialog([p.blind or "" for p in panes], self)
            self.rank_dialog = dialog
            by_label = {p.blind: p for p in panes}
            dialog.accepted.connect(lambda: self.vote("rank", [by_label[label] for label in dialog.order()]))
            dialog.open()
        else:
            self.vote(kind, panes)

    def vote(self, kind: str, ranking: list[ResponsePane]) -> None:
        """Store the vote with the run, then show who was who."""
        if self.blind_pending is None:
            return
        run, _ = self.blind_pending
        saved = self.session.runs.save_vote(run.run_id, kind, [p.model for p in ranking])
        self.reveal(note="Vote saved. " if saved else "")

    def reveal(self, *, quiet: bool = False, note: str = "") -> None:
        if self.blind_pending is None:
            return
        _, panes = self.blind_pending
        who = ", ".join(f"{p.blind} was {p.model}" for p in panes if p.blind)
        for pane in panes:
            pane.set_blind(None)
        self.blind_pending = None
        self._restore_order()
        if self._vote_bar is not None:
            self._vote_bar.hide()
        self._schedule_estimate()
        if not quiet:
            self.statusBar().showMessage(f"{note}{who}.", 15000)

    def _restore_order(self) -> None:
        """Put the panes back in the order the user chose before the blind shuffle."""
        order, self._blind_order = self._blind_order, []
        if order and set(order) == set(self.compare.panes):
            self.compare.reorder([self.compare.panes.index(p) for p in order])

    def show_leaderboard(self) -> LeaderboardView:
        from playground.ui.blind import LeaderboardView

        dialog = LeaderboardView(self.session, self)
        dialog.open()
        self.leaderboard_view = dialog
        return dialog
