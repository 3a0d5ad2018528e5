"""An unexpected failure points to the log file only when a log was written: with a log folder that
cannot be made, the message says so and how to see the details instead of naming a missing file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import cli_env

# A real `playground` process whose command fails in a way no handler expects (an injected fault).
FAULTY = """
import sys
import playground.cli as cli
async def broken(ctx, args):
    raise RuntimeError("an unexpected fault")
cli._dispatch = broken
sys.exit(cli.main(["models"]))
"""


def run_faulty(home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", FAULTY],
        capture_output=True,
        text=True,
        timeout=60,
        env=cli_env(home, **env),
        cwd=home.parent,
    )


def log_file(home: Path) -> Path:
    script = "from playground.core.paths import AppPaths; print(AppPaths.from_env().log_file)"
    shown = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        env=cli_env(home),
        check=True,
    )
    return Path(shown.stdout.strip())


def test_the_log_is_named_when_it_was_written(tmp_path: Path) -> None:
    home = tmp_path / "home"
    shown = run_faulty(home)
    assert shown.returncode == 1
    path = log_file(home)
    assert f"Details are in the log: {path}" in shown.stderr
    assert "an unexpected fault" in path.read_text("utf-8")  # the details are really there
    assert "Traceback" not in shown.stderr


def test_no_log_file_is_named_when_none_could_be_written(tmp_path: Path) -> None:
    home = tmp_path / "home"
    path = log_file(home)
    path.parent.parent.mkdir(parents=True, exist_ok=True)
    path.parent.write_text("a file where the log folder should be")
    shown = run_faulty(home)
    assert shown.returncode == 1
    assert "something went wrong (RuntimeError)" in shown.stderr
    assert "Details are in the log" not in shown.stderr and str(path) not in shown.stderr
    assert "No log could be written" in shown.stderr and "--verbose" in shown.stderr
    assert "Traceback" not in shown.stderr
