"""Small widget helpers shared by the window's dialogs and panels."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QPushButton, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from playground.ui.theme import Colours, readable

DETAILS_ROLE = Qt.ItemDataRole.UserRole + 1  # "$0.15 / $0.60 per M · 128k" beside a model id
FREE_ROLE = Qt.ItemDataRole.UserRole + 2


def named_button(text: str, name: str) -> QPushButton:
    """A push button with an object name (for tests and tools) and a matching accessible name."""
    button = QPushButton(text)
    button.setObjectName(name)
    button.setAccessibleName(text)
    return button


class ModelItemDelegate(QStyledItemDelegate):
    """A model picker row: the id on the left; its price and context, and a free badge, on the right."""

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().paint(painter, option, index)
        details = index.data(DETAILS_ROLE)
        if not details:
            return
        colours = Colours.of(option.palette)  # type: ignore[attr-defined]
        selected = bool(option.state & QStyle.StateFlag.State_Selected)  # type: ignore[attr-defined]
        rect: QRect = option.rect.adjusted(0, 0, -8, 0)  # type: ignore[attr-defined]
        painter.save()
        free = bool(index.data(FREE_ROLE))
        fg, _bg = colours.badges["fastest"] if free else (colours.secondary, None)
        if selected:
            fg = option.palette.highlightedText().color()  # type: ignore[attr-defined]
        painter.setPen(readable(fg, colours.base) if not selected else fg)
        painter.drawText(rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, details)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        size = super().sizeHint(option, index)
        details = index.data(DETAILS_ROLE)
        if details:
            width = option.fontMetrics.horizontalAdvance(f"    {details}  ")  # type: ignore[attr-defined]
            size.setWidth(size.width() + width)
        return size
