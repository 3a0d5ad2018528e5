"""The window's menus and shortcuts, the dialogs they open, and the comparison exports.

`Menus` builds the menu bar of a window; what the menus ask of the rest of the window (send, quit,
show a dock, change the theme...) goes through `MenuIntents`, a narrow typed set of callables.

Signals:
    message(str, int): words for the status bar, and for how many milliseconds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6 import QtWidgets  # dialogs' classes (and their enums) are made on first use
from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QAction, QActionGroup, QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QMainWindow, QMenu

from playground.core.errors import PlaygroundError
from playground.ui.blind_controller import BlindController
from playground.ui.compare_view import CompareView
from playground.ui.composer import Composer
from playground.ui.session import Session
from playground.ui.theme import THEMES

# Dialogs load when first used, so the window shows sooner.
if TYPE_CHECKING:
    from playground.ui.blind import LeaderboardView
    from playground.ui.charts import ChartsDialog
    from playground.ui.dialogs import DiffDialog, ShortcutsDialog
    from playground.ui.endpoints_dialog import EndpointsDialog
    from playground.ui.key_dialog import KeyDialog
    from playground.ui.usage_dialog import UsageDialog

log = logging.getLogger(__name__)

Shortcut = str | QKeySequence | QKeySequence.StandardKey | None


@dataclass(frozen=True)
class MenuIntents:
    """What the menus ask of the rest of the window."""

    send: Callable[[], None]
    follow_up: Callable[[], None]
    quit: Callable[[], None]
    browse_models: Callable[[], object]
    refresh_models: Callable[[], None]
    show_templates: Callable[[bool], None]
    show_history: Callable[[bool], None]
    set_blind: Callable[[bool], None]
    set_theme: Callable[[str], None]
    start_demo: Callable[[], None]
    save_template: Callable[[], bool]  # Ctrl+S: True when it saved the template being edited


class Menus(QObject):
    """The menu bar and shortcuts of ``window``, the dialogs they open and the exports."""

    message = Signal(str, int)

    def __init__(
        self,
        window: QMainWindow,
        session: Session,
        composer: Composer,
        compare: CompareView,
        blind: BlindController,
        intents: MenuIntents,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.session = session
        self.composer = composer
        self.compare = compare
        self.blind = blind
        self.intents = intents
        self.key_dialog: KeyDialog | None = None
        self.diff_dialog: DiffDialog | None = None
        self.shortcuts_dialog: ShortcutsDialog | None = None
        self.charts_dialog: ChartsDialog | None = None
        self.usage_dialog: UsageDialog | None = None
        self.endpoints_dialog: EndpointsDialog | None = None
        self.leaderboard_view: LeaderboardView | None = None
        bar = window.menuBar()
        self._file_menu(bar.addMenu("&File"))
        self._compare_menu(bar.addMenu("&Compare"))
        self._models_and_keys(bar.addMenu("&Models"), bar.addMenu("&Keys"))
        self._view_menu(bar.addMenu("&View"))
        self._action(bar.addMenu("&Help"), "Keyboard shortcuts", self.show_shortcuts, "F1")
        for keys in ("Ctrl+Shift+Return", "Ctrl+Shift+Enter"):
            QShortcut(QKeySequence(keys), window, intents.follow_up)

    def _file_menu(self, file: QMenu) -> None:
        self._action(file, "Copy comparison as Markdown", self.copy_markdown, "Ctrl+Shift+C")
        self._action(file, "Save comparison as Markdown...", self._save_shortcut, "Ctrl+S")
        self._action(file, "Save comparison as JSON...", lambda: self.save_export("json"))
        self._action(file, "Export as HTML...", lambda: self.save_export("html"))
        file.addSeparator()
        self._action(file, "Show log folder", self.show_log_folder)
        settings = self.session.settings
        self.logPromptsAction = self._switch(
            file, "Log prompts and answers", settings.set_log_prompts, settings.load().log_prompts
        )
        self._action(file, "Quit", self.intents.quit, QKeySequence.StandardKey.Quit)

    def _compare_menu(self, compare: QMenu) -> None:
        # the menu shows the shortcuts: they live on the actions, not on separate QShortcuts
        self.sendAction = self._action(compare, "Send", self.intents.send, "Ctrl+Return")
        self.sendAction.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        self.stopAllAction = self._action(compare, "Stop all", self.compare.stop_all, "Esc")
        self._action(compare, "Add pane", lambda: self.compare.add_pane(""), "Ctrl+T")
        self._action(compare, "Differences between two answers...", self.show_diff, "Ctrl+D")
        self._action(compare, "Usage and spend...", self.show_usage, "Ctrl+Shift+U")
        compare.addSeparator()
        self.blindAction = self._action(compare, "Blind comparison", self.intents.set_blind, "Ctrl+B")
        self.blindAction.setCheckable(True)
        settings = self.session.settings
        self.blindSpeedAction = self._switch(
            compare,
            "Show speed in blind mode",
            settings.set_blind_show_speed,
            settings.load().blind_show_speed,
        )
        self._action(compare, "Leaderboard...", self.show_leaderboard, "Ctrl+L")

    def _models_and_keys(self, models: QMenu, keys: QMenu) -> None:
        self._action(models, "Browse models...", self.intents.browse_models, "Ctrl+M")
        self._action(models, "Refresh the model list", self.intents.refresh_models, "F5")
        self._action(keys, "Key settings...", self.show_key_dialog, "Ctrl+K")
        self._action(keys, "Test the key in use", lambda: self.show_key_dialog().test_in_use())
        self._action(keys, "Endpoints (Ollama, LM Studio, vLLM)...", self.show_endpoints)

    def _view_menu(self, view: QMenu) -> None:
        self.templatesAction = self._action(view, "Templates", self.intents.show_templates, "Ctrl+Shift+T")
        self.historyAction = self._action(view, "History", self.intents.show_history, "Ctrl+H")
        for action in (self.templatesAction, self.historyAction):
            action.setCheckable(True)
        self._action(view, "Charts...", self.show_charts)
        view.addSeparator()
        self.gridAction = self._action(
            view, "Panes in two rows", lambda on: self.compare.set_rows(2 if on else 1), "Ctrl+G"
        )
        self.gridAction.setCheckable(True)
        view.addSeparator()
        self.themeActions: dict[str, QAction] = {}
        group = QActionGroup(self)
        for theme in THEMES:
            # triggered(bool) passes "checked" first: the theme name must not take it
            action = self._action(
                view, f"{theme.capitalize()} theme", lambda _=False, t=theme: self.intents.set_theme(t)
            )
            action.setCheckable(True)
            group.addAction(action)
            self.themeActions[theme] = action

    def theme_changed(self, theme: str) -> None:
        """Tick the theme in use."""
        self.themeActions[theme].setChecked(True)

    def _action(
        self, menu: QMenu, text: str, slot: Callable[..., object], shortcut: Shortcut = None
    ) -> QAction:
        action = QAction(text, self.window)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _switch(self, menu: QMenu, text: str, store: Callable[[bool], bool], on: bool) -> QAction:
        """A setting's tick in a menu. A setting that cannot be saved (the status bar says why) shows
        its saved state again, so the tick never claims what was not stored."""

        def toggled(checked: bool) -> None:
            if not store(checked):
                action.blockSignals(True)
                action.setChecked(not checked)
                action.blockSignals(False)

        action = self._action(menu, text, toggled)
        action.setCheckable(True)
        action.setChecked(on)
        return action

    # ----- dialogs ------------------------------------------------------------------------------

    def show_key_dialog(self, *, first_run: bool = False, locked: bool = False) -> KeyDialog:
        from playground.ui.key_dialog import KeyDialog

        dialog = KeyDialog(self.session, self.window, first_run=first_run, locked=locked)
        dialog.finished.connect(lambda _r: self.intents.start_demo() if dialog.demo_requested else None)
        dialog.open()
        self.key_dialog = dialog
        return dialog

    def show_code(self, index: int) -> None:
        """The request pane ``index`` would send, as code."""
        from playground.ui.dialogs import CodeDialog

        # what Send would send this pane: its own parameters and routing too (not the model alone);
        # attachments stay out of the snippet (megabytes of base64)
        whole, _record = self.composer.read().compare_request()
        request = replace(whole, attachments=()).chat_request(index)
        base = self.session.code_base_url()
        CodeDialog(request, base, self.window).open()

    def show_diff(self) -> None:
        from playground.ui.dialogs import DiffDialog

        # a blind run waiting for its vote is named by its labels: the diff must not reveal the models
        answers = [(p.blind or p.model, p.outputView.text) for p in self.compare.panes if p.outputView.text]
        if len(answers) < 2:
            self.message.emit("Run a comparison first: the diff needs two answers.", 6000)
            return
        self.diff_dialog = DiffDialog(answers, self.window)
        self.diff_dialog.open()

    def show_endpoints(self) -> EndpointsDialog:
        from playground.ui.endpoints_dialog import EndpointsDialog

        self.endpoints_dialog = EndpointsDialog(self.session, self.window)
        self.endpoints_dialog.open()
        return self.endpoints_dialog

    def show_charts(self) -> ChartsDialog:
        from playground.ui.charts import ChartsDialog

        self.charts_dialog = ChartsDialog(self.session, self.window)
        self.charts_dialog.open()
        return self.charts_dialog

    def show_usage(self) -> UsageDialog:
        from playground.ui.usage_dialog import UsageDialog

        self.usage_dialog = UsageDialog(self.session, self.window)
        self.usage_dialog.open()
        return self.usage_dialog

    def show_leaderboard(self) -> LeaderboardView:
        from playground.ui.blind import LeaderboardView

        self.leaderboard_view = LeaderboardView(self.session, self.window)
        self.leaderboard_view.open()
        return self.leaderboard_view

    def show_shortcuts(self) -> None:
        from playground.ui.dialogs import ShortcutsDialog

        rows = [line.split("  ", 1) for line in SHORTCUTS.splitlines()]
        self.shortcuts_dialog = ShortcutsDialog(
            # only the first letter is raised: str.capitalize() lowered "Markdown"
            [(keys, what[:1].upper() + what[1:]) for keys, what in rows],
            self.window,
        )
        self.shortcuts_dialog.open()

    def show_log_folder(self) -> None:
        folder = self.session.files.log_folder()
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
        self.message.emit(f"Logs are in {folder}", 10000)

    # ----- exports ------------------------------------------------------------------------------

    def export_text(self, kind: str) -> str | None:
        """The comparison on screen as Markdown, JSON or HTML; None (and why) when there is none."""
        from playground.core.export import to_json, to_markdown

        if self.blind.pending is not None:
            self.message.emit("Vote or reveal first: an export names the models.", 6000)
            return None
        run = self.compare.run
        if run is None:
            self.message.emit("Nothing to export yet: run a comparison first.", 6000)
            return None
        if kind == "html":
            from playground.core.report import comparison_report_html

            return comparison_report_html(run.request, run.results)
        return to_markdown(run.request, run.results) if kind == "md" else to_json(run.request, run.results)

    def copy_markdown(self) -> None:
        text = self.export_text("md")
        clipboard = QApplication.clipboard()
        if text is not None and clipboard is not None:
            clipboard.setText(text)
            self.message.emit("Comparison copied as Markdown.", 4000)

    def _save_shortcut(self) -> None:
        """Ctrl+S saves the template being edited when the focus is in the template editor."""
        if not self.intents.save_template():
            self.save_export("md")

    def save_export(self, kind: str, path: str | None = None) -> None:
        text = self.export_text(kind)
        if text is None:
            return
        if path is None:
            pattern = {"md": "Markdown (*.md)", "json": "JSON (*.json)", "html": "HTML page (*.html)"}[kind]
            path, _ = QtWidgets.QFileDialog.getSaveFileName(
                self.window, "Save comparison", f"comparison.{kind}", pattern
            )
        if not path:
            return
        try:
            self.session.files.save_text(Path(path), text)
        except PlaygroundError as exc:
            QtWidgets.QMessageBox.warning(self.window, "Could not save", str(exc))
            return
        self.message.emit(f"Saved {path}", 6000)


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
F1  list the shortcuts
Ctrl+Q  quit"""
