"""How an answer reads: code blocks framed with their language, a Copy link and colours chosen by the
fence's language; Markdown tables with a shaded header row; Raw in a monospace font."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QFontInfo, QGuiApplication, QTextTable
from PySide6.QtWidgets import QApplication

from playground.ui.markdown_view import MarkdownView


def _tables(view: MarkdownView) -> list[QTextTable]:
    return [f for f in view.document().rootFrame().childFrames() if isinstance(f, QTextTable)]


def _colours(view: MarkdownView, table: QTextTable) -> dict[str, str]:
    """Each word of the code cell -> the colour it is drawn in."""
    out: dict[str, str] = {}
    cell = table.cellAt(1, 0)
    block = cell.firstCursorPosition().block()
    while block.isValid() and block.position() <= cell.lastPosition():
        iterator = block.begin()
        while not iterator.atEnd():
            fragment = iterator.fragment()
            for word in fragment.text().split():
                out[word] = fragment.charFormat().foreground().color().name()
            iterator += 1
        block = block.next()
    return out


def test_code_blocks_are_framed_labelled_copyable_and_coloured_by_language(qapp: QApplication) -> None:
    view = MarkdownView()
    view.append_text("Two blocks:\n\n```python\ndef f():\n    return 'x'\n```\n\n```text\ndef f():\n```\n")
    python, text = _tables(view)
    assert python.cellAt(0, 0).firstCursorPosition().block().text() == "python    Copy"
    assert text.cellAt(0, 0).firstCursorPosition().block().text() == "text    Copy"
    assert python.format().border() >= 1 and python.format().background().color().isValid()
    coloured = _colours(view, python)
    assert coloured["def"] != coloured["f"] and coloured["'x'"] != coloured["f"]  # keyword, name, string
    plain = _colours(view, text)
    assert plain["def"] == plain["f():"]  # a "text" fence is not highlighted as code
    view.anchorClicked.emit(QUrl("copy:1"))
    clipboard = QGuiApplication.clipboard()
    assert clipboard is not None and clipboard.text() == "def f():"
    view.anchorClicked.emit(QUrl("copy:0"))
    assert clipboard.text() == "def f():\n    return 'x'"


def test_table_headers_are_shaded_and_raw_is_monospace(qapp: QApplication) -> None:
    view = MarkdownView()
    view.append_text("| name | value |\n|---|---|\n| a | 1 |\n\nAfter.")
    (table,) = _tables(view)
    header = table.cellAt(0, 0).format().background()
    body = table.cellAt(1, 0).format().background()
    base = view.palette().base().color()
    assert header.color() != base and header.style().value and not body.style().value
    view.set_raw(True)
    assert QFontInfo(view.document().defaultFont()).fixedPitch()
    assert view.toPlainText().startswith("| name | value |")
    view.set_raw(False)
    assert not QFontInfo(view.document().defaultFont()).fixedPitch()


def test_a_pane_follows_its_stream_until_the_reader_scrolls_up(qapp: QApplication, qtbot) -> None:
    view = MarkdownView()
    qtbot.addWidget(view)
    view.resize(300, 200)
    view.show()
    bar = view.verticalScrollBar()
    for n in range(40):
        view.append_text(f"Paragraph {n} of a long answer that keeps arriving.\n\n")
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum())
    bar.setValue(0)  # the reader goes back to the top
    for n in range(40, 60):
        view.append_text(f"Paragraph {n} arrives while they read.\n\n")
    qtbot.waitUntil(lambda: bar.maximum() > 0 and "Paragraph 59" in view.toPlainText())
    assert bar.value() == 0 and not view.following
    bar.setValue(bar.maximum())  # back at the bottom: following again
    view.append_text("The last paragraph.\n\n")
    qtbot.waitUntil(lambda: bar.value() == bar.maximum())
    assert view.following
