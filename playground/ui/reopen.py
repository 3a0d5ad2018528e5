"""Filling the window from elsewhere: a template with its values, or a past run from history (shown
read-only, or sent again).

Signals:
    message(str, int): words for the status bar, and for how many milliseconds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from playground.core.conversation import Message, extend
from playground.core.errors import PlaygroundError
from playground.core.workspace import TemplateUse
from playground.ui.composer import Composer
from playground.ui.model_choice import ModelChoice
from playground.ui.sending import Sender
from playground.ui.widgets import local_when
from playground.ui.window_state import params_from_state

if TYPE_CHECKING:
    from playground.core.history import RunRecord
    from playground.core.templates import PromptTemplate
    from playground.ui.matrix_dialog import MatrixDialog


class Reopen(QObject):
    """Templates and past runs into the composer and the panes."""

    message = Signal(str, int)

    def __init__(self, composer: Composer, models: ModelChoice, sending: Sender, window: QWidget) -> None:
        super().__init__(window)
        self.composer = composer
        self.session = composer.session
        self.compare = composer.compare
        self.models = models
        self.sending = sending
        self._window = window
        self.matrix_dialog: MatrixDialog | None = None

    def use_template(self, template: PromptTemplate, values: dict[str, str]) -> None:
        """Fill the composer from a template; the run will remember template and version."""
        try:
            rendered = template.render(values)
        except PlaygroundError as exc:
            self.message.emit(str(exc), 8000)
            return
        params = template.params if template.params.set_names() else None
        self.composer.fill(rendered.prompt, rendered.system, params)
        if template.models:
            self.models.set_pane_models(list(template.models))
        version = self.session.templates.current_version(template)
        case = next((name for name, case_values in template.cases if dict(case_values) == values), None)
        self.composer.workspace.template = TemplateUse(
            template.name, version.hash, dict(values), rendered.prompt, case, template.routing
        )
        self.message.emit(f"Template '{template.name}' filled in - press Send.", 6000)

    def show_matrix(self, template: PromptTemplate, other: PromptTemplate | None = None) -> MatrixDialog:
        """Every test case x model; with ``other`` (another version) both versions side by side."""
        from playground.ui.matrix_dialog import MatrixDialog

        models = [m for m in self.compare.models() if m] if not template.models else list(template.models)
        params = self.composer.read().params
        dialog = MatrixDialog(self.session, template, models, params, self._window, other=other)
        dialog.show()
        self.matrix_dialog = dialog
        return dialog

    def open_run(self, run: RunRecord) -> None:
        """Show a past run read-only: its prompt, parameters and every stored answer."""
        self.compare.stop_all()
        self.composer.fill(run.prompt, run.system, params_from_state(dict(run.params)))
        self.models.set_pane_models([a.requested_model for a in run.answers] or [""])
        self.composer.clear_attachments()  # in each pane's thread, not the next turn
        for pane, answer in zip(self.compare.panes, run.answers, strict=True):
            pane.set_in_conversation(True)  # not whatever the pane in this slot had before
            pane.left_behind.clear()
            pane.show_record(answer)
            sent = answer.thread or (Message("user", run.prompt, run.attachments),)
            pane.set_thread(extend(sent[:-1], sent[-1], answer.answer or None))  # so it can be followed up
        when = local_when(run.created)  # as the History table dates it
        self.message.emit(f"Showing run {run.id} from {when} (read-only) - Send runs it again.", 10000)

    def rerun(self, run: RunRecord) -> None:
        """Send a past run again; a follow-up turn goes with the conversation it was part of."""
        self.open_run(run)
        self.sending.rerun(run)
