"""Small widget helpers shared by the window's dialogs and panels."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton


def named_button(text: str, name: str) -> QPushButton:
    """A push button with an object name (for tests and tools) and a matching accessible name."""
    button = QPushButton(text)
    button.setObjectName(name)
    button.setAccessibleName(text)
    return button
