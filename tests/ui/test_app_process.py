"""The real app process: ``playground --demo`` starts, and closes cleanly and fast on request."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

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
    deadline = time.monotonic() + 20
    state = home / "config" / "window.json"
    while time.monotonic() < deadline and not (home / "cache").exists():
        time.sleep(0.1)  # the catalog cache appears once the window has fetched the demo models
    time.sleep(0.5)
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=10)
    assert time.monotonic() - started < 2.0
    assert proc.returncode == 0, err
    assert err == "" and out == ""
    assert state.exists(), "the window state is saved on the way out"
