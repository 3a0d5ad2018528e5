"""The window's first frame is drawn before the heavy parts load (benchmarks 6 and 7).

A real ``playground`` process opens the real window; at the first expose of its window the probe
reads ``sys.modules`` and exits. Which modules were loaded - not a timing. What is listed here loads
once the window is on screen (the history, the evaluation code, the network client, dialogs, docks).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.benchmarks.data import fill_history
from tests.conftest import cli_env

# What the first frame must not wait for; each is imported where it is first used.
DEFERRED = (
    # the event loop: the window is shown before it exists (ui/app.py), so asyncio, qasync and what
    # they pull in (ssl, subprocesses) load right after the first frame
    "asyncio",
    "qasync",
    "ssl",
    "subprocess",
    "ctypes",
    "playground.ui.event_loop",
    "playground.ui.backend",
    "playground.ui.services.history_writer",  # made with the first write
    "concurrent.futures",
    "importlib.resources",  # the icons are found on disk (ui/theme.py: icon_file)
    "hashlib",  # OpenSSL's hashes: an attachment's hash, a thread's link key
    "mimetypes",
    "httpx",
    "httpcore",
    "sqlite3",
    "jsonschema",
    "regex",
    "pygments",
    "tomllib",
    "tomli_w",
    "playground.core.history",
    "playground.core.catalog",  # read from its cache once the window is shown
    "playground.core.evaluation",
    "playground.core.templates",
    "playground.core.library",
    "playground.core.leaderboard",
    "playground.core.account",
    "playground.core.openrouter",
    "playground.ui.history_view",
    "playground.ui.template_panel",
    "playground.ui.matrix_dialog",
    "playground.ui.charts",
    "playground.ui.model_browser",
    "playground.ui.key_dialog",
    "playground.ui.usage_dialog",
    "playground.ui.blind",
    "playground.ui.pane_extras",  # built with the first answer that has tool calls, sources, images
    "playground.ui.services.test_recorder",
)

_PROBE = """
import json, os, runpy, sys
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QWindow
from PySide6.QtWidgets import QApplication

app = QApplication(sys.argv[:1])  # the app's own start-up takes this one over (make_app)


class FirstFrame(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Expose and isinstance(obj, QWindow):
            sys.__stderr__.write("MODULES " + json.dumps(sorted(sys.modules)) + "\\n")
            sys.__stderr__.flush()
            os._exit(0)
        return False


first_frame = FirstFrame()
app.installEventFilter(first_frame)
sys.argv = ["playground"]
runpy.run_module("playground", run_name="__main__", alter_sys=True)
"""


def modules_at_first_frame(home: Path) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE],
        capture_output=True,
        text=True,
        timeout=120,
        env=cli_env(home, QT_QPA_PLATFORM="offscreen"),
    )
    lines = [line for line in result.stderr.splitlines() if line.startswith("MODULES ")]
    assert lines, f"the window never showed: {result.returncode} {result.stdout} {result.stderr}"
    return set(json.loads(lines[0].removeprefix("MODULES ")))


def deferred_in(modules: set[str]) -> set[str]:
    return {m for m in modules if any(m == d or m.startswith(d + ".") for d in DEFERRED)}


def test_first_frame_of_an_empty_profile_loads_nothing_deferred(tmp_path: Path) -> None:
    modules = modules_at_first_frame(tmp_path)
    assert "playground.ui.main_window" in modules  # it is the real window that was shown
    assert deferred_in(modules) == set()


def test_a_full_history_is_not_opened_before_the_first_frame(tmp_path: Path) -> None:
    """With runs in history (benchmark 7), the window still draws before it opens the database."""
    (tmp_path / "data").mkdir()
    fill_history(tmp_path / "data" / "history.sqlite3", 300)
    modules = modules_at_first_frame(tmp_path)
    assert "playground.ui.main_window" in modules
    assert deferred_in(modules) == set()
