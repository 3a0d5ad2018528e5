"""Measured by benchmarks 6 and 7: time from process start to the first expose of a window.

python -m tests.benchmarks.startup_child app|bare START_EPOCH
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> None:
    kind, started = sys.argv[1], float(sys.argv[2])
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    class ExposeWatch(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Expose and not getattr(self, "done", False):
                self.done = True
                print(f"{time.time() - started:.4f}", flush=True)
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
    import asyncio

    from playground.core.context import AppContext
    from playground.ui import main_window
    from playground.ui.app import AppEventLoop, make_app, run_window

    original_show = main_window.MainWindow.show

    def show(self: main_window.MainWindow) -> None:
        self.winId()
        self.windowHandle().installEventFilter(watch)
        original_show(self)

    main_window.MainWindow.show = show  # type: ignore[method-assign]
    app = make_app()
    with asyncio.Runner(loop_factory=lambda: AppEventLoop(app)) as runner:
        runner.run(run_window(AppContext.from_env()))


if __name__ == "__main__":
    main()
