"""MainWindow's menus and shortcuts, the dialogs they open, and the comparison exports.

A mixin: its methods run on the MainWindow."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QAction, QActionGroup, QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QMessageBox,
)

from playground.core.compare import CompareRequest, PaneSpec
from playground.core.errors import PlaygroundError
from playground.ui.theme import THEMES

# Dialogs and storage modules load when first used, so the window shows sooner.
if TYPE_CHECKING:
    from playground.ui.charts import ChartsDialog
    from playground.ui.endpoints_dialog import EndpointsDialog
    from playground.ui.key_dialog import KeyDialog
    from playground.ui.usage_dialog import UsageDialog

log = logging.getLogger(__name__)


class MenusMixin:
    """MainWindow's menus and shortcuts, the dialogs they open, and the exports."""

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
            file, "Log prompts and answers", self.session.settings.set_log_prompts
        )
        self.logPromptsAction.setCheckable(True)
        self.logPromptsAction.setChecked(self.session.settings.load().log_prompts)
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
            self.session.settings.set_blind_show_speed,
        )
        self.blindSpeedAction.setCheckable(True)
        self.blindSpeedAction.setChecked(self.session.settings.load().blind_show_speed)
        self._action(compare, "Leaderboard...", self.show_leaderboard, "Ctrl+L")
        self._more_menus(menu)

    def _more_menus(self, menu: Any) -> None:
        """Models, Keys, View and Help."""
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

    def show_code(self, index: int) -> None:
        from playground.ui.dialogs import CodeDialog

        pane = self.compare.panes[index]
        system = self.systemPromptEdit.toPlainText().strip() or None
        request = CompareRequest(
            self.promptEdit.toPlainText(), (PaneSpec(pane.model),), system, self.params.params()
        ).chat_request(0)
        base = self.session.code_base_url()
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

    def show_shortcuts(self) -> None:
        from playground.ui.dialogs import ShortcutsDialog

        rows = [tuple(line.split("  ", 1)) for line in SHORTCUTS.splitlines()]
        dialog = ShortcutsDialog([(keys, what.capitalize()) for keys, what in rows], self)
        dialog.open()
        self.shortcuts_dialog = dialog

    def show_log_folder(self) -> None:
        folder = self.session.files.log_folder()
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
        self.statusBar().showMessage(f"Logs are in {folder}", 10000)

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
            self.session.files.save_text(Path(path), text)
        except PlaygroundError as exc:
            QMessageBox.warning(self, "Could not save", str(exc))
            return
        self.statusBar().showMessage(f"Saved {path}", 6000)


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
