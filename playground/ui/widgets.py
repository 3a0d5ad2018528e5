"""Small widget helpers shared by the window's dialogs and panels."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QStyledItemDelegate, QWidget

from playground.ui.theme import Colours, readable

# Classes the window's first frame does not use are imported where they are used: PySide6 makes a
# class's Python enums the first time the class is reached (about 0.1 ms each).
if TYPE_CHECKING:
    from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize
    from PySide6.QtGui import QPainter
    from PySide6.QtWidgets import QStyleOptionViewItem

POPUP_WIDTH = 360  # a model list wide enough for the price and context beside each id


class ModelBox(QComboBox):
    """A pane's model picker. Its drop-down list gets its width when first shown: reaching the list
    view while the pane is built made the view classes' Python enums before the first frame."""

    def showPopup(self) -> None:
        view = self.view()
        if view.minimumWidth() < POPUP_WIDTH:
            view.setMinimumWidth(POPUP_WIDTH)
        super().showPopup()


DETAILS_ROLE = Qt.ItemDataRole.UserRole + 1  # "$0.15 / $0.60 per M · 128k" beside a model id
FREE_ROLE = Qt.ItemDataRole.UserRole + 2


def date_format() -> str:
    """The locale's short date format, four-digit year (a "since" filter reads like the table)."""
    from PySide6.QtCore import QLocale

    if QLocale().language() == QLocale.Language.C:  # no locale set (LANG=C): ISO, not "30 11 2026"
        return "yyyy-MM-dd"
    text = QLocale().dateFormat(QLocale.FormatType.ShortFormat)
    return text if "yyyy" in text else text.replace("yy", "yyyy")


def local_when(timestamp: float) -> str:
    """A moment, as the table and dialogs show it: the locale's short date and its hours and minutes."""
    from PySide6.QtCore import QDateTime, QLocale

    moment = QDateTime.fromSecsSinceEpoch(int(timestamp))
    time_format = QLocale().timeFormat(QLocale.FormatType.ShortFormat)
    return QLocale().toString(moment, f"{date_format()} {time_format}")


def local_day(day: str) -> str:
    """An ISO day from the database ("2026-11-30") in the locale's format; anything else as it came."""
    from PySide6.QtCore import QDate, QLocale

    parsed = QDate.fromString(day, Qt.DateFormat.ISODate)
    return QLocale().toString(parsed, date_format()) if parsed.isValid() else day


def empty_state(name: str) -> QLabel:
    """A centred, wrapped sentence shown where a list is empty, saying what to do; its links act."""
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setTextFormat(Qt.TextFormat.RichText)  # constant texts only, for the action's link
    flags = Qt.TextInteractionFlag
    label.setTextInteractionFlags(flags.LinksAccessibleByKeyboard | flags.LinksAccessibleByMouse)
    label.setContentsMargins(12, 16, 12, 16)
    label.hide()
    return label


def show_empty(view: QWidget, label: QLabel, text: str) -> None:
    """The view when it has rows (``text`` empty); otherwise the sentence saying why and what to do."""
    label.setText(text)
    label.setVisible(bool(text))
    view.setHidden(bool(text))


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
        from PySide6.QtWidgets import QStyle

        super().paint(painter, option, index)
        details = index.data(DETAILS_ROLE)
        if not details:
            return
        colours = Colours.of(option.palette)  # type: ignore[attr-defined,unused-ignore]
        selected = bool(option.state & QStyle.StateFlag.State_Selected)  # type: ignore[attr-defined,unused-ignore]
        rect: QRect = option.rect.adjusted(0, 0, -8, 0)  # type: ignore[attr-defined,unused-ignore]
        painter.save()
        free = bool(index.data(FREE_ROLE))
        fg, _bg = colours.badges["fastest"] if free else (colours.secondary, None)
        if selected:
            fg = option.palette.highlightedText().color()  # type: ignore[attr-defined,unused-ignore]
        painter.setPen(readable(fg, colours.base) if not selected else fg)
        painter.drawText(rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, details)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        size = super().sizeHint(option, index)
        details = index.data(DETAILS_ROLE)
        if details:
            width = option.fontMetrics.horizontalAdvance(f"    {details}  ")  # type: ignore[attr-defined,unused-ignore]
            size.setWidth(size.width() + width)
        return size
