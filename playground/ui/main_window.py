"""MainWindow: compose a prompt, pick models, send, and watch the answers side by side.

Widgets here render state and forward intent; the Session does every network and keyring call.

Signals:
    closed(): the window closed; the app then stops what is running and exits.
"""

from __future__ import annotations

import logging
import random
import time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from playground import APP_NAME
from playground.core.compare import CompareRequest, PaneSpec
from playground.core.conversation import (
    Message,
    extend,
)
from playground.core.errors import PlaygroundError
from playground.core.format import context, per_million
from playground.ui.blind_controller import BlindControllerMixin
from playground.ui.compare_view import CompareView
from playground.ui.composer import ComposerMixin
from playground.ui.menus import MenusMixin
from playground.ui.response_pane import ResponsePane
from playground.ui.sending import SendingMixin
from playground.ui.session import Session
from playground.ui.window_state import (
    WindowStateMixin,
    _params_from_state,
)

# Dialogs and storage modules load when first used, so the window shows sooner.
if TYPE_CHECKING:
    from playground.core.catalog import ModelInfo
    from playground.core.history import RunRecord
    from playground.core.spend import Alert
    from playground.core.templates import PromptTemplate
    from playground.core.uistate import UiStateStore
    from playground.ui.blind import VoteBar
    from playground.ui.history_view import HistoryView
    from playground.ui.matrix_dialog import MatrixDialog
    from playground.ui.model_browser import ModelBrowser
    from playground.ui.template_panel import TemplatePanel

log = logging.getLogger(__name__)

DEMO_MODELS = ["sim/quick-mini", "sim/balanced-pro", "sim/deep-reasoner"]
PREFERRED = ["openai/gpt-4o-mini", "anthropic/claude-3.5-haiku", "google/gemini-2.0-flash-001"]


