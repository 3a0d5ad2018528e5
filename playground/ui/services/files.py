"""FileService: the files the window writes or reads at the user's request - exports (text, SVG,
PNG, CSV), attachments, the log folder - and the window's own state file. Failures are
PlaygroundError with the reason, never an OSError."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from playground.core.atomic import atomic_write
from playground.core.attachments import Attachment, load_attachment
from playground.core.context import AppContext
from playground.core.errors import PlaygroundError

if TYPE_CHECKING:
    from playground.core.uistate import UiStateStore
    from playground.ui.session import Session

WINDOW_STATE = "window.json"


class FileService:
    """Writes atomically and reads within the core's bounds; says what went wrong in words."""

    def __init__(self, ctx: AppContext, session: Session) -> None:
        self._ctx = ctx
        self._session = session

    def save_text(self, path: Path, text: str) -> None:
        """An export, written atomically; raises PlaygroundError with the reason."""
        self.save_bytes(path, text)

    def save_bytes(self, path: Path, data: bytes | str) -> None:
        """An export (an image, say), written atomically; raises PlaygroundError with the reason."""
        try:
            atomic_write(path, data)
        except OSError as exc:
            raise PlaygroundError(f"Could not save {path}: {exc.strerror}.") from None

    def load_attachment(self, path: Path) -> Attachment:
        """A file to attach, read and checked; raises AttachmentError with the reason."""
        return load_attachment(path)

    def log_folder(self) -> Path:
        """The log files' folder (made if missing; when it cannot be, the status bar says why)."""
        folder = self._ctx.paths.log_dir
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self._session.notice.emit(f"Could not make the log folder {folder}: {exc.strerror}.")
        return folder

    def window_state(self) -> UiStateStore:
        """The window's layout file (panes, splitters, docks), read at start and written on close."""
        from playground.core.uistate import UiStateStore

        return UiStateStore(self._ctx.paths.config_dir / WINDOW_STATE)
