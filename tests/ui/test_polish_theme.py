"""Text fields show their edge in both themes: 3:1 against the window (WCAG 1.4.11 non-text contrast)."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget

from playground.ui.theme import UI_RATIO, apply_theme, contrast


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_a_text_field_edge_is_visible(qtbot, theme: str) -> None:  # type: ignore[no-untyped-def]
    app = QApplication.instance()
    apply_theme(app, theme, app.palette())
    holder = QWidget()
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(10, 10, 10, 10)
    field = QLineEdit("default")  # the key dialog's Name field: in dark it had no visible edge
    layout.addWidget(field)
    qtbot.addWidget(holder)
    holder.resize(300, 60)
    holder.show()
    qtbot.waitExposed(holder)
    image = holder.grab().toImage()
    window = holder.palette().color(QPalette.ColorRole.Window)
    middle = field.y() + field.height() // 2
    edge = max(
        (QColor(image.pixel(x, middle)) for x in range(field.x() - 1, field.x() + 3)),
        key=lambda c: contrast(c, window),
    )
    assert contrast(edge, window) >= UI_RATIO
