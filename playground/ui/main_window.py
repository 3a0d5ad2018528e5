"""MainWindow: compose a prompt, pick models, send, and watch the answers side by side.

Widgets here render state and forward intent; the Session does every network and keyring call.

Signals:
    closed(): the window closed; the app then stops what is running and exits.
"""

from __future__ import annotations

import logging
import random
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLabel,
    QMainWindow,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from playground import APP_NAME
from playground.core.compare import CompareRequest
from playground.core.workspace import Workspace
from playground.ui.blind_controller import BlindController
from playground.ui.compare_view import CompareView
from playground.ui.composer import Composer
from playground.ui.menus import MenuIntents, Menus
from playground.ui.model_choice import ModelChoice
from playground.ui.reopen import Reopen
from playground.ui.sending import Sender
from playground.ui.session import Session
from playground.ui.window_state import WindowState

# Dialogs and storage modules load when first used, so the window shows sooner.
if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox

    from playground.core.history import RunRecord
    from playground.core.spend import Alert
    from playground.core.templates import PromptTemplate
    from playground.core.uistate import UiStateStore
    from playground.ui.attachment_strip import AttachmentStrip
    from playground.ui.blind import LeaderboardView, RankDialog, VoteBar
    from playground.ui.charts import ChartsDialog
    from playground.ui.dialogs import DiffDialog, ShortcutsDialog
    from playground.ui.endpoints_dialog import EndpointsDialog
    from playground.ui.history_view import HistoryView
    from playground.ui.key_dialog import KeyDialog
    from playground.ui.matrix_dialog import MatrixDialog
    from playground.ui.model_browser import ModelBrowser
    from playground.ui.net import ThreadedRun
    from playground.ui.response_pane import ResponsePane
    from playground.ui.template_panel import TemplatePanel
    from playground.ui.usage_dialog import UsageDialog

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    """The comparison window: layout and wiring. Its parts are their own classes: the composer
    (`Composer`, writing the `Workspace`), sending (`Sender`), the blind controller, the menus and the
    saved state (`WindowState`)."""

    closed = Signal()

    def __init__(self, session: Session, state: UiStateStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.state_store = state
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_NAME)
        self.resize(1280, 820)
        self.warnings_shown: list[str] = []
        self.workspace = Workspace()
        self._build()
        self._parts()
        self._docks()
        self._connect_session()
        self.window_state.restore(state.load())
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
        self.composer = Composer(self.session, self.workspace, self.compare)
        self._keep_composer_names(self.composer)
        splitter.addWidget(self.composer)
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
        outer.addWidget(body, 1)
        self.setCentralWidget(central)
        self._status_bar()

    def _keep_composer_names(self, composer: Composer) -> None:
        """The composer's widgets by the names scripts and tests reach them by (``window.promptEdit``)."""
        self.promptEdit = composer.promptEdit
        self.systemPromptEdit = composer.systemPromptEdit
        self.systemToggle = composer.systemToggle
        self.params = composer.params
        self.costLabel = composer.costLabel
        self.sendButton = composer.sendButton
        self.followUpButton = composer.followUpButton
        self.stopAllButton = composer.stopAllButton
        self.blindButton = composer.blindButton
        self.attachButton = composer.attachButton
        self.addPaneButton = composer.addPaneButton
        self.modelsButton = composer.modelsButton
        self.syncBox = composer.syncBox

    def _parts(self) -> None:
        """The blind controller, sending, the menus and the saved state, and their wiring."""
        self.models = ModelChoice(self.session, self.compare, self)
        self.blind = BlindController(self.session, self.workspace, self.compare, self._body_layout, self)
        self.sending = Sender(self.session, self.composer, self.compare, self.blind, self)
        self.menus = Menus(self, self.session, self.composer, self.compare, self.blind, self._intents())
        self.window_state = WindowState(self, self.composer, self.compare)
        self.reopen = Reopen(self.composer, self.models, self.sending, self)
        self._keep_action_names(self.menus)
        for part in (self.composer, self.blind, self.sending, self.menus, self.models, self.reopen):
            part.message.connect(self._status)
        self.models.modelsChanged.connect(self.composer.schedule_estimate)
        self.models.demoStarted.connect(self._update_demo_banner)
        self.composer.sendButton.clicked.connect(self.sending.send)
        self.composer.followUpButton.clicked.connect(self.sending.follow_up)
        self.composer.modelsButton.clicked.connect(self.show_model_browser)
        self.composer.blindButton.toggled.connect(self.blind.toggled)
        self.composer.blindButton.toggled.connect(self.blindAction.setChecked)
        self.blind.modelsHidden.connect(self.composer.hide_estimates)
        self.blind.revealed.connect(self.composer.schedule_estimate)
        self.sending.keyNeeded.connect(self.show_key_dialog)
        self.sending.comparisonSent.connect(self._make_room_for_answers)
        self.sending.recentChanged.connect(self.models.catalog_changed)
        self.window_state.themeChanged.connect(self.menus.theme_changed)
        self.window_state.rowsRestored.connect(lambda rows: self.gridAction.setChecked(rows == 2))
        c = self.compare
        c.panesChanged.connect(self.composer.schedule_estimate)
        c.panesChanged.connect(self.composer.update_buttons)  # a pane ticked in or out of follow-ups
        c.runStarted.connect(self._run_state_changed)
        c.runFinished.connect(self._run_state_changed)
        c.codeRequested.connect(self.menus.show_code)
        c.branchRequested.connect(self.sending.branch_pane)
        c.voteRequested.connect(self.blind.vote_best)

    def _keep_action_names(self, menus: Menus) -> None:
        """The menus' actions by the names scripts and tests reach them by (``window.sendAction``)."""
        self.logPromptsAction = menus.logPromptsAction
        self.sendAction = menus.sendAction
        self.stopAllAction = menus.stopAllAction
        self.blindAction = menus.blindAction
        self.blindSpeedAction = menus.blindSpeedAction
        self.gridAction = menus.gridAction
        self.templatesAction = menus.templatesAction
        self.historyAction = menus.historyAction
        self.themeActions = menus.themeActions

    def _intents(self) -> MenuIntents:
        return MenuIntents(
            send=self.send,
            follow_up=self.follow_up,
            quit=self.request_quit,
            browse_models=self.show_model_browser,
            refresh_models=lambda: self.models.refresh(),
            show_templates=lambda on: self.templatePanel.setVisible(on),
            show_history=lambda on: self.historyView.setVisible(on),
            set_blind=lambda on: self.blindButton.setChecked(on),
            set_theme=self.set_theme,
            start_demo=self.start_demo,
            save_template=self._save_template,
        )

    def _status(self, text: str, timeout: int) -> None:
        if text:
            self.statusBar().showMessage(text, timeout)
        else:
            self.statusBar().clearMessage()

    def _make_room_for_answers(self) -> None:
        """On a short screen the composer gives its spare height to the answers after Send; the
        splitter handle brings it back."""
        composer, answers = self.splitter.sizes()
        smallest = self.composer.minimumSizeHint().height()
        if answers < 2 * composer and composer > smallest:
            self.splitter.setSizes([smallest, answers + composer - smallest])

    def _docks(self) -> None:
        """The templates and history docks are built the first time they are shown (or used), so
        the window appears without loading the template and history machinery."""
        self._template_panel: TemplatePanel | None = None
        self._history_view: HistoryView | None = None
        self._history_sized = False
        self.compare.runFinished.connect(self.session.runs.run_ended)
        # The templates dock takes the full height on the left and history sits under the panes
        # only: stacked, their minimum heights would not fit a 720 px screen.
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)

    @property
    def templatePanel(self) -> TemplatePanel:
        if self._template_panel is None:
            from playground.ui.template_panel import TemplatePanel

            panel = TemplatePanel(self.session, self)
            panel.useRequested.connect(self._leave_blind_run)  # before the template fills the panes
            panel.useRequested.connect(self.reopen.use_template)
            panel.matrixRequested.connect(self.reopen.show_matrix)
            panel.versionsCompareRequested.connect(lambda old, new: self.reopen.show_matrix(new, other=old))
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
            view.visibilityChanged.connect(self._size_history_dock)
            self._history_view = view
        return self._history_view

    def _size_history_dock(self, shown: bool) -> None:
        """The first time history opens it takes a third of the height: left to its size hint (a
        wide table) it took half of a 720 px screen and squeezed the answers to a few lines."""
        view = self._history_view
        if not shown or view is None or self._history_sized:
            return
        self._history_sized = True  # after this the user's drag of the edge is kept
        self.resizeDocks(
            [view], [max(view.minimumSizeHint().height(), self.height() // 3)], Qt.Orientation.Vertical
        )

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
        s.catalogChanged.connect(self.models.catalog_changed)
        s.catalogStatus.connect(lambda text: self.catalogLabel.setText(f"Models {text}" if text else ""))
        s.catalogStatus.connect(self.models.catalog_status)
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
        self.composer.prompt_changed()

    def _update_demo_banner(self) -> None:
        self.demoBanner.setVisible(self.session.demo)

    def _run_state_changed(self) -> None:
        running = self.compare.running
        self.stopAllButton.setEnabled(running)
        if running:
            self.blind.hold_vote()
        else:
            self.blind.offer_vote()
        self.composer.update_buttons()
        if not running:
            self.composer.schedule_estimate()  # the threads grew: context and follow-up cost

    def _show_alerts(self, alerts: list[Alert]) -> None:
        self.alertBanner.setText("  ".join(f"⚠ {a.message}" for a in alerts))
        self.alertBanner.setVisible(bool(alerts))

    def _save_template(self) -> bool:
        """Ctrl+S in the template editor saves the template; True when it did."""
        panel, focus = self._template_panel, QApplication.focusWidget()
        if panel is not None and panel.isVisible() and focus is not None and panel.isAncestorOf(focus):
            panel.save(panel.noteEdit.text().strip())
            return True
        return False

    # ----- closing ----------------------------------------------------------------------------

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
        self.blind.reveal(quiet=True)  # the panes go back to the user's order before it is saved
        self.state_store.save(self.window_state.state())
        event.accept()
        self.closed.emit()

    # ----- the parts' entry points, by the names scripts and tests use -------------------------

    def send(self) -> None:
        self.sending.send()

    def _leave_blind_run(self, *_what: object) -> None:
        """The panes are about to show another run or template: a blind run still waiting for its
        vote is revealed first (a vote then would be counted for models its panes no longer show)."""
        self.blind.reveal(quiet=True)

    def set_pane_models(self, models: list[str]) -> None:
        self._leave_blind_run()
        self.models.set_pane_models(models)

    def show_matrix(self, template: PromptTemplate, other: PromptTemplate | None = None) -> MatrixDialog:
        return self.reopen.show_matrix(template, other)

    def open_run(self, run: RunRecord) -> None:
        self._leave_blind_run()
        self.reopen.open_run(run)

    def rerun(self, run: RunRecord) -> None:
        self._leave_blind_run()
        self.reopen.rerun(run)

    @property
    def matrix_dialog(self) -> MatrixDialog | None:
        return self.reopen.matrix_dialog

    def show_model_browser(self) -> ModelBrowser:
        return self.models.show_browser()

    def start_demo(self) -> None:
        self.models.start_demo()

    def follow_up(self) -> None:
        self.sending.follow_up()

    def _start(self, request: CompareRequest, panes: list[ResponsePane]) -> bool:
        """A pane's tool results continue its thread through here (pane_extras.py)."""
        return self.sending.start(request, panes)

    def update_estimate(self) -> None:
        self.composer.update_estimate()

    def attach_files(self, paths: list[str]) -> None:
        self.composer.attach_files(paths)

    def set_theme(self, theme: str) -> None:
        self.window_state.set_theme(theme)

    def reveal(self) -> None:
        self.blind.reveal()

    def show_key_dialog(self, *, first_run: bool = False, locked: bool = False) -> KeyDialog:
        return self.menus.show_key_dialog(first_run=first_run, locked=locked)

    def show_code(self, index: int) -> None:
        self.menus.show_code(index)

    def show_diff(self) -> None:
        self.menus.show_diff()

    def show_endpoints(self) -> EndpointsDialog:
        return self.menus.show_endpoints()

    def show_charts(self) -> ChartsDialog:
        return self.menus.show_charts()

    def show_usage(self) -> UsageDialog:
        return self.menus.show_usage()

    def show_leaderboard(self) -> LeaderboardView:
        return self.menus.show_leaderboard()

    def show_shortcuts(self) -> None:
        self.menus.show_shortcuts()

    def show_log_folder(self) -> None:
        self.menus.show_log_folder()

    def copy_markdown(self) -> None:
        self.menus.copy_markdown()

    def save_export(self, kind: str, path: str | None = None) -> None:
        self.menus.save_export(kind, path)

    def _export_text(self, kind: str) -> str | None:
        return self.menus.export_text(kind)

    @property
    def theme(self) -> str:
        return self.window_state.theme

    @property
    def voteBar(self) -> VoteBar:
        return self.blind.voteBar

    @property
    def blind_pending(self) -> tuple[ThreadedRun, list[ResponsePane]] | None:
        return self.blind.pending

    @property
    def blind_rng(self) -> random.Random:
        return self.blind.rng

    @blind_rng.setter
    def blind_rng(self, rng: random.Random) -> None:  # a test fixes the shuffle
        self.blind.rng = rng

    @property
    def attachmentStrip(self) -> AttachmentStrip:  # the composer's, built on first use
        return self.composer.attachmentStrip

    @property
    def rank_dialog(self) -> RankDialog | None:
        return self.blind.rank_dialog

    @property
    def leave_out_box(self) -> QMessageBox | None:
        return self.sending.leave_out_box

    @property
    def leaveOutButton(self) -> QAbstractButton | None:
        return self.sending.leaveOutButton

    @property
    def key_dialog(self) -> KeyDialog | None:
        return self.menus.key_dialog

    @property
    def diff_dialog(self) -> DiffDialog | None:
        return self.menus.diff_dialog

    @property
    def charts_dialog(self) -> ChartsDialog | None:
        return self.menus.charts_dialog

    @property
    def shortcuts_dialog(self) -> ShortcutsDialog | None:
        return self.menus.shortcuts_dialog
