"""The composer's prompt box: it takes dropped files and pasted images (the strip of thumbnails is
attachment_strip.py, built on the first attachment).

Widgets never read files: dropped paths go out as a signal and the window loads them through the
Session; a pasted image is encoded to PNG in memory.

Signals:
    PromptEdit.filesDropped(list[str]): paths dropped on the prompt or pasted as file URLs.
    PromptEdit.imagePasted(bytes): a pasted image, as PNG bytes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QMimeData, Signal
from PySide6.QtWidgets import QPlainTextEdit

if TYPE_CHECKING:
    from PySide6.QtGui import QImage


class PromptEdit(QPlainTextEdit):
    """The prompt box. Files dropped or pasted become attachments; text stays text."""

    filesDropped = Signal(list)
    imagePasted = Signal(bytes)

    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        return source.hasImage() or _local_files(source) != [] or super().canInsertFromMimeData(source)

    def insertFromMimeData(self, source: QMimeData) -> None:
        files = _local_files(source)
        if files:
            self.filesDropped.emit(files)
            return
        if source.hasImage():
            from PySide6.QtGui import QImage  # PySide6 makes a class's Python enums when it is first used

            image = QImage(source.imageData())
            if not image.isNull():
                self.imagePasted.emit(png_bytes(image))
                return
        super().insertFromMimeData(source)


def _local_files(source: QMimeData) -> list[str]:
    if not source.hasUrls():
        return []
    return [url.toLocalFile() for url in source.urls() if url.isLocalFile()]


def png_bytes(image: QImage) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice  # on first paste, not at start-up

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stub wants bytes; Qt takes str
    buffer.close()
    return bytes(data.data())
