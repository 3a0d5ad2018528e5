"""What a ResponsePane is told from outside: an unknown model, a note, its own parameters and
routing, blind mode and voting, badges.

A part of the ResponsePane (see pane_base): its methods run on the pane."""

from __future__ import annotations

from typing import TYPE_CHECKING

from playground.core.request import ChatParams
from playground.core.routing import Routing
from playground.ui.pane_base import PaneBase
from playground.ui.pane_lazy import NotePart, ProblemPart

if TYPE_CHECKING:
    from playground.ui.routing_dialog import RoutingDialog


class PaneControlsMixin(PaneBase):
    """What a ResponsePane is told from outside: notes, parameters, routing, blind mode."""

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
            from playground.core.preflight import unknown_model_words

            parts.insert(0, unknown_model_words(self.model))
        if self.overrides is not None and self.overrides.set_names():
            shown = ", ".join(f"{n}={getattr(self.overrides, n)}" for n in self.overrides.set_names())
            parts.append(f"This pane overrides: {shown}")
        if self.routing is not None and not self.routing.empty:
            parts.append(f"Routing: {self.routing.describe()}")
        if not self.in_conversation:
            parts.append("Left out of follow-ups (⋯ menu to include it again)")
        if not parts and self.built(NotePart) is None:
            return  # nothing to say: the label is built with the first note
        self.noteLabel.setText("\n".join(parts))
        self.noteLabel.setVisible(bool(parts) and self.blind is None)  # notes name the model

    def set_overrides(self, params: ChatParams | None) -> None:
        self.overrides = params if params is not None and params.set_names() else None
        self._render_note()

    def edit_overrides(self) -> None:
        from playground.ui.params_dialog import ParamsDialog

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

    def set_blind(self, label: str | None, *, show_speed: bool = True) -> None:
        """Hide (label) or reveal (None) which model this pane is: its name, provider, cost, notes."""
        self.blind = label
        self.blind_show_speed = show_speed
        hidden = label is not None
        self.blindLabel.setText(label or "")
        self.blindLabel.setVisible(hidden)
        self.modelSelector.setVisible(not hidden)
        self.menuButton.setEnabled(not hidden)  # routing, code and parameters name the model
        note, problem = self.built(NotePart), self.built(ProblemPart)
        if note is not None:
            note.label.setVisible(not hidden and bool(note.label.text()))
        if hidden and problem is not None:
            problem.details_button.hide()
            problem.details.hide()
        if not hidden:
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
