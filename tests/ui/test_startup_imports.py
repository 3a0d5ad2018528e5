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
    "playground.ui.attachment_strip",  # built with the first attachment
    "playground.ui.params_dialog",  # a pane's or a template's own parameters
    "playground.ui.request_options_dialog",  # Options: schema, tools, web search...
    "playground.core.tools",  # checked in that dialog, and when a request is built
    "playground.ui.pane_extras",  # built with the first answer that has tool calls, sources, images
    "playground.ui.services.test_recorder",
)

_PROBE = """
import json, os, runpy, sys
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QMainWindow

app = QApplication(sys.argv[:1])  # the app's own start-up takes this one over (make_app)


class FirstFrame(QObject):
    # on the window's own handle, not the application: a filter there would see every object of
    # the window, and PySide6 would make a Python class for each to hand it over
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Expose:
            sys.__stderr__.write("MODULES " + json.dumps(sorted(sys.modules)) + "\\n")
            made = [n for m in ("QtCore", "QtGui", "QtWidgets") for n in vars(sys.modules["PySide6." + m])]
            sys.__stderr__.write("CLASSES " + json.dumps(sorted(made)) + "\\n")
            sys.__stderr__.flush()
            os._exit(0)
        return False


first_frame = FirstFrame()
show = QMainWindow.show


def watched_show(window):  # the app's window is its one QMainWindow
    window.winId()
    window.windowHandle().installEventFilter(first_frame)
    show(window)


QMainWindow.show = watched_show
sys.argv = ["playground"]
runpy.run_module("playground", run_name="__main__", alter_sys=True)
"""


# Qt classes the first frame does not use: PySide6 makes a class (and its Python enums, about 0.1 ms
# each) the first time a module reaches it, so these are reached where they are used.
DEFERRED_CLASSES = (
    "QMessageBox",  # a question or a warning
    "QFileDialog",  # Attach, Save
    "QInputDialog",  # which turn to edit
    "QListWidget",  # the attachment strip, built on the first attachment
    "QAbstractItemView",  # a model picker's drop-down list, sized when first shown
    "QBuffer",  # a pasted image
    "QDialogButtonBox",  # every dialog's OK and Cancel
    "QFormLayout",  # the request options dialog
    "QTextCursor",  # an answer's first text (an empty view needs none of the text classes)
    "QTextCharFormat",
    "QTextTableFormat",
    "QTextDocumentFragment",
    "QPainter",  # a figures line's first paint (empty lines are hidden)
    "QFontMetrics",
)


def first_frame(home: Path) -> dict[str, set[str]]:
    """The modules loaded and PySide6's classes made when the window first showed."""
    result = subprocess.run(
        [sys.executable, "-c", _PROBE],
        capture_output=True,
        text=True,
        timeout=120,
        env=cli_env(home, QT_QPA_PLATFORM="offscreen"),
    )
    found = {}
    for kind in ("MODULES", "CLASSES"):
        lines = [line for line in result.stderr.splitlines() if line.startswith(kind + " ")]
        assert lines, f"the window never showed: {result.returncode} {result.stdout} {result.stderr}"
        found[kind] = set(json.loads(lines[0].removeprefix(kind + " ")))
    return found


def modules_at_first_frame(home: Path) -> set[str]:
    return first_frame(home)["MODULES"]


def deferred_in(modules: set[str]) -> set[str]:
    return {m for m in modules if any(m == d or m.startswith(d + ".") for d in DEFERRED)}


def test_first_frame_of_an_empty_profile_loads_nothing_deferred(tmp_path: Path) -> None:
    found = first_frame(tmp_path)
    modules, classes = found["MODULES"], found["CLASSES"]
    assert "playground.ui.main_window" in modules  # it is the real window that was shown
    assert deferred_in(modules) == set()
    assert {"QMainWindow", "QTextBrowser", "QComboBox"} <= classes  # what the window is made of
    assert set(DEFERRED_CLASSES) & classes == set()


def test_a_full_history_is_not_opened_before_the_first_frame(tmp_path: Path) -> None:
    """With runs in history (benchmark 7), the window still draws before it opens the database."""
    (tmp_path / "data").mkdir()
    fill_history(tmp_path / "data" / "history.sqlite3", 300)
    modules = modules_at_first_frame(tmp_path)
    assert "playground.ui.main_window" in modules
    assert deferred_in(modules) == set()
