"""MainWindow: compose a prompt, pick models, send, and watch the answers side by side.

Widgets here render state and forward intent; the Session does every network and keyring call.

Signals:
    closed(): the window closed; the app then stops what is running and exits.
"""

from __future__ import annotations

import base64
import logging
import random
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from playground import APP_NAME
from playground.core.attachments import Attachment, check_total, make_attachment
from playground.core.compare import CompareRequest, PaneSpec
from playground.core.conversation import (
    Message,
    branch,
    extend,
    input_tokens,
    turns,
)
from playground.core.errors import NoKeyError, PlaygroundError
from playground.core.estimate import estimate_cost
from playground.core.format import context, per_million, usd
from playground.core.preflight import PaneDraft
from playground.core.request import ChatParams
from playground.core.routing import Routing
from playground.core.uistate import UiStateStore
from playground.ui.attachments import AttachmentStrip, PromptEdit
from playground.ui.compare_view import CompareView
from playground.ui.params_panel import ParamsPanel
from playground.ui.response_pane import ResponsePane
from playground.ui.session import Session
from playground.ui.theme import THEMES, apply_theme

# Dialogs and storage modules load when first used, so the window shows sooner.
if TYPE_CHECKING:
    from playground.core.catalog import ModelInfo
    from playground.core.history import RunRecord
    from playground.core.spend import Alert
    from playground.core.templates import PromptTemplate
    from playground.ui.blind import LeaderboardView, VoteBar
    from playground.ui.charts import ChartsDialog
    from playground.ui.endpoints_dialog import EndpointsDialog
    from playground.ui.history_view import HistoryView
    from playground.ui.key_dialog import KeyDialog
    from playground.ui.matrix_dialog import MatrixDialog
    from playground.ui.model_browser import ModelBrowser
    from playground.ui.template_panel import TemplatePanel
    from playground.ui.usage_dialog import UsageDialog

log = logging.getLogger(__name__)

DEMO_MODELS = ["sim/quick-mini", "sim/balanced-pro", "sim/deep-reasoner"]
PREFERRED = ["openai/gpt-4o-mini", "anthropic/claude-3.5-haiku", "google/gemini-2.0-flash-001"]
MAX_RECENT = 12


