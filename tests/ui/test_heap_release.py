"""A dropped long answer gives its memory back to the system, not to the heap the next answer is
built around (benchmark 8: a pane held about a third more than its answer needed from its second run on)."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from collections.abc import Callable

import pytest
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


_LARGE_BLOCKS = """
import ctypes, sys
from PySide6.QtCore import QCoreApplication
from playground.ui.heap_release import heap_release
def rss():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) // 1024
app = QCoreApplication([])
if sys.argv[1] == "view":
    heap_release()  # what the first MarkdownView does
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
answer = b"x" * (16 << 20)
del answer  # a large block freed: glibc would now keep blocks up to 16 MB in the heap
base = rss()
blocks, pinned = [], []
for _ in range(100):  # the next answer's large blocks, small ones between them as in a busy heap
    blocks.append(b"y" * (1 << 20))
    pinned.append(libc.malloc(4096))
del blocks
print(rss() - base)
"""


@pytest.mark.skipif(
    platform.libc_ver()[0] != "glibc",
    reason="the mmap threshold is glibc's (mallopt); other C libraries have no such setting and the app leaves them alone",
)
def test_large_blocks_freed_after_an_answer_go_back_to_the_system_at_once() -> None:
    def kept_mb(mode: str) -> int:
        result = subprocess.run(
            [sys.executable, "-c", _LARGE_BLOCKS, mode],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        )
        return int(result.stdout.strip().splitlines()[-1])

    assert kept_mb("bare") >= 90  # glibc's own rule: the 100 MB stay in the heap
    assert kept_mb("view") <= 10  # with the answer views' set-up: given back as they are freed
    assert heap_release().fixed_threshold


def test_the_release_waits_until_nothing_streams_or_draws(qtbot: QtBot) -> None:
    """malloc_trim walks the whole heap (33-44 ms after eight long answers): dropped at the start of a
    new run, the answers' heap is handed back once the run is drawn, not in the middle of its frames."""
    from PySide6.QtCore import QObject

    from playground.ui.net import frame_clock

    view = _streamed(qtbot)
    owner = QObject()
    frames: list[int] = []
    streaming = [True]

    def render() -> bool:
        frames.append(1)
        return streaming[0]

    releases: list[int] = []
    heap_release().released.connect(lambda: releases.append(len(frames)))
    frame_clock().add_view(owner, render)  # a run drawing its frames
    view.clear_text()  # its panes dropped their last answers
    qtbot.waitUntil(lambda: len(frames) >= 40, timeout=20_000)  # the release has had turns to run
    assert releases == []  # not while the run draws
    streaming[0] = False  # the run's last frame
    with qtbot.waitSignal(heap_release().released, timeout=10_000):
        pass
    assert releases and releases[0] >= 40