class MainWindow(
    ComposerMixin, SendingMixin, BlindControllerMixin, MenusMixin, WindowStateMixin, QMainWindow
):
    """The comparison window: layout and wiring; the composer, sending, the blind controller, the
    menus and the saved state are mixins in their own modules."""

    closed = Signal()

    def __init__(self, session: Session, state: UiStateStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.state_store = state
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_NAME)
        self.resize(1280, 820)
        self.browser: ModelBrowser | None = None
        app = QApplication.instance()
        self._system_palette = app.palette() if isinstance(app, QApplication) else None
        self.theme = "system"
        self._build()
        self._docks()
        self._menus()
        self._shortcuts()
        self._connect_session()
        self._restore(state.load())
        self._update_demo_banner()
        self.promptEdit.setFocus()  # the window opens ready to type

    # ----- layout ---------------------------------------------------------------------------

    def _build(self) -> None:
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.demoBanner = QLabel(
            "Demo - simulated models. Nothing leaves this computer and no key is needed."
        )
        self.demoBanner.setObjectName("demoBanner")
        outer.addWidget(self.demoBanner)
        self.alertBanner = QLabel()
        self.alertBanner.setObjectName("alertBanner")
        self.alertBanner.setAccessibleName("Spend alerts")
        self.alertBanner.setWordWrap(True)
        self.alertBanner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.alertBanner.setToolTip("Change the alerts in Compare > Usage and spend (Ctrl+Shift+U)")
        self.alertBanner.hide()
        outer.addWidget(self.alertBanner)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setObjectName("mainSplitter")
        self.compare = CompareView()
        splitter.addWidget(self._composer())
        splitter.addWidget(self.compare)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([210, 610])
        self.splitter = splitter
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(10, 8, 10, 8)
        body_layout.addWidget(splitter)
        self._body_layout = body_layout  # the vote bar joins it on the first blind run
        self._vote_bar: VoteBar | None = None
        outer.addWidget(body, 1)
        self.setCentralWidget(central)
        self.compare.panesChanged.connect(self._schedule_estimate)
        self.compare.panesChanged.connect(self._update_follow_up)  # a pane ticked in or out of follow-ups
        self.compare.runStarted.connect(self._run_state_changed)
        self.compare.runFinished.connect(self._run_state_changed)
        self.compare.codeRequested.connect(self.show_code)
        self.compare.branchRequested.connect(self.branch_pane)
        self.compare.voteRequested.connect(self._vote_best)
        self.blind_rng = random.Random()
        self.blind_pending: tuple[Any, list[ResponsePane]] | None = None  # (run, its panes) until a vote
        self._blind_order: list[ResponsePane] = []
        self._sent_prompt: str | None = None  # the prompt last sent: not "unsent" at the next start
        self._status_bar()

    def _docks(self) -> None:
        """The templates and history docks are built the first time they are shown (or used), so
        the window appears without loading the template and history machinery."""
        self._template_panel: TemplatePanel | None = None
        self._history_view: HistoryView | None = None
        self.compare.runFinished.connect(self.session.runs.run_ended)
        self.template_context: dict[str, Any] = {}
        # The templates dock takes the full height on the left and history sits under the panes
        # only: stacked, their minimum heights would not fit a 720 px screen.
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)

    @property
    def templatePanel(self) -> TemplatePanel:
        if self._template_panel is None:
            from playground.ui.template_panel import TemplatePanel

            panel = TemplatePanel(self.session, self)
            panel.useRequested.connect(self.use_template)
            panel.matrixRequested.connect(self.show_matrix)
            panel.versionsCompareRequested.connect(lambda old, new: self.show_matrix(new, other=old))
            self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, panel)
            panel.hide()
            panel.visibilityChanged.connect(self.templatesAction.setChecked)
            self._template_panel = panel
        return self._template_panel

    @property
    def historyView(self) -> HistoryView:
        if self._history_view is None:
            from playground.ui.history_view import HistoryView

            view = HistoryView(self.session, self)
            view.openRequested.connect(self.open_run)
            view.rerunRequested.connect(self.rerun)
            self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, view)  # a wide table
            view.hide()
            view.visibilityChanged.connect(self.historyAction.setChecked)
            self._history_view = view
        return self._history_view

    def _status_bar(self) -> None:
        bar = self.statusBar()
        self.keyLabel = QLabel()
        self.keyLabel.setObjectName("keyStatus")
        self.creditLabel = QLabel()
        self.creditLabel.setObjectName("creditStatus")
        self.catalogLabel = QLabel()
        self.catalogLabel.setObjectName("catalogStatusBar")
        bar.addWidget(self.keyLabel, 1)
        bar.addPermanentWidget(self.catalogLabel)
        bar.addPermanentWidget(self.creditLabel)

    # ----- session ----------------------------------------------------------------------------

    def _connect_session(self) -> None:
        s = self.session
        s.keyChanged.connect(self._key_changed)
        s.creditChanged.connect(lambda text: self.creditLabel.setText(text and f"Credit: {text}"))
        s.catalogChanged.connect(self._catalog_changed)
        s.catalogStatus.connect(self._catalog_status)
        s.notice.connect(lambda text: self.statusBar().showMessage(text, 8000))
        s.alertsChanged.connect(self._show_alerts)

    def show_warnings(self) -> None:
        """Tell the user about files set aside at start-up (damaged settings, cache, history)."""
        warnings = list(dict.fromkeys(self.session.warnings() + self.state_store.warnings))
        if warnings:
            self.statusBar().showMessage(" ".join(warnings), 30000)
            self.warnings_shown = warnings

    def _key_changed(self, description: str) -> None:
        self.keyLabel.setText(f"Key: {description}")
        self._update_demo_banner()
        self._prompt_changed()

    def _catalog_status(self, text: str) -> None:
        self.catalogLabel.setText(f"Models {text}" if text else "")
        if self.browser is not None:
            self.browser.set_status(text)

    def _catalog_changed(self) -> None:
        catalog = self.session.models.catalog
        if catalog is None:
            return
        settings = self.session.settings.load()
        ordered = list(
            dict.fromkeys(
                [*settings.favourite_models, *settings.recent_models, *sorted(m.id for m in catalog.models)]
            )
        )
        self.compare.set_model_ids(ordered, {m.id: _model_words(m) for m in catalog.models})
        if self.browser is not None:
            self.browser.set_catalog(catalog, set(settings.favourite_models))
        if not any(self.compare.models()):
            for pane, model in zip(self.compare.panes, self._default_models(), strict=False):
                pane.modelSelector.setEditText(model)
        self._schedule_estimate()

    def _default_models(self) -> list[str]:
        if self.session.demo:
            return DEMO_MODELS
        catalog = self.session.models.catalog
        settings = self.session.settings.load()
        chosen = [m for m in [*settings.default_models, *PREFERRED] if catalog is None or catalog.get(m)]
        return chosen[:3]

    def _update_demo_banner(self) -> None:
        self.demoBanner.setVisible(self.session.demo)

    # ----- templates and history ------------------------------------------------------------

    def use_template(self, template: PromptTemplate, values: dict[str, str]) -> None:
        """Fill the compare window from a template; the run will remember template and version."""
        try:
            rendered = template.render(values)
        except PlaygroundError as exc:
            self.statusBar().showMessage(str(exc), 8000)
            return
        self.systemPromptEdit.setPlainText(rendered.system or "")
        self.systemToggle.setChecked(bool(rendered.system))
        self.promptEdit.setPlainText(rendered.prompt)
        if template.params.set_names():
            self.params.set_params(template.params)
        if template.models:
            self.set_pane_models(list(template.models))
        version = self.session.templates.current_version(template)
        case = next((name for name, case_values in template.cases if dict(case_values) == values), None)
        self.template_context = {
            "template": template.name,
            "version": version.hash,
            "case_name": case,  # a run made from a test case's values is recorded as that case
            "variables": values,
            "_prompt": rendered.prompt,
            "_routing": template.routing,
        }
        self.statusBar().showMessage(f"Template '{template.name}' filled in - press Send.", 6000)

    def set_pane_models(self, models: list[str]) -> None:
        while len(self.compare.panes) < len(models):
            self.compare.add_pane("")
        while len(self.compare.panes) > len(models):
            self.compare.remove_pane(self.compare.panes[-1])
        for pane, model in zip(self.compare.panes, models, strict=True):
            pane.modelSelector.setEditText(model)

    def show_matrix(self, template: PromptTemplate, other: PromptTemplate | None = None) -> MatrixDialog:
        """Every test case x model; with ``other`` (another version) both versions side by side."""
        from playground.ui.matrix_dialog import MatrixDialog

        models = [m for m in self.compare.models() if m] if not template.models else list(template.models)
        dialog = MatrixDialog(self.session, template, models, self.params.params(), self, other=other)
        dialog.show()
        self.matrix_dialog = dialog
        return dialog

    def open_run(self, run: RunRecord) -> None:
        """Show a past run read-only: its prompt, parameters and every stored answer."""
        self.compare.stop_all()
        self.systemPromptEdit.setPlainText(run.system or "")
        self.systemToggle.setChecked(bool(run.system))
        self.promptEdit.setPlainText(run.prompt)
        self.params.set_params(_params_from_state(dict(run.params)))
        self.set_pane_models([a.requested_model for a in run.answers] or [""])
        self.attachmentStrip.set_attachments(())  # they are in each pane's thread, not the next turn
        for pane, answer in zip(self.compare.panes, run.answers, strict=True):
            pane.set_in_conversation(True)  # not whatever the pane in this slot had before
            pane.left_behind.clear()
            pane.show_record(answer)
            sent = answer.thread or (Message("user", run.prompt, run.attachments),)
            pane.set_thread(extend(sent[:-1], sent[-1], answer.answer or None))  # so it can be followed up
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(run.created))
        self.statusBar().showMessage(
            f"Showing run {run.id} from {when} (read-only) - Send runs it again.", 10000
        )

    def rerun(self, run: RunRecord) -> None:
        """Send a past run again; a follow-up turn goes with the conversation it was part of."""
        self.open_run(run)
        if not any(answer.thread for answer in run.answers):
            self.attachmentStrip.set_attachments(run.attachments)
            self.send()
            return
        specs = []
        for pane, answer in zip(self.compare.panes, run.answers, strict=True):
            sent = answer.thread or (Message("user", run.prompt, run.attachments),)
            specs.append(PaneSpec(pane.model, pane.overrides, {}, pane.routing, sent[:-1], sent[-1].text))
        request = CompareRequest(
            run.prompt, tuple(specs), run.system, self.params.params(), attachments=run.attachments
        )
        self._start(request, list(self.compare.panes))

    def _run_state_changed(self) -> None:
        running = self.compare.running
        self.stopAllButton.setEnabled(running)
        if not running:
            self._offer_vote()
        self._update_follow_up()
        if not running:
            self._schedule_estimate()  # the threads grew: context and follow-up cost

    # ----- dialogs --------------------------------------------------------------------------

    def start_demo(self) -> None:
        self.session.start_demo()
        self._update_demo_banner()
        self.session.spawn(self._reload_for_demo(), "demo")

    async def _reload_for_demo(self) -> None:
        await self.session.keys.load_key()
        await self.session.models.refresh_catalog()
        for pane, model in zip(self.compare.panes, DEMO_MODELS, strict=False):
            pane.modelSelector.setEditText(model)

    def show_model_browser(self) -> ModelBrowser:
        from playground.ui.model_browser import ModelBrowser

        if self.browser is None:
            self.browser = ModelBrowser(self)
            self.browser.modelsChosen.connect(self.add_models)
            self.browser.refreshRequested.connect(self._refresh_catalog)
            self.browser.favouritesChanged.connect(self._favourites_changed)
        if self.session.models.catalog is not None:
            favourites = set(self.session.settings.load().favourite_models)
            self.browser.set_catalog(self.session.models.catalog, favourites)
        self.browser.set_status(self.catalogLabel.text().removeprefix("Models "))
        self.browser.show()
        self.browser.raise_()
        return self.browser

    def add_models(self, ids: list[str]) -> None:
        """Fill empty panes first, then add panes for the rest."""
        empty = [p for p in self.compare.panes if not p.model]
        for model in ids:
            if empty:
                empty.pop(0).modelSelector.setEditText(model)
            else:
                self.compare.add_pane(model)

    def _favourites_changed(self, ids: list[str]) -> None:
        self.session.settings.set_favourite_models(ids)
        self._catalog_changed()

    def _refresh_catalog(self) -> None:
        self.session.spawn(self.session.models.refresh_catalog(), "catalog-refresh")

    def _test_active_key(self) -> None:
        self.show_key_dialog().test_in_use()

    def _show_alerts(self, alerts: list[Alert]) -> None:
        self.alertBanner.setText("  ".join(f"⚠ {a.message}" for a in alerts))
        self.alertBanner.setVisible(bool(alerts))

    # ----- theme and state ------------------------------------------------------------------

    def request_quit(self) -> None:
        """File > Quit (Ctrl+Q): an unsaved template is asked about first."""
        if self._template_panel is None or self._template_panel.guard.ask_unsaved(self.close):
            self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        # the window's own close button asks too; close() from a signal (SIGTERM, Ctrl+C) never waits
        panel = self._template_panel
        if event.spontaneous() and panel is not None and not panel.guard.ask_unsaved(self.close):
            event.ignore()
            return
        self.compare.stop_all()
        self.state_store.save(self.state())
        event.accept()
        self.closed.emit()


def _model_words(model: ModelInfo) -> tuple[str, bool]:
    """What the model picker shows beside an id: "$0.15 / $0.60 per M · 128k", or "free · 32k"."""
    size = context(model.context_length)
    if model.is_free:
        return f"free · {size}", True
    return f"{per_million(model, 'prompt')} / {per_million(model, 'completion')} per M · {size}", False
