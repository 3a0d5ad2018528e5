"""Measured by benchmarks 6 and 7: time from process start to the first expose of a window.

python -m tests.benchmarks.startup_child app|bare START_EPOCH [--stages]

``--stages`` (app only) also prints, to stderr, when each stage of the start-up ended (ms since
START_EPOCH): PySide6 imported, the core's context, the window's modules, the window built. The app
starts the way ``playground`` does (``run_app``): the window is shown before the event loop exists.
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

STAGES: list[tuple[str, float]] = []


def stage(name: str) -> None:
    STAGES.append((name, time.time()))


def main() -> None:
    kind, started = sys.argv[1], float(sys.argv[2])
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    stage("pyside6")

    class ExposeWatch(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Expose and not getattr(self, "done", False):
                self.done = True
                print(f"{time.time() - started:.4f}", flush=True)
                if "--stages" in sys.argv:
                    stage("exposed")
                    print(" ".join(f"{n}={(t - started) * 1000:.0f}" for n, t in STAGES), file=sys.stderr)
                QTimer.singleShot(0, lambda: os._exit(0))
            return False

    watch = ExposeWatch()
    if kind == "bare":
        app = QApplication(sys.argv[:1])
        window = QMainWindow()
        window.windowHandle() or window.winId()
        window.windowHandle().installEventFilter(watch)
        window.show()
        app.exec()
        return
    import playground.ui  # noqa: F401 - as the app's own start-up does first (ui/__init__.py)
    from playground.core.context import AppContext

    stage("core.context")
    from playground.ui import app as app_module

    window_parts = app_module._window_parts

    def parts() -> tuple[type, type]:
        found = window_parts()
        stage("window_modules")
        return found

    def show(window: QMainWindow) -> None:
        stage("window_built")
        window.winId()
        window.windowHandle().installEventFilter(watch)
        QMainWindow_show(window)

    QMainWindow_show = QMainWindow.show
    app_module._window_parts = parts  # type: ignore[assignment]
    QMainWindow.show = show  # type: ignore[method-assign]  # the app's window is its one QMainWindow
    app_module.run_app(AppContext.from_env())  # the app's own start-up: the window first, then the loop


if __name__ == "__main__":
    main()
