"""The real app process: ``playground --demo`` starts, and closes cleanly and at once on request."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from playground.core.paths import AppPaths
from tests.conftest import cli_env


def test_demo_window_starts_and_exits_cleanly_on_sigterm(home: Path) -> None:
    env = cli_env(home, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.Popen(
        [sys.executable, "-m", "playground", "--demo"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    state = home / "config" / "window.json"
    _wait_for(lambda: any((home / "cache").glob("models*.json")))  # the window fetched the demo models
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=20)  # only so a hang fails the test instead of stalling it
    assert proc.returncode == 0, err
    assert err == "" and out == ""
    assert state.exists(), "the window state is saved on the way out"
    log = AppPaths.from_env({"PLAYGROUND_HOME": str(home)}).log_file.read_text()
    # fast: nothing on the way out waited for its time limit (the network thread, the streams)
    assert "did not finish in time" not in log and "ERROR" not in log


def _wait_for(check: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 20  # start-up on a busy machine; the test waits for the event
    while not check():
        assert time.monotonic() < deadline, "the window did not fetch the models"
        time.sleep(0.05)
