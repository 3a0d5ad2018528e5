"""The strip of thumbnails for the next message's attachments, under the prompt.

Built on the first attachment (Composer.attachmentStrip): a list view and its Python enums are not
made before the window's first frame when nothing is attached.

Signals:
    AttachmentStrip.changed(): an attachment was added or removed.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QKeyEvent, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from playground.core.attachments import Attachment

THUMB = 56


class AttachmentChip(QWidget):
    """One attachment in the strip: its thumbnail, its name and a button that removes it."""

    def __init__(self, icon: QIcon, attachment: Attachment, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attachmentChip")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        thumb = QLabel()
        thumb.setPixmap(icon.pixmap(THUMB, THUMB))
        thumb.setToolTip(attachment.describe())
        names = QVBoxLayout()
        names.addWidget(QLabel(_short(attachment.name)))
        self.removeButton = QToolButton()
        self.removeButton.setText("✕")
        self.removeButton.setObjectName("removeAttachmentButton")
        self.removeButton.setAccessibleName(f"Remove {attachment.name}")
        self.removeButton.setToolTip(f"Remove {attachment.name} from the next message")
        names.addWidget(self.removeButton, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(thumb)
        layout.addLayout(names)


class AttachmentStrip(QListWidget):
    """Thumbnails of the attachments for the next message; each has a remove button (✕), and
    Delete removes the selected one."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attachmentList")
        self.setAccessibleName("Attachments")
        self.setFlow(QListWidget.Flow.LeftToRight)
        self.setWrapping(False)
        self.setMovement(QListWidget.Movement.Static)
        self.setFixedHeight(THUMB + 24)
        self.setToolTip("Attachments sent with the next message - ✕ (or Delete) removes one")
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
        item = QListWidgetItem()
        item.setToolTip(attachment.describe())
        item.setData(Qt.ItemDataRole.UserRole, attachment.hash)
        chip = AttachmentChip(_icon(self, attachment), attachment)
        chip.removeButton.clicked.connect(lambda _c=False, h=attachment.hash: self.remove(h))
        item.setSizeHint(chip.sizeHint() + QSize(4, 0))
        self.addItem(item)
        self.setItemWidget(item, chip)

    def chips(self) -> list[AttachmentChip]:
        found = [self.itemWidget(self.item(row)) for row in range(self.count())]
        return [chip for chip in found if isinstance(chip, AttachmentChip)]

    def remove(self, digest: str) -> None:
        """Remove the attachment with this content hash."""
        rows = [r for r in range(self.count()) if self.item(r).data(Qt.ItemDataRole.UserRole) == digest]
        self._remove_rows(rows)

    def remove_selected(self) -> None:
        self._remove_rows([self.row(i) for i in self.selectedItems()])

    def _remove_rows(self, rows: list[int]) -> None:
        for row in sorted(rows, reverse=True):
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
    from PySide6.QtWidgets import QStyle  # PySide6 makes its Python enums on first use

    style = widget.style()
    return style.standardIcon(QStyle.StandardPixmap.SP_FileIcon)
