"""The template panel's file actions: what a broken template file says (with its path, its error and
ways to open it), and exporting one template or all of them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from playground.core.errors import PlaygroundError
from playground.ui.widgets import named_button

if TYPE_CHECKING:
    from playground.core.templates import PromptTemplate
    from playground.ui.session import Session


class BrokenFileBox(QFrame):
    """Shown when a broken template file is picked in the list: where it is and what is wrong."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("brokenTemplateBox")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.path = Path()
        layout = QVBoxLayout(self)
        self.message = QLabel()
        self.message.setObjectName("brokenTemplateMessage")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)  # a file name is not markup
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message)
        row = QHBoxLayout()
        self.openButton = named_button("Open file", "openTemplateFileButton")
        self.folderButton = named_button("Show templates folder", "showTemplatesFolderButton")
        self.openButton.clicked.connect(lambda: self._open(self.path))
        self.folderButton.clicked.connect(lambda: self._open(self.path.parent))
        row.addWidget(self.openButton)
        row.addWidget(self.folderButton)
        row.addStretch(1)
        layout.addLayout(row)
        self.hide()

    def show_file(self, path: Path, error: str) -> None:
        self.path = path
        self.message.setText(
            f"⚠ This template file cannot be read:\n{path}\n{error}\n"
            "Fix it in a text editor: the app leaves it exactly as it is."
        )
        self.show()

    @staticmethod
    def _open(path: Path) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def export_template(session: Session, template: PromptTemplate, parent: QWidget, path: str = "") -> str:
    """Write one template as a TOML file; the status line's words."""
    from playground.core.templates import slug

    if not path:
        suggested = f"{slug(template.name)}.toml"
        path, _ = QFileDialog.getSaveFileName(parent, "Export template", suggested, "TOML (*.toml)")
    if not path:
        return ""
    try:
        session.files.save_text(Path(path), template.to_toml())
    except PlaygroundError as exc:
        return str(exc)
    return f"Exported '{template.name}' to {path}."


def export_all(session: Session, parent: QWidget, folder: str = "") -> str:
    """Every readable template into a folder, one TOML file each (as `templates export` does)."""
    from playground.core.templates import slug

    if not folder:
        folder = QFileDialog.getExistingDirectory(parent, "Export all templates to a folder")
    if not folder:
        return ""
    templates = [e.template for e in session.templates.entries() if e.template is not None]
    try:
        for template in templates:
            session.files.save_text(Path(folder) / f"{slug(template.name)}.toml", template.to_toml())
    except PlaygroundError as exc:
        return str(exc)
    return f"Exported {len(templates)} template(s) to {folder}."
