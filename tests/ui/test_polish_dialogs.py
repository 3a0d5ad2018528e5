"""Small dialogs read well: a replaced word is set apart from its replacement; shortcut keys are not cut."""

from __future__ import annotations

from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QTextBrowser

from playground.ui.dialogs import DiffDialog, ShortcutsDialog


def test_a_replaced_word_reads_apart_from_its_replacement(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = DiffDialog([("a/b", "HTTP caching keeps a copy."), ("c/d", "HTTP caching stores a copy.")])
    qtbot.addWidget(dialog)
    shown = dialog.findChild(QTextBrowser).toPlainText()
    assert "keeps\u2009stores" in shown and "keepsstores" not in shown


def test_the_longest_keys_fit_their_column(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = ShortcutsDialog([("Ctrl+Enter", "Send"), ("Ctrl+Shift+Enter", "Follow up")])
    qtbot.addWidget(dialog)
    dialog.show()
    table = dialog.table
    item = table.item(1, 0)
    needed = QFontMetrics(item.font()).horizontalAdvance(item.text())
    assert table.columnWidth(0) >= needed + QFontMetrics(item.font()).horizontalAdvance("M")
