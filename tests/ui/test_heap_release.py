"""A dropped long answer gives its memory back to the system, not to the heap the next answer is
built around (benchmark 8: a pane held about a third more than its answer needed from its second run on)."""

from __future__ import annotations

import platform
from collections.abc import Callable

from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from playground.simulator.server import markdown_of_length
from playground.ui.heap_release import heap_release
from playground.ui.markdown_pages import AnswerPage
from playground.ui.markdown_view import MarkdownView

TEXT = markdown_of_length(4000)  # about 20,000 characters: a few pages


def _streamed(qtbot: QtBot) -> MarkdownView:
    view = MarkdownView()
    qtbot.addWidget(view)
    view.resize(500, 400)
    view.show()
    for i in range(0, len(TEXT), 40):
        view.append_text(TEXT[i : i + 40])
    assert view.findChildren(AnswerPage)  # the answer was streamed in pages
    return view


def _forget(alive: set[int], key: int) -> Callable[..., None]:
    return lambda *_: alive.discard(key)


def test_a_new_answer_deletes_the_last_ones_pages_then_hands_their_memory_back_once(qtbot: QtBot) -> None:
    views = [_streamed(qtbot) for _ in range(3)]
    alive: set[int] = set()
    for view in views:
        for document in view.findChildren(QTextDocument):
            if isinstance(document.parent(), AnswerPage):
                key = id(document)
                alive.add(key)
                document.destroyed.connect(_forget(alive, key))
    seen: list[int] = []  # the documents still alive at each release
    heap_release().released.connect(lambda: seen.append(len(alive)))
    with qtbot.waitSignal(heap_release().released, timeout=5000):
        for view in views:
            view.clear_text()  # a new run (or a theme switch) drops the answer
    QApplication.processEvents()
    assert seen == [0]  # one release for every pane, after every page's document was deleted
    assert not any(view.findChildren(AnswerPage) for view in views)
    assert all(len(view.findChildren(QTextDocument)) == 1 for view in views)  # the live one only


def test_where_the_c_library_is_glibc_the_release_trims_the_heap() -> None:
    if platform.libc_ver()[0] == "glibc":
        assert heap_release().trims
    else:
        assert not heap_release().trims  # nothing to call: the release is only the signal
