"""Qt's debug logging on (QT_LOGGING_RULES, QT_DEBUG_PLUGINS) must not crash the app on its way out:
Qt still logs while it tears down, after Python's handler for its messages is gone."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import cli_env


def test_qt_debug_logging_does_not_crash_the_exit(home: Path) -> None:
    env = cli_env(home, QT_QPA_PLATFORM="offscreen", QT_LOGGING_RULES="*.debug=true")
    log = home.parent / "stderr.txt"  # megabytes of Qt debug lines: a file, never a pipe that fills up
    with log.open("w") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "playground", "--demo"], stdout=subprocess.DEVNULL, stderr=stderr, env=env
        )
        try:
            for _ in range(600):  # the model cache is written once the window has the demo's catalog
                if list(home.glob("cache/models-*.json")) or proc.poll() is not None:
                    break
                time.sleep(0.1)
            assert list(home.glob("cache/models-*.json")), "the window did not start"
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    err = log.read_text(errors="replace")
    assert proc.returncode == 0, err[-2000:]
    assert "Traceback" not in err
