"""TemplateService: the template library - files in the templates folder, with their versions in
history. Every call raises PlaygroundError (TemplateError, TemplateConflict) with the reason."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from playground.core.context import AppContext

if TYPE_CHECKING:
    from playground.core.history import TemplateVersion
    from playground.core.library import TemplateLibrary
    from playground.core.templates import PromptTemplate, TemplateEntry
    from playground.ui.session import Session


class TemplateService:
    """Read, save, delete, undo and restore templates; ``templatesChanged`` after each change."""

    def __init__(self, ctx: AppContext, session: Session) -> None:
        self._ctx = ctx
        self._session = session

    @property
    def _library(self) -> TemplateLibrary:
        return self._ctx.library()

    # ----- reading ----------------------------------------------------------------------------

    def entries(self) -> list[TemplateEntry]:
        """Every file in the folder: its template, or why it cannot be read."""
        return self._ctx.templates.entries()

    def get(self, name: str) -> PromptTemplate:
        return self._ctx.templates.get(name)

    def entry(self, name: str) -> TemplateEntry | None:
        """The file of the template ``name`` as it is on disk now (None: there is none)."""
        return self._ctx.templates.entry(name)

    def file_name(self, name: str) -> str:
        """The file a template was read from (for messages), whatever it is called."""
        from playground.core.evaluation.suite import template_file

        return template_file(self._ctx.templates, name)

    def watch_paths(self) -> list[str]:
        """The templates folder and its files, for a file watcher."""
        folder = self._ctx.templates.folder
        return [str(folder), *(str(p) for p in folder.glob("*.toml"))] if folder.is_dir() else []

    # ----- versions ---------------------------------------------------------------------------

    def current_version(self, template: PromptTemplate) -> TemplateVersion:
        """The version matching the template as it is on disk (recorded now if edited outside)."""
        return self._library.current_version(template)

    def versions(self, name: str) -> list[TemplateVersion]:
        return self._library.history.versions(name)

    def version(self, name: str, ref: str) -> TemplateVersion:
        """A version by hash prefix, or by number counting from 1 = oldest."""
        return self._library.version(name, ref)

    # ----- changes ----------------------------------------------------------------------------

    def save(
        self, template: PromptTemplate, *, replacing: str | None, note: str = "", expected: str | None = None
    ) -> TemplateVersion:
        version = self._library.save(template, replacing=replacing, note=note, expected=expected)
        self._session.templatesChanged.emit()
        return version

    def delete(self, name: str) -> Path:
        """Move the template's file to the trash; returns where, for ``undo_delete``."""
        trashed = self._ctx.templates.delete(name)
        self._session.templatesChanged.emit()
        return trashed

    def undo_delete(self, trashed: Path) -> None:
        self._ctx.templates.undo_delete(trashed)
        self._session.templatesChanged.emit()

    def restore(self, name: str, ref: str) -> None:
        self._library.restore(name, ref)
        self._session.templatesChanged.emit()
