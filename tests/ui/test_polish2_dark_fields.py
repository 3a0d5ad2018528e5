"""Dark theme: spin and combo boxes show their edge (3:1 against the window) and keep their arrows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDoubleSpinBox,
    QSpinBox,
    QStyle,
    QStyleOptionComboBox,
    QStyleOptionSpinBox,
    QVBoxLayout,
    QWidget,
)

from playground.ui.theme import UI_RATIO, apply_theme, contrast

CC, SC = QStyle.ComplexControl, QStyle.SubControl


def spin() -> QSpinBox:
    box = QSpinBox()
    box.setRange(0, 100)
    box.setValue(50)  # both arrows enabled
    return box


def double_spin() -> QDoubleSpinBox:
    box = QDoubleSpinBox()  # the parameters panel's temperature
    box.setValue(0.7)
    return box


def combo(editable: bool) -> Callable[[], QComboBox]:
    def make() -> QComboBox:
        box = QComboBox()
        box.setEditable(editable)  # editable: the pane's model selector
        box.addItems(["sim/quick-mini", "sim/balanced-pro"])
        return box

    return make


@pytest.fixture
def dark() -> Iterator[QApplication]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app, "dark", app.palette())
    yield app  # the conftest puts the look back


def rendered(qtbot: Any, field: QWidget) -> tuple[QImage, QWidget]:
    holder = QWidget()
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(10, 10, 10, 10)
    layout.addWidget(field)
    qtbot.addWidget(holder)
    holder.resize(260, 60)
    holder.show()
    qtbot.waitExposed(holder)
    return holder.grab().toImage(), holder


def arrow_rects(field: QWidget) -> list[QRect]:
    """Where the style draws the arrow buttons, in the field's coordinates."""
    if isinstance(field, QComboBox):
        option = QStyleOptionComboBox()
        field.initStyleOption(option)
        return [field.style().subControlRect(CC.CC_ComboBox, option, SC.SC_ComboBoxArrow, field)]
    option = QStyleOptionSpinBox()
    field.initStyleOption(option)
    style = field.style()
    return [
        style.subControlRect(CC.CC_SpinBox, option, sub, field)
        for sub in (SC.SC_SpinBoxUp, SC.SC_SpinBoxDown)
    ]


@pytest.mark.parametrize(
    "make", [spin, double_spin, combo(False), combo(True)], ids=["spin", "double", "combo", "editable"]
)
def test_dark_spin_and_combo_boxes_have_a_visible_edge_and_their_arrows(
    qtbot: Any, dark: QApplication, make: Callable[[], QWidget]
) -> None:
    field = make()
    image, holder = rendered(qtbot, field)
    window = holder.palette().color(QPalette.ColorRole.Window)
    middle = field.y() + field.height() // 2
    edge = max(
        (QColor(image.pixel(x, middle)) for x in range(field.x() - 1, field.x() + 3)),
        key=lambda c: contrast(c, window),
    )
    assert contrast(edge, window) >= UI_RATIO, f"edge {edge.name()} on {window.name()}"
    for rect in arrow_rects(field):
        inner = rect.adjusted(2, 2, -2, -2).translated(field.pos())
        assert inner.width() > 2 and inner.height() > 2, "no room for the arrow"
        behind = QColor(image.pixel(inner.left(), inner.center().y()))  # the button's own background
        marks = [
            (x, y)
            for x in range(inner.left(), inner.right() + 1)
            for y in range(inner.top(), inner.bottom() + 1)
            if contrast(QColor(image.pixel(x, y)), behind) >= UI_RATIO
        ]
        assert len(marks) >= 4, "the arrow is not drawn"
