"""The window: the only package that imports PySide6 and qasync."""

import PySide6.QtCore  # noqa: F401  (first: the check below is replaced before the window's modules load)

from playground.ui.pyside_imports import install

install()