class MainWindow(QMainWindow):
    """The comparison window."""

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
        self.compare.runFinished.connect(self.session.run_ended)
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

    def _menus(self) -> None:
        menu = self.menuBar()
        file = menu.addMenu("&File")
        self._action(file, "Copy comparison as Markdown", self.copy_markdown, "Ctrl+Shift+C")
        self._action(file, "Save comparison as Markdown...", self._save_shortcut, "Ctrl+S")
        self._action(file, "Save comparison as JSON...", lambda: self.save_export("json"))
        self._action(file, "Export as HTML...", lambda: self.save_export("html"))
        file.addSeparator()
        self._action(file, "Show log folder", self.show_log_folder)
        self.logPromptsAction = self._action(
            file, "Log prompts and answers", lambda on: self.session.spawn(self.session.set_log_prompts(on))
        )
        self.logPromptsAction.setCheckable(True)
        self.logPromptsAction.setChecked(self.session.ctx.settings.load().log_prompts)
        self._action(file, "Quit", self.request_quit, QKeySequence.StandardKey.Quit)
        compare = menu.addMenu("&Compare")
        # the menu shows the shortcuts: they live on the actions, not on separate QShortcuts
        self.sendAction = self._action(compare, "Send", self.send, "Ctrl+Return")
        self.sendAction.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        self.stopAllAction = self._action(compare, "Stop all", self.compare.stop_all, "Esc")
        self._action(compare, "Add pane", lambda: self.compare.add_pane(""), "Ctrl+T")
        self._action(compare, "Differences between two answers...", self.show_diff, "Ctrl+D")
        self._action(compare, "Usage and spend...", self.show_usage, "Ctrl+Shift+U")
        compare.addSeparator()
        self.blindAction = self._action(
            compare, "Blind comparison", lambda on: self.blindButton.setChecked(on), "Ctrl+B"
        )
        self.blindAction.setCheckable(True)
        self.blindButton.toggled.connect(self.blindAction.setChecked)
        self.blindSpeedAction = self._action(
            compare,
            "Show speed in blind mode",
            self.session.set_blind_show_speed,
        )
        self.blindSpeedAction.setCheckable(True)
        self.blindSpeedAction.setChecked(self.session.ctx.settings.load().blind_show_speed)
        self._action(compare, "Leaderboard...", self.show_leaderboard, "Ctrl+L")
        models = menu.addMenu("&Models")
        self._action(models, "Browse models...", self.show_model_browser, "Ctrl+M")
        self._action(models, "Refresh the model list", self._refresh_catalog, "F5")
        keys = menu.addMenu("&Keys")
        self._action(keys, "Key settings...", self.show_key_dialog, "Ctrl+K")
        self._action(keys, "Test the key in use", self._test_active_key)
        self._action(keys, "Endpoints (Ollama, LM Studio, vLLM)...", self.show_endpoints)
        view = menu.addMenu("&View")
        self.templatesAction = self._action(
            view, "Templates", lambda on: self.templatePanel.setVisible(on), "Ctrl+Shift+T"
        )
        self.historyAction = self._action(
            view, "History", lambda on: self.historyView.setVisible(on), "Ctrl+H"
        )
        for action in (self.templatesAction, self.historyAction):
            action.setCheckable(True)
        self._action(view, "Charts...", self.show_charts)
        view.addSeparator()
        self.gridAction = self._action(
            view, "Panes in two rows", lambda on: self.compare.set_rows(2 if on else 1), "Ctrl+G"
        )
        self.gridAction.setCheckable(True)
        view.addSeparator()
        self._theme_actions(view)
        help_menu = menu.addMenu("&Help")
        self._action(help_menu, "Keyboard shortcuts", self.show_shortcuts, "F1")

    def _theme_actions(self, view: Any) -> None:
        """View > System / Light / Dark theme, one of them ticked."""
        self.themeActions: dict[str, QAction] = {}
        group = QActionGroup(self)
        for theme in THEMES:
            # triggered(bool) passes "checked" first: the theme name must not take it
            action = self._action(
                view, f"{theme.capitalize()} theme", lambda _=False, t=theme: self.set_theme(t)
            )
            action.setCheckable(True)
            group.addAction(action)
            self.themeActions[theme] = action

    def _action(self, menu: Any, text: str, slot: Any, shortcut: Any = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _shortcuts(self) -> None:
        for keys in ("Ctrl+Shift+Return", "Ctrl+Shift+Enter"):
            QShortcut(QKeySequence(keys), self, activated=self.follow_up)

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
        warnings = list(dict.fromkeys(self.session.ctx.warnings + self.state_store.warnings))
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
        catalog = self.session.catalog
        if catalog is None:
            return
        settings = self.session.ctx.settings.load()
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
        if self.session.ctx.demo is not None:
            return DEMO_MODELS
        catalog = self.session.catalog
        settings = self.session.ctx.settings.load()
        chosen = [m for m in [*settings.default_models, *PREFERRED] if catalog is None or catalog.get(m)]
        return chosen[:3]

    def _update_demo_banner(self) -> None:
        self.demoBanner.setVisible(self.session.ctx.demo is not None)

    # ----- composing and sending ------------------------------------------------------------------

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
        return [p for p in self.compare.panes if p.in_conversation and p.thread]

    # ----- attachments ------------------------------------------------------------------------

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
        text = f"Est. max {usd(estimate.total, digits=4)}" if estimate.per_model else ""
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
                extra_tokens=[input_tokens(p.thread) + attached for p in follow],
            )
            self.costLabel.setText(f"{self.costLabel.text()} · follow-up {usd(threads.total, digits=4)}")
        for pane in self.compare.panes:
            pane.set_unknown(self._unknown_model(pane.model))
            left_out = not pane.in_conversation and bool(pane.thread)  # the next follow-up skips it
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
            (*(pane.thread if follow else ()), prompt),
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
        specs = tuple(PaneSpec(p.model, p.overrides, routing=p.routing, history=p.thread) for p in panes)
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
        pairs = turns(pane.thread)
        if not 0 <= turn_index < len(pairs):
            return
        original = pairs[turn_index][0]
        history = branch(pane.thread, turn_index)
        spec = PaneSpec(pane.model, pane.overrides, routing=pane.routing, history=history)
        system = self.systemPromptEdit.toPlainText().strip() or None
        request = CompareRequest(
            text, (spec,), system, self.params.params(), attachments=original.attachments
        )
        if self._start(request, [pane]):
            pane.left_behind.append(pane.thread)  # the thread view offers a way back to it

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

    # ----- blind comparison -------------------------------------------------------------------

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

        show_speed = self.session.ctx.settings.load().blind_show_speed
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
        saved = self.session.save_vote(run.run_id, kind, [p.model for p in ranking])
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

    def _template_still_applies(self, prompt: str) -> bool:
        return bool(self.template_context) and self.template_context.get("_prompt") == prompt

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
        version = self.session.library.current_version(template)
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

    def _run_state_changed(self) -> None:
        running = self.compare.running
        self.stopAllButton.setEnabled(running)
        if not running:
            self._offer_vote()
        self._update_follow_up()
        if not running:
            self._schedule_estimate()  # the threads grew: context and follow-up cost

    # ----- dialogs --------------------------------------------------------------------------

    def show_key_dialog(self, *, first_run: bool = False, locked: bool = False) -> KeyDialog:
        from playground.ui.key_dialog import KeyDialog

        dialog = KeyDialog(self.session, self, first_run=first_run, locked=locked)
        dialog.finished.connect(lambda _r: self._key_dialog_closed(dialog))
        dialog.open()
        self.key_dialog = dialog
        return dialog

    def _key_dialog_closed(self, dialog: KeyDialog) -> None:
        if dialog.demo_requested:
            self.start_demo()

    def start_demo(self) -> None:
        self.session.ctx.start_demo()
        self._update_demo_banner()
        self.session.spawn(self._reload_for_demo(), "demo")

    async def _reload_for_demo(self) -> None:
        await self.session.load_key()
        await self.session.refresh_catalog()
        for pane, model in zip(self.compare.panes, DEMO_MODELS, strict=False):
            pane.modelSelector.setEditText(model)

    def show_model_browser(self) -> ModelBrowser:
        from playground.ui.model_browser import ModelBrowser

        if self.browser is None:
            self.browser = ModelBrowser(self)
            self.browser.modelsChosen.connect(self.add_models)
            self.browser.refreshRequested.connect(self._refresh_catalog)
            self.browser.favouritesChanged.connect(self._favourites_changed)
        if self.session.catalog is not None:
            favourites = set(self.session.ctx.settings.load().favourite_models)
            self.browser.set_catalog(self.session.catalog, favourites)
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
        self.session.ctx.settings.update(favourite_models=tuple(ids))
        self._catalog_changed()

    def _refresh_catalog(self) -> None:
        self.session.spawn(self.session.refresh_catalog(), "catalog-refresh")

    def _test_active_key(self) -> None:
        self.show_key_dialog().test_in_use()

    def show_code(self, index: int) -> None:
        from playground.ui.dialogs import CodeDialog

        pane = self.compare.panes[index]
        system = self.systemPromptEdit.toPlainText().strip() or None
        request = CompareRequest(
            self.promptEdit.toPlainText(), (PaneSpec(pane.model),), system, self.params.params()
        ).chat_request(0)
        base = self.session.ctx.base_url if self.session.ctx.demo is None else "https://openrouter.ai/api/v1"
        CodeDialog(request, base, self).open()

    def show_diff(self) -> None:
        from playground.ui.dialogs import DiffDialog

        answers = [(p.model, p.outputView.text) for p in self.compare.panes if p.outputView.text]
        if len(answers) < 2:
            self.statusBar().showMessage("Run a comparison first: the diff needs two answers.", 6000)
            return
        dialog = DiffDialog(answers, self)
        dialog.open()
        self.diff_dialog = dialog

    def show_endpoints(self) -> EndpointsDialog:
        from playground.ui.endpoints_dialog import EndpointsDialog

        dialog = EndpointsDialog(self.session, self)
        dialog.open()
        self.endpoints_dialog = dialog
        return dialog

    def show_charts(self) -> ChartsDialog:
        from playground.ui.charts import ChartsDialog

        dialog = ChartsDialog(self.session, self)
        dialog.open()
        self.charts_dialog = dialog
        return dialog

    def show_usage(self) -> UsageDialog:
        from playground.ui.usage_dialog import UsageDialog

        dialog = UsageDialog(self.session, self)
        dialog.open()
        self.usage_dialog = dialog
        return dialog

    def _show_alerts(self, alerts: list[Alert]) -> None:
        self.alertBanner.setText("  ".join(f"⚠ {a.message}" for a in alerts))
        self.alertBanner.setVisible(bool(alerts))

    def show_shortcuts(self) -> None:
        from playground.ui.dialogs import ShortcutsDialog

        rows = [tuple(line.split("  ", 1)) for line in SHORTCUTS.splitlines()]
        dialog = ShortcutsDialog([(keys, what.capitalize()) for keys, what in rows], self)
        dialog.open()
        self.shortcuts_dialog = dialog

    def show_log_folder(self) -> None:
        folder = self.session.log_folder()
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
        self.statusBar().showMessage(f"Logs are in {folder}", 10000)

    # ----- export ---------------------------------------------------------------------------

    def _export_text(self, kind: str) -> str | None:
        from playground.core.export import to_json, to_markdown

        if self.blind_pending is not None:
            self.statusBar().showMessage("Vote or reveal first: an export names the models.", 6000)
            return None
        run = self.compare.run
        if run is None:
            self.statusBar().showMessage("Nothing to export yet: run a comparison first.", 6000)
            return None
        if kind == "html":
            from playground.core.report import comparison_report_html

            return comparison_report_html(run.request, run.results)
        return to_markdown(run.request, run.results) if kind == "md" else to_json(run.request, run.results)

    def copy_markdown(self) -> None:
        text = self._export_text("md")
        clipboard = QApplication.clipboard()
        if text is not None and clipboard is not None:
            clipboard.setText(text)
            self.statusBar().showMessage("Comparison copied as Markdown.", 4000)

    def _save_shortcut(self) -> None:
        """Ctrl+S saves the template being edited when the focus is in the template editor."""
        panel = self._template_panel
        if panel is not None and panel.isVisible() and panel.isAncestorOf(QApplication.focusWidget()):
            panel.save(panel.noteEdit.text().strip())
            return
        self.save_export("md")

    def save_export(self, kind: str, path: str | None = None) -> None:
        text = self._export_text(kind)
        if text is None:
            return
        if path is None:
            pattern = {"md": "Markdown (*.md)", "json": "JSON (*.json)", "html": "HTML page (*.html)"}[kind]
            path, _ = QFileDialog.getSaveFileName(self, "Save comparison", f"comparison.{kind}", pattern)
        if not path:
            return
        from pathlib import Path

        try:
            self.session.save_text(Path(path), text)
        except PlaygroundError as exc:
            QMessageBox.warning(self, "Could not save", str(exc))
            return
        self.statusBar().showMessage(f"Saved {path}", 6000)

    # ----- theme and state ------------------------------------------------------------------

    def set_theme(self, theme: str) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication) and self._system_palette is not None:
            apply_theme(app, theme, self._system_palette)
        self.theme = theme
        self.themeActions[theme].setChecked(True)

    def _restore(self, state: dict[str, Any]) -> None:
        geometry = state.get("geometry")
        if isinstance(geometry, str):
            self.restoreGeometry(QByteArray(base64.b64decode(geometry)))
        panes = [m for m in state.get("panes", []) if isinstance(m, str)] or ["", "", ""]
        overrides = state.get("overrides") if isinstance(state.get("overrides"), list) else []
        routings = state.get("routing") if isinstance(state.get("routing"), list) else []
        for index, model in enumerate(panes[:16]):
            pane = self.compare.add_pane(model)
            if index < len(overrides) and isinstance(overrides[index], dict):
                pane.set_overrides(_params_from_state(overrides[index]))
            if index < len(routings) and isinstance(routings[index], dict):
                pane.set_routing(_routing_from_state(routings[index]))
        params = state.get("params")
        if isinstance(params, dict):
            self.params.set_params(_params_from_state(params))
        self.systemPromptEdit.setPlainText(str(state.get("system", "")))
        self.systemToggle.setChecked(bool(state.get("system_visible")) or bool(state.get("system")))
        self.promptEdit.setPlainText(str(state.get("prompt", "")))
        self.syncBox.setChecked(bool(state.get("sync")))
        self.gridAction.setChecked(state.get("rows") == 2)
        theme = state.get("theme")
        self.set_theme(theme if theme in THEMES else "system")

    def state(self) -> dict[str, Any]:
        params = self.params.params()
        return {
            "geometry": base64.b64encode(bytes(self.saveGeometry().data())).decode("ascii"),
            "panes": self.compare.models(),
            "overrides": [_params_state(p.overrides) for p in self.compare.panes],
            "routing": [p.routing.to_mapping() if p.routing else {} for p in self.compare.panes],
            "params": _params_state(params),
            "system": self.systemPromptEdit.toPlainText(),
            "system_visible": self.systemToggle.isChecked(),
            "prompt": self._unsent_prompt(),
            "sync": self.syncBox.isChecked(),
            "rows": self.compare.rows,
            "theme": self.theme,
        }

    def request_quit(self) -> None:
        """File > Quit (Ctrl+Q): an unsaved template is asked about first."""
        if self._template_panel is None or self._template_panel.guard.ask_unsaved(self.close):
            self.close()

    def _unsent_prompt(self) -> str:
        """The prompt box, unless it still holds what was sent (a restart must not offer it again)."""
        text = self.promptEdit.toPlainText()
        return "" if text == self._sent_prompt else text

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


