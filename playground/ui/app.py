"""The QApplication and its one qasync event loop, started once; the window's lifetime."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from pathlib import Path

import qasync
from PySide6.QtCore import QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from playground import APP_ID, APP_NAME, __version__
from playground.core.context import AppContext
from playground.ui.main_window import MainWindow
from playground.ui.session import Session

ICON_NAME = "prompt-playground.svg"
CLOSE_GRACE = 0.8  # seconds the streams get to close before the window goes


class AppEventLoop(qasync.QEventLoop):  # type: ignore[misc]
    """qasync's loop plus the async-generator hooks asyncio's own loops install.

    Without them, an async generator left suspended (httpx's byte streams, when an SSE stream
    is closed early) is finalised by the garbage collector outside any task, which prints
    "async generator ignored GeneratorExit" to stderr. With them, the loop closes it properly.
    """

    def _before_run_forever(self) -> None:
        super()._before_run_forever()
        self._saved_asyncgen_hooks = sys.get_asyncgen_hooks()
        sys.set_asyncgen_hooks(
            firstiter=self._asyncgen_firstiter_hook, finalizer=self._asyncgen_finalizer_hook
        )

    def _after_run_forever(self) -> None:
        saved = getattr(self, "_saved_asyncgen_hooks", None)
        if saved is not None:
            sys.set_asyncgen_hooks(*saved)
        super()._after_run_forever()


def icon_path() -> Path:
    """The app icon: ``resources/`` is installed as the ``playground.resources`` package."""
    from importlib.resources import files

    try:
        return Path(str(files("playground.resources") / "icons" / ICON_NAME))
    except ModuleNotFoundError:  # an editable install maps it to the repository's resources/
        return Path(__file__).resolve().parents[2] / "resources" / "icons" / ICON_NAME


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
    # The network thread and the window share the GIL: hand it over more often than the default
    # 5 ms so a busy stream cannot hold a frame back for long.
    sys.setswitchinterval(0.001)
    app = make_app()
    if demo:
        ctx.start_demo()
    try:
        with asyncio.Runner(loop_factory=lambda: AppEventLoop(app)) as runner:
            return runner.run(run_window(ctx))
    finally:
        # Qt still logs while it tears down, after Python's logging is gone: Qt's own handler again
        qInstallMessageHandler(None)


async def run_window(ctx: AppContext) -> int:
    """Show the window and wait until it is closed; then stop everything cleanly."""
    session = Session(ctx)
    window = MainWindow(session, session.files.window_state())
    closed = asyncio.Event()
    window.closed.connect(closed.set)
    _close_on_interrupt(window)
    window.show()
    QApplication.processEvents()  # paint the window now; the key, catalog and clients come after
    await session.start()
    window.show_warnings()
    welcome(window, session)
    await closed.wait()
    await shutdown(window, session)
    ctx.stop_demo()
    return 0


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
