"""The composer's attachments: a prompt box that takes dropped files and pasted images, and a strip
of thumbnails.

Widgets never read files: dropped paths go out as a signal and the window loads them through the
Session; a pasted image is encoded to PNG in memory.

Signals:
    PromptEdit.filesDropped(list[str]): paths dropped on the prompt or pasted as file URLs.
    PromptEdit.imagePasted(bytes): a pasted image, as PNG bytes.
    AttachmentStrip.changed(): an attachment was added or removed.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QKeyEvent, QPixmap
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QPlainTextEdit, QStyle, QWidget

from playground.core.attachments import Attachment

THUMB = 56


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
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


class AttachmentStrip(QListWidget):
    """Thumbnails of the attachments for the next message; Delete removes the selected one."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attachmentList")
        self.setAccessibleName("Attachments")
        self.setViewMode(QListWidget.ViewMode.IconMode)
        self.setFlow(QListWidget.Flow.LeftToRight)
        self.setWrapping(False)
        self.setIconSize(QSize(THUMB, THUMB))
        self.setMovement(QListWidget.Movement.Static)
        self.setFixedHeight(THUMB + 34)
        self.setToolTip("Attachments sent with the next message - select one and press Delete to remove it")
        self.attachments: list[Attachment] = []
        self.hide()

    def set_attachments(self, attachments: list[Attachment] | tuple[Attachment, ...]) -> None:
        self.attachments = []
        self.clear()
        for attachment in attachments:
            self._add_item(attachment)
        self._changed()

    def add(self, attachment: Attachment) -> bool:
        """Add one; the same file twice is kept once. False when it was already there."""
        if any(a.hash == attachment.hash for a in self.attachments):
            return False
        self._add_item(attachment)
        self._changed()
        return True

    def _add_item(self, attachment: Attachment) -> None:
        self.attachments.append(attachment)
        item = QListWidgetItem(_icon(self, attachment), _short(attachment.name))
        item.setToolTip(attachment.describe())
        item.setData(Qt.ItemDataRole.UserRole, attachment.hash)
        self.addItem(item)

    def remove_selected(self) -> None:
        rows = sorted((self.row(i) for i in self.selectedItems()), reverse=True)
        for row in rows:
            self.takeItem(row)
            del self.attachments[row]
        if rows:
            self._changed()

    def _changed(self) -> None:
        self.setVisible(bool(self.attachments))
        self.changed.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.remove_selected()
            return
        super().keyPressEvent(event)


def _short(name: str, limit: int = 14) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _icon(widget: QWidget, attachment: Attachment) -> QIcon:
    if attachment.kind == "image":
        image = QImage.fromData(attachment.data)
        if not image.isNull():
            scaled = image.scaled(
                THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
            return QIcon(QPixmap.fromImage(scaled))
    style = widget.style()
    return style.standardIcon(QStyle.StandardPixmap.SP_FileIcon)
