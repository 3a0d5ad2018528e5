"""TemplatePanel: find, edit, version and use prompt templates; a form for their variables.

Signals:
    useRequested(object, dict): a template and its variable values, to fill the compare window.
    matrixRequested(object): a template whose test cases should all run.
    versionsCompareRequested(object, object): two versions of a template to run on its cases.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QFileSystemWatcher, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from playground.core.errors import PlaygroundError
from playground.core.request import ChatParams
from playground.core.templates import TemplateConflict
from playground.ui.session import Session
from playground.ui.template_conflict import SaveGuard
from playground.ui.template_files import BrokenFileBox, export_all, export_template
from playground.ui.template_words import NO_MATCH, NO_TEMPLATES, _haystack, _split
from playground.ui.widgets import empty_state, named_button, show_empty

if TYPE_CHECKING:
    from playground.core.templates import PromptTemplate


class TemplatePanel(QDockWidget):
    """A dock beside the compare view."""

    useRequested = Signal(object, dict)
    matrixRequested = Signal(object)
    versionsCompareRequested = Signal(object, object)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__("Templates", parent)
        self.setObjectName("templatePanel")
        self.setAccessibleName("Templates")
        self.session = session
        self.current: PromptTemplate | None = None  # as saved on disk
        self.digest: str | None = None  # the file's bytes when loaded or saved, to spot outside edits
        self.trashed: Path | None = None
        self._loading = False
        self.dirty = False
        self.params = ChatParams()
        self.guard = SaveGuard(self)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addLayout(self._list_area())
        self.brokenBox = BrokenFileBox()
        layout.addWidget(self.brokenBox)
        layout.addLayout(self._editor())
        self.statusLabel = QLabel()
        self.statusLabel.setObjectName("templateStatus")
        self.statusLabel.setTextFormat(Qt.TextFormat.PlainText)  # names and errors come from files
        self.statusLabel.setWordWrap(True)
        layout.addWidget(self.statusLabel)
        self.setWidget(body)
        session.templatesChanged.connect(self.refresh)
        self.watcher = QFileSystemWatcher(self)  # edits made outside the app show up at once
        self.watcher.directoryChanged.connect(lambda _p: self._outside_change())
        self.watcher.fileChanged.connect(lambda _p: self._outside_change())
        self.refresh()

    # ----- layout ---------------------------------------------------------------------------

    def _list_area(self) -> QVBoxLayout:
        area = QVBoxLayout()
        self.searchEdit = QLineEdit()
        self.searchEdit.setPlaceholderText("Search name, description, tags")
        self.searchEdit.setAccessibleName("Search templates")
        self.searchEdit.textChanged.connect(self.refresh)
        self.templateList = QListWidget()
        self.templateList.setObjectName("templateList")
        self.templateList.setAccessibleName("Templates")
        self.templateList.setMaximumHeight(160)
        self.templateList.currentItemChanged.connect(self._selected)
        row = QHBoxLayout()
        self.newButton = named_button("New", "newTemplateButton")
        self.duplicateButton = named_button("Duplicate", "duplicateTemplateButton")
        self.deleteButton = named_button("Delete", "deleteTemplateButton")
        self.undoButton = named_button("Undo delete", "undoDeleteButton")
        self.undoButton.hide()
        self.exportButton = named_button("Export...", "exportTemplateButton")
        menu = QMenu(self.exportButton)
        self.exportOneAction = menu.addAction("This template as a TOML file...", lambda: self.export())
        self.exportAllAction = menu.addAction("All templates to a folder...", lambda: self.export_all())
        self.exportButton.setMenu(menu)
        for button in (self.newButton, self.duplicateButton, self.deleteButton, self.undoButton):
            row.addWidget(button)
        row.addWidget(self.exportButton)
        self.newButton.clicked.connect(self.new_template)
        self.duplicateButton.clicked.connect(self.duplicate)
        self.deleteButton.clicked.connect(self.delete)
        self.undoButton.clicked.connect(self.undo_delete)
        area.addWidget(self.searchEdit)
        area.addWidget(self.templateList)
        self.emptyLabel = empty_state("templatesEmpty")
        self.emptyLabel.linkActivated.connect(lambda _link: self._new_from_link())
        area.addWidget(self.emptyLabel)
        area.addLayout(row)
        return area

    def _editor(self) -> QVBoxLayout:
        area = QVBoxLayout()
        form = QFormLayout()
        self.nameEdit = QLineEdit()
        self.descriptionEdit = QLineEdit()
        self.tagsEdit = QLineEdit()
        self.tagsEdit.setPlaceholderText("comma separated")
        self.modelsEdit = QLineEdit()
        self.modelsEdit.setPlaceholderText("default models, comma separated")
        self.systemEdit = QPlainTextEdit()
        self.systemEdit.setMaximumHeight(60)
        self.promptEdit = QPlainTextEdit()
        self.promptEdit.setPlaceholderText("Use {{variable}} or {{variable|default}}; \\{{ for a literal {{")
        for label, widget in (
            ("Name", self.nameEdit),
            ("Description", self.descriptionEdit),
            ("Tags", self.tagsEdit),
            ("Models", self.modelsEdit),
            ("System", self.systemEdit),
            ("Prompt", self.promptEdit),
        ):
            widget.setAccessibleName(f"Template {label.lower()}")
            form.addRow(label, widget)
        edits = (self.nameEdit, self.descriptionEdit, self.tagsEdit, self.modelsEdit)
        for edit in (*edits, self.systemEdit, self.promptEdit):
            edit.textChanged.connect(self._edited)
        area.addLayout(form)
        self.varsForm = QFormLayout()
        self.varEdits: dict[str, QLineEdit] = {}
        area.addWidget(QLabel("Variables"))
        area.addLayout(self.varsForm)
        self._cases_and_actions(area)
        return area

    def _cases_and_actions(self, area: QVBoxLayout) -> None:
        case_row = QHBoxLayout()
        self.caseBox = QComboBox()
        self.caseBox.setAccessibleName("Test case")
        self.caseBox.setPlaceholderText("(own values)")  # shown when the form matches no saved case
        self.caseBox.activated.connect(self._load_case)
        self.paramsButton = named_button("Parameters...", "templateParamsButton")
        self.paramsButton.clicked.connect(self.edit_params)
        case_row.addWidget(self.paramsButton)
        self.saveCaseButton = named_button("Save as case...", "saveCaseButton")
        self.saveCaseButton.clicked.connect(self.save_case)
        case_row.addWidget(self.caseBox, 1)
        case_row.addWidget(self.saveCaseButton)
        area.addLayout(case_row)
        self.noteEdit = QLineEdit()
        self.noteEdit.setObjectName("versionNoteEdit")
        self.noteEdit.setAccessibleName("Version note")
        self.noteEdit.setPlaceholderText("Version note (optional), saved with the next Save")
        self.noteEdit.returnPressed.connect(lambda: self.save(self.noteEdit.text().strip()))
        area.addWidget(self.noteEdit)
        row = QHBoxLayout()
        self.saveButton = named_button("Save", "saveTemplateButton")
        self.versionsButton = named_button("Versions...", "versionsButton")
        self.useButton = named_button("Use", "useTemplateButton")
        self.matrixButton = named_button("Run all cases...", "runAllCasesButton")
        for button in (self.saveButton, self.versionsButton, self.useButton, self.matrixButton):
            row.addWidget(button)
        self.saveButton.clicked.connect(lambda: self.save(self.noteEdit.text().strip()))
        self.versionsButton.clicked.connect(self.show_versions)
        self.useButton.clicked.connect(self.use)
        self.matrixButton.clicked.connect(self._matrix)
        area.addLayout(row)

    # ----- list -------------------------------------------------------------------------------

    def _watch(self) -> None:
        paths = self.session.templates.watch_paths()
        stale = set(self.watcher.directories() + self.watcher.files()) - set(paths)
        if stale:
            self.watcher.removePaths(list(stale))
        fresh = [p for p in paths if p not in self.watcher.directories() + self.watcher.files()]
        if fresh:
            self.watcher.addPaths(fresh)

    def _outside_change(self) -> None:
        self.refresh()
        self.guard.outside_change()

    def refresh(self) -> None:
        self._watch()
        query = self.searchEdit.text().lower().split()
        selected = self.current.name if self.current else None
        broken_shown = self.brokenBox.path if self.brokenBox.isVisible() else None
        self.templateList.blockSignals(True)
        self.templateList.clear()
        for entry in self.session.templates.entries():
            if query and not all(word in _haystack(entry) for word in query):
                continue
            item = QListWidgetItem(entry.name if entry.template else f"⚠ {entry.path.name} (broken)")
            item.setData(Qt.ItemDataRole.UserRole, entry.name if entry.template else None)
            if entry.template is None:  # picked, it shows its path and error (nothing is loaded)
                item.setToolTip(f"{entry.path}\n{entry.error or ''}")
                item.setData(BROKEN_ROLE, (entry.path, entry.error or ""))
            self.templateList.addItem(item)
            if entry.template is None and entry.path == broken_shown:
                self.templateList.setCurrentItem(item)  # still the broken file the user is reading
                self.brokenBox.show_file(entry.path, entry.error or "")
                broken_shown = None
            elif entry.template is not None and entry.name == selected and self.brokenBox.isHidden():
                self.templateList.setCurrentItem(item)
        empty = "" if self.templateList.count() else NO_MATCH if query else NO_TEMPLATES
        show_empty(self.templateList, self.emptyLabel, empty)
        if broken_shown is not None:  # it was fixed or removed
            self.brokenBox.hide()
            self._show_current_in_list()
        self.templateList.blockSignals(False)

    def _selected(self, item: QListWidgetItem | None) -> None:
        broken = item.data(BROKEN_ROLE) if item else None
        self.brokenBox.setVisible(bool(broken))
        if broken:
            self.brokenBox.show_file(*broken)
            return
        name = item.data(Qt.ItemDataRole.UserRole) if item else None
        if not name or (self.current is not None and name == self.current.name):
            return
        if self.guard.ask_unsaved(lambda: self.open_template(name)):
            self.open_template(name)
        else:
            self._show_current_in_list()  # until the user has answered

    def open_template(self, name: str) -> None:
        try:
            self.load(self.session.templates.get(name))
        except PlaygroundError as exc:
            self.statusLabel.setText(str(exc))
        self._show_current_in_list()

    def _show_current_in_list(self) -> None:
        self.templateList.blockSignals(True)
        self.templateList.setCurrentRow(-1)
        for row in range(self.templateList.count()):
            item = self.templateList.item(row)
            if self.current is not None and item.data(Qt.ItemDataRole.UserRole) == self.current.name:
                self.templateList.setCurrentItem(item)
        self.templateList.blockSignals(False)

    def load(self, template: PromptTemplate, digest: str | None = None) -> None:
        """Show ``template`` as saved; ``digest`` is its file's (read from disk when not given)."""
        if digest is None:
            entry = self.session.templates.entry(template.name)
            digest = entry.digest if entry is not None else None
        self.digest = digest
        self.brokenBox.hide()
        self._loading = True
        self.current = template
        self.nameEdit.setText(template.name)
        self.descriptionEdit.setText(template.description)
        self.tagsEdit.setText(", ".join(template.tags))
        self.modelsEdit.setText(", ".join(template.models))
        self.systemEdit.setPlainText(template.system)
        self.promptEdit.setPlainText(template.prompt)
        self.params = template.params
        self._loading = False
        self._rebuild_form()
        self.caseBox.clear()
        self.caseBox.addItems([name for name, _ in template.cases])
        self._sync_case()
        self._mark(False)

    # ----- editing ----------------------------------------------------------------------------

    def edit_params(self) -> None:
        """The template's default parameters (what Use puts in the compare window)."""
        from playground.ui.params_dialog import ParamsDialog

        dialog = ParamsDialog(self.params, self)
        dialog.setWindowTitle("Default parameters of this template")
        dialog.accepted.connect(lambda: self._set_params(dialog.panel.params()))
        dialog.open()
        self.params_dialog = dialog

    def _set_params(self, params: ChatParams) -> None:
        self.params = params
        self._edited()

    def edited_template(self) -> PromptTemplate:
        from playground.core.templates import PromptTemplate

        base = self.current or PromptTemplate(name="", prompt="")
        return replace(
            base,
            name=self.nameEdit.text().strip(),
            description=self.descriptionEdit.text().strip(),
            tags=_split(self.tagsEdit.text()),
            models=_split(self.modelsEdit.text()),
            system=self.systemEdit.toPlainText(),
            prompt=self.promptEdit.toPlainText(),
            params=self.params,
        )

    def _edited(self) -> None:
        if self._loading:
            return
        self._rebuild_form()
        from playground.core.templates import PromptTemplate

        saved = self.current or PromptTemplate(name="", prompt="")  # a new, still empty one is not dirty
        self._mark(self.edited_template() != saved)

    def discard_edits(self) -> None:
        """Forget the unsaved edits: the editor shows the template as saved (or nothing)."""
        if self.current is not None:
            self.load(self.current, self.digest)
        else:
            self._mark(False)

    def _mark(self, dirty: bool) -> None:
        self.dirty = dirty
        self.setWindowTitle("Templates *" if dirty else "Templates")
        self.saveButton.setText("Save *" if dirty else "Save")

    def _rebuild_form(self) -> None:
        values = self.values()
        while self.varsForm.rowCount():
            self.varsForm.removeRow(0)
        self.varEdits = {}
        for variable in self.edited_template().variables():
            edit = QLineEdit(values.get(variable.name, ""))
            edit.setObjectName(f"var_{variable.name}")
            edit.setAccessibleName(f"Variable {variable.name}")
            edit.setPlaceholderText(variable.default or "required")
            edit.textChanged.connect(self._sync_case)
            self.varEdits[variable.name] = edit
            self.varsForm.addRow(variable.name, edit)

    def values(self) -> dict[str, str]:
        return {name: edit.text() for name, edit in getattr(self, "varEdits", {}).items() if edit.text()}

    def _sync_case(self) -> None:
        """The case selector names the saved case the form's values are, or none."""
        cases = self.current.cases if self.current is not None else ()
        values = self.values()
        match = next((i for i, (_n, v) in enumerate(cases) if dict(v) == values), -1)
        if self.caseBox.currentIndex() != match:
            self.caseBox.setCurrentIndex(match)

    def _load_case(self, index: int) -> None:
        if self.current is None or index < 0:
            return
        values = self.current.case(self.caseBox.itemText(index))
        for name, edit in self.varEdits.items():
            edit.setText(values.get(name, ""))

    def _new_from_link(self) -> None:
        self.new_template()
        self.nameEdit.setFocus()  # the empty state's "New": ready to type the name

    def new_template(self) -> None:
        if not self.guard.ask_unsaved(self.new_template):
            return
        self.current, self.digest = None, None
        self._show_current_in_list()  # so the template shown before can be picked again
        self._loading = True
        for line in (self.nameEdit, self.descriptionEdit, self.tagsEdit, self.modelsEdit):
            line.clear()
        self.systemEdit.clear()
        self.promptEdit.setPlainText("")
        self.params = ChatParams()
        self._loading = False
        self.caseBox.clear()
        self._rebuild_form()
        self._mark(False)  # nothing to lose until something is typed
        self.nameEdit.setFocus()

    def save(self, note: str = "", *, over: str | None = None) -> bool:
        """Write the editor's template; a file edited on disk is a conflict unless ``over`` is its digest."""
        template = self.edited_template()
        expected = over if over is not None else (self.digest if self.current else None)
        try:
            version = self.session.templates.save(
                template, replacing=self.current.name if self.current else None, note=note, expected=expected
            )
        except TemplateConflict as exc:
            self.guard.ask_conflict(exc, note)
            return False
        except PlaygroundError as exc:
            self.statusLabel.setText(f"Not saved: {exc}")
            return False
        self.current = template
        entry = self.session.templates.entry(template.name)
        self.digest = entry.digest if entry is not None else None
        self._mark(False)
        self.noteEdit.clear()
        self.statusLabel.setText(f"Saved '{template.name}' (version {version.hash}).")
        self.refresh()
        return True

    def save_case(self) -> None:
        if self.current is None:
            self.statusLabel.setText("Save the template first.")
            return
        name, ok = QInputDialog.getText(self, "Save test case", "Name for these variable values:")
        if ok and name.strip():
            cases = [c for c in self.current.cases if c[0] != name.strip()] + [(name.strip(), self.values())]
            self.current = replace(self.current, cases=tuple(cases))
            if self.save(note=f"case '{name.strip()}'"):
                self.load(self.current)

    def duplicate(self) -> None:
        if self.current is None or not self.guard.ask_unsaved(self.duplicate):
            return
        self.current = replace(self.current, name=f"{self.current.name} copy")
        copy = self.current
        self.current = None
        self.load(copy)
        self.current = None
        self.save()

    def delete(self) -> None:
        if self.current is None:
            return
        try:
            self.trashed = self.session.templates.delete(self.current.name)
        except PlaygroundError as exc:
            self.statusLabel.setText(str(exc))
            return
        self.statusLabel.setText(f"Deleted '{self.current.name}'.")
        self.undoButton.show()
        self.current = None
        self._mark(False)  # the template is in the trash (Undo delete): nothing to ask about
        self.new_template()
        self._mark(False)

    def undo_delete(self) -> None:
        if self.trashed is None:
            return
        try:
            self.session.templates.undo_delete(self.trashed)
        except PlaygroundError as exc:
            self.statusLabel.setText(str(exc))
            return
        self.statusLabel.setText("Restored.")
        self.trashed = None
        self.undoButton.hide()

    def export(self, path: str = "") -> None:
        """The template as it is on disk, as a TOML file somewhere else."""
        if self.current is None:
            self.statusLabel.setText("Pick or save a template to export it.")
            return
        self.statusLabel.setText(export_template(self.session, self.current, self, path))

    def export_all(self, folder: str = "") -> None:
        self.statusLabel.setText(export_all(self.session, self, folder))

    def use(self) -> None:
        template = self.edited_template()
        missing = template.missing(self.values())
        if missing:
            self.statusLabel.setText(f"Fill in: {', '.join(missing)}.")
            return
        self.useRequested.emit(template, self.values())

    def _matrix(self) -> None:
        if self.current is None or not self.current.cases:
            self.statusLabel.setText("Save at least one test case first (Save as case...).")
            return
        if self.dirty and not self.save():
            return
        self.matrixRequested.emit(self.current)

    def show_versions(self) -> None:
        if self.current is None:
            return
        from playground.ui.template_dialogs import VersionsDialog

        dialog = VersionsDialog(self.session, self.current.name, self)
        dialog.before_restore = self.guard.ask_unsaved
        dialog.restored.connect(lambda: self.load(self.session.templates.get(dialog.name)))
        dialog.compareRequested.connect(self.versionsCompareRequested)
        dialog.open()
        self.versions_dialog = dialog


BROKEN_ROLE = Qt.ItemDataRole.UserRole + 1  # (path, error) of a file that cannot be read
