"""Template versions: list, diff, restore (the test-case matrix is in matrix_dialog)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from playground.core.errors import PlaygroundError
from playground.core.templates import PromptTemplate
from playground.ui.session import Session
from playground.ui.widgets import local_when


def template_fields(template: PromptTemplate) -> dict[str, str]:
    """What a user reads in a template, field by field, for a diff of two versions."""
    params = template.params
    return {
        "Prompt": template.prompt,
        "System prompt": template.system,
        "Description": template.description,
        "Tags": ", ".join(template.tags),
        "Models": ", ".join(template.models),
        "Parameters": ", ".join(f"{n} = {getattr(params, n)}" for n in params.set_names()),
        "Routing": "" if template.routing.empty else template.routing.describe(),
        "Test cases": ", ".join(name for name, _ in template.cases),
    }


def changes_html(old: PromptTemplate, new: PromptTemplate, *, dark: bool = False) -> str:
    """Each changed field under its name, words added and removed marked."""
    import html

    from playground.core.textdiff import field_changes, pieces_html

    changes = field_changes(template_fields(old), template_fields(new))
    if not changes:
        return "<p>No differences.</p>"
    return "".join(
        f"<h4>{html.escape(name)}</h4><div style='white-space:pre-wrap'>{pieces_html(p, dark=dark)}</div>"
        for name, p in changes
    )


class VersionsDialog(QDialog):
    """Every saved version of a template; pick two to diff, or one to restore.

    Signals:
        restored(): a version was restored.
    """

    restored = Signal()
    compareRequested = Signal(object, object)  # the older and the newer PromptTemplate

    def __init__(self, session: Session, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("versionsDialog")
        self.setWindowTitle(f"Versions of {name}")
        self.resize(760, 520)
        self.session, self.name = session, name
        # the editor's say before a restore replaces the template (it asks about unsaved edits)
        self.before_restore: Callable[[Callable[[], object]], bool] = lambda _then: True
        layout = QVBoxLayout(self)
        self.versionList = QListWidget()
        self.versionList.setObjectName("versionList")
        self.versionList.setAccessibleName("Saved versions")
        self.versionList.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.versionList.itemSelectionChanged.connect(self._show_diff)
        layout.addWidget(QLabel("Select one version to see it, two to compare them."))
        layout.addWidget(self.versionList)
        self.diffView = QTextBrowser()
        self.diffView.setObjectName("versionDiff")
        self.diffView.setAccessibleName("Version or differences")
        self.diffView.setReadOnly(True)
        layout.addWidget(self.diffView, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.restoreButton = buttons.addButton("Restore this version", QDialogButtonBox.ButtonRole.ActionRole)
        self.restoreButton.setObjectName("restoreVersionButton")
        self.restoreButton.setToolTip("Bring back this version's prompt; the template's test cases stay")
        self.restoreButton.setEnabled(False)
        self.restoreButton.clicked.connect(self.restore)
        self.compareButton = buttons.addButton(
            "Run both on all cases", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.compareButton.setObjectName("compareVersionsButton")
        self.compareButton.clicked.connect(self.compare_versions)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.versions = session.templates.versions(name)
        for number, version in zip(range(len(self.versions), 0, -1), self.versions, strict=True):
            when = local_when(version.created)
            item = QListWidgetItem(f"{number}. {version.hash}  {when}  {version.note}")
            item.setData(Qt.ItemDataRole.UserRole, str(number))  # a restore repeats a hash; numbers do not
            self.versionList.addItem(item)

    def _selected(self) -> list[str]:
        return [i.data(Qt.ItemDataRole.UserRole) for i in self.versionList.selectedItems()]

    def _show_diff(self) -> None:
        chosen = self._selected()
        self.restoreButton.setEnabled(len(chosen) == 1)  # restore one version, never "two"
        try:
            self._show(chosen)
        except PlaygroundError as exc:
            self.diffView.setPlainText(str(exc))

    def _show(self, chosen: list[str]) -> None:
        if len(chosen) == 1:
            self.diffView.setPlainText(self.session.templates.version(self.name, chosen[0]).content)
        elif len(chosen) == 2:
            old, new = (
                PromptTemplate.from_toml(self.session.templates.version(self.name, h).content)
                for h in self._ordered()
            )
            base = self.palette().color(self.palette().ColorRole.Base)
            self.diffView.setHtml(changes_html(old, new, dark=base.lightnessF() < 0.5))

    def _ordered(self) -> list[str]:
        """The selected version numbers, oldest first."""
        return sorted(self._selected(), key=int)

    def compare_versions(self) -> None:
        chosen = self._ordered()
        if len(chosen) != 2:
            self.diffView.setPlainText("Select exactly two versions to compare them on the test cases.")
            return
        old, new = (
            PromptTemplate.from_toml(self.session.templates.version(self.name, h).content) for h in chosen
        )
        self.compareRequested.emit(old, new)

    def restore(self) -> None:
        chosen = self._selected()
        if len(chosen) != 1:
            self.diffView.setPlainText("Select exactly one version to restore.")
            return
        if not self.before_restore(self.restore):
            return  # asked about unsaved edits first; the answer calls restore again
        try:
            self.session.templates.restore(self.name, chosen[0])
        except PlaygroundError as exc:
            self.diffView.setPlainText(f"Not restored: {exc}")
            return
        self.restored.emit()
        self.accept()
