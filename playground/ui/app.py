"""The QApplication and its one qasync event loop, started once; the window's lifetime.

The window is built and shown before the event loop exists: asyncio and qasync (about 20 ms of
imports) load right after its first frame, and with the loop everything that needs it (the key,
the catalog, the network thread). Nothing the window does before its loop runs uses asyncio.
The window's modules are imported in ``open_window``, with Python's cycle collector paused until the
first frame is painted (see ``_collector_paused``).
"""

from __future__ import annotations

import gc
import logging
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from playground import APP_ID, APP_NAME, __version__
from playground.core.context import AppContext

ICON_NAME = "prompt-playground.svg"
CLOSE_GRACE = 0.8  # seconds the streams get to close before the window goes
# The network thread and the window's thread share the GIL. Every call from Qt into Python (a paint,
# a resize, a signal to a slot of ours) takes the GIL back, and a thread that wants it waits up to
# this long for a thread that streams at full speed to hand it over: at Python's default 5 ms (and
# at 1 ms) a frame's few dozen such calls added up to 30-90 ms of lag (benchmark 3); at 0.2 ms
# the lag's p99 is 12-15 ms, for about 3% more time to stream (benchmark 2).
SWITCH_INTERVAL = 0.0002

if TYPE_CHECKING:
    from playground.ui.event_loop import AppEventLoop  # noqa: F401 - what __getattr__ gives
    from playground.ui.main_window import MainWindow
    from playground.ui.session import Session


def __getattr__(name: str) -> Any:
    """``AppEventLoop`` is still found here (scripts and tests use it); it loads asyncio and qasync,
    so only when asked for."""
    if name == "AppEventLoop":
        from playground.ui.event_loop import AppEventLoop

        return AppEventLoop
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def icon_path() -> Path:
    """The app icon."""
    from playground.ui.theme import icon_file

    return icon_file(ICON_NAME)


def _route_qt_messages() -> None:
    """Qt's own warnings go to the log file, not the user's terminal."""
    qt_log = logging.getLogger("qt")
    levels = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
        QtMsgType.QtCriticalMsg: logging.ERROR,
        QtMsgType.QtFatalMsg: logging.CRITICAL,
    }

    def handler(kind: QtMsgType, _context: object, message: str) -> None:
        qt_log.log(levels.get(kind, logging.WARNING), "%s", message)

    qInstallMessageHandler(handler)


def make_app() -> QApplication:
    _route_qt_messages()
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(QIcon(str(icon_path())))
    app.setQuitOnLastWindowClosed(False)  # the coroutine below ends the loop, after cleanup
    return app


def run_app(ctx: AppContext, *, demo: bool = False) -> int:
    try:
        with _collector_paused():
            app = make_app()
            if demo:
                ctx.start_demo()
            opened = open_window(ctx)
        import asyncio  # after the first frame: the loop and what needs it load while the user looks

        from playground.ui.event_loop import AppEventLoop

        with asyncio.Runner(loop_factory=lambda: AppEventLoop(app)) as runner:
            return runner.run(run_window(ctx, opened))
    finally:
        # Qt still logs while it tears down, after Python's logging is gone: Qt's own handler again
        qInstallMessageHandler(None)


class OpenedWindow:
    """The window shown before the event loop exists; it remembers a close that came that early
    (Ctrl+C in the terminal while the window was being drawn)."""

    def __init__(self, session: Session, window: MainWindow) -> None:
        self.session = session
        self.window = window
        self.closed = False
        window.closed.connect(self._closed)

    def _closed(self) -> None:
        self.closed = True


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector waits while the window's modules load and the window is built: what
    start-up makes lives as long as the window, and the 70-odd collections it would trigger (about
    7 ms of walking objects that are all alive) come before the first frame otherwise."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _window_parts() -> tuple[type[Session], type[MainWindow]]:
    """The window's modules (most of the start-up's imports), loaded when the window is opened."""
    from playground.ui.main_window import MainWindow
    from playground.ui.session import Session

    return Session, MainWindow


def open_window(ctx: AppContext) -> OpenedWindow:
    """Build the window and paint its first frame; needs no event loop (no asyncio)."""
    session_class, window_class = _window_parts()
    session = session_class(ctx)
    window = window_class(session, session.files.window_state())
    opened = OpenedWindow(session, window)
    _close_on_interrupt(window)
    window.show()
    QApplication.processEvents()  # paint the window now; the key, catalog and clients come after
    return opened


async def run_window(ctx: AppContext, opened: OpenedWindow | None = None) -> int:
    """Show the window (unless ``opened`` already did) and wait until it is closed; then stop
    everything cleanly."""
    import asyncio

    opened = opened or open_window(ctx)
    session, window = opened.session, opened.window
    closed = asyncio.Event()
    window.closed.connect(closed.set)
    if opened.closed:
        closed.set()
    previous_interval = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    await session.start()
    window.show_warnings()
    welcome(window, session)
    _freeze_start_up()
    await closed.wait()
    gc.unfreeze()
    sys.setswitchinterval(previous_interval)
    await shutdown(window, session)
    ctx.stop_demo()
    return 0


def _freeze_start_up() -> None:
    """What start-up made (modules, the window's widgets and wrappers, the catalog) lives as long as
    the window: collect its garbage once, then keep it out of the cycle collector's way. A full
    collection during a run - on either thread, holding the GIL - otherwise walks some 60,000 objects
    that can never be garbage, a 35-55 ms pause of the window and the streams."""
    gc.collect()
    gc.freeze()


def welcome(window: MainWindow, session: Session) -> None:
    """At start, without a key: a locked keyring is said as such to a returning user (Unlock, or a key
    for this session only); only a first run - no saved keys - gets the Welcome dialog."""
    if session.keys.active is not None or session.demo:
        return
    if session.keys.key_state == "locked":
        window.show_key_dialog(locked=True)
    elif session.keys.key_state == "none" and not session.keys.names():
        window.show_key_dialog(first_run=True)


async def shutdown(window: MainWindow, session: Session) -> None:
    import asyncio

    run = window.compare.run
    if run is not None:
        run.cancel_all()
        try:
            await asyncio.wait_for(run.wait(), CLOSE_GRACE)
        except TimeoutError:
            pass  # the connections are cancelled; exiting closes what is left
    await session.close()
    window.deleteLater()


def _close_on_interrupt(window: MainWindow) -> None:
    """Ctrl+C in the terminal closes the window the normal way (state saved, streams closed)."""
    if sys.platform == "win32":
        return
    signal.signal(signal.SIGINT, lambda *_: window.close())
    signal.signal(signal.SIGTERM, lambda *_: window.close())
    timer = QTimer(window)  # lets Python run its signal handlers while Qt waits for events
    timer.timeout.connect(lambda: None)
    timer.start(200)