def _params_state(params: ChatParams | None) -> dict[str, Any]:
    if params is None:
        return {}
    return {name: getattr(params, name) for name in params.set_names()}


def _params_from_state(data: dict[str, Any]) -> ChatParams:
    known = {k: v for k, v in data.items() if k in ChatParams.__dataclass_fields__}
    if isinstance(known.get("stop"), list):
        known["stop"] = tuple(str(s) for s in known["stop"])
    from playground.core.structured import surface_params

    try:
        known.update(surface_params(known))  # a schema or tools list read back is checked again
        return ChatParams(**known)
    except (TypeError, PlaygroundError):
        return ChatParams()


SHORTCUTS = """Ctrl+Enter  send the prompt to every pane
Ctrl+Shift+Enter  follow up in every pane's conversation
Esc  stop every answer
Ctrl+T  add a pane
Ctrl+M  browse models
Ctrl+K  key settings
Ctrl+D  differences between two answers
Ctrl+G  panes in two rows / one row
Ctrl+Shift+T  templates
Ctrl+H  history
Ctrl+Shift+U  usage and spend
Ctrl+B  blind comparison on / off
Ctrl+L  leaderboard
Ctrl+Shift+C  copy the comparison as Markdown
Ctrl+S  save the template being edited (else the comparison as Markdown)
F5  refresh the model list
Ctrl+Q  quit"""


def _routing_from_state(data: dict[str, Any]) -> Routing | None:
    try:
        return Routing.from_mapping(data)
    except PlaygroundError:  # a hand-edited state file: drop the routing, keep the pane
        return None
