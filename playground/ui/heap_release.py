"""Give the memory of a dropped long answer back to the system, once its documents are deleted.

A streamed 50,000-token answer leaves its pages' documents, layouts and the many short-lived pieces
of the re-rendered tail spread all over the C heap. When the answer is dropped (a new run, a theme
switch), glibc keeps the freed pages inside the heap between live blocks, and the next answer is
built around them: each pane then holds about a third more than its answer needs (benchmark 8: one
pane of 50,000 tokens 124 MB after its first run, 169 MB after every later one; 124 MB again when the
freed pages are handed back before the next answer is built). ``malloc_trim`` hands them back; it
runs once per turn of the event loop, after the deferred deletions of that turn, however many panes
dropped answers. Where the C library has no ``malloc_trim`` (not glibc) nothing happens. Made with
the first answer's first text, it also keeps glibc from moving large blocks into the heap (see
``_fix_mmap_threshold``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

if TYPE_CHECKING:
    import ctypes

M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter
MMAP_THRESHOLD = 128 * 1024  # glibc's starting value, kept: blocks this large are mapped on their own
WHILE_DRAWING_MS = 250  # how often a release put off by a run asks again


def _libc() -> ctypes.CDLL | None:
    """The process's own symbols, the C library's among them (no search: find_library would run
    ldconfig)."""
    import ctypes  # with the first answer, not before the window's first frame

    try:
        return ctypes.CDLL(None)
    except (OSError, TypeError):  # TypeError: Windows has no handle for "this process"
        return None


def _find_trim() -> Callable[[int], int] | None:
    libc = _libc()
    trim = getattr(libc, "malloc_trim", None)
    if trim is None:
        return None
    import ctypes

    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim  # type: ignore[no-any-return]


def _fix_mmap_threshold() -> bool:
    """Keep glibc's threshold for mapping a block on its own where it starts.

    glibc raises the threshold to the size of every mapped block that is freed (up to 32 MB), so
    after an answer's large buffers (its joined text, a document's arrays) are freed once, the next
    answer's come from the heap and leave holes there when freed: benchmark 8 grew in steps of about
    12 MB every few runs. Set explicitly, the threshold stays put: a large block is mapped and goes
    back to the system as soon as it is freed (8 panes x 50,000 tokens: flat over 10 runs)."""
    mallopt = getattr(_libc(), "mallopt", None)
    if mallopt is None:
        return False
    import ctypes

    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))


class HeapRelease(QObject):
    """Hands freed heap back to the system once the objects dropped in this turn are deleted.

    Signals:
        released(): the freed heap was handed back (or would have been, without glibc)."""

    released = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._trim = _find_trim()
        self.fixed_threshold = _fix_mmap_threshold()  # for the answers to come
        self._due = False

    @property
    def trims(self) -> bool:
        """Whether a release hands memory back (glibc's ``malloc_trim`` was found)."""
        return self._trim is not None

    def after_deletion(self, dropped: QObject) -> None:
        """``dropped`` was given to deleteLater: release once it (and the rest of this turn's) are gone."""
        dropped.destroyed.connect(self._schedule)

    def _schedule(self) -> None:
        # destroyed() comes before the object's children (a page's document) are deleted: the
        # release waits for the next turn, by which all deletions posted with it are done
        if not self._due:
            self._due = True
            QTimer.singleShot(0, self._release)

    def _release(self) -> None:
        from playground.ui.net import frame_clock  # (loaded with the window already)

        if frame_clock().drawing:
            # malloc_trim walks the whole heap: 33-44 ms once eight long answers were shown, a pause
            # of the window at the start of the next run. It waits until nothing streams or draws.
            QTimer.singleShot(WHILE_DRAWING_MS, self._release)
            return
        self._due = False
        if self._trim is not None:
            self._trim(0)
        self.released.emit()


_instance: HeapRelease | None = None


def heap_release() -> HeapRelease:
    """The application's one HeapRelease (made on first use, on the GUI thread)."""
    global _instance
    if _instance is None:
        _instance = HeapRelease()
    return _instance
