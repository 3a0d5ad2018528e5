"""Guard against PySide6 builds that drop a reference to None on every void call (6.12.0 on
Python < 3.12): the interpreter dies with "none_dealloc" after a few thousand calls."""

from __future__ import annotations

import sys

from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication, QLabel, QPlainTextEdit


def test_void_methods_keep_none_alive(qapp: QApplication) -> None:
    label = QLabel()
    edit = QPlainTextEdit()
    cursor = QTextCursor(edit.document())
    for _ in range(50):  # warm up caches so they do not count
        label.setText("x")
    before = sys.getrefcount(None)
    for i in range(1000):
        label.setText(str(i))
        edit.insertPlainText("a")
        cursor.insertText("b")
    after = sys.getrefcount(None)
    assert after >= before - 10, f"None lost {before - after} references over 3000 void calls"
