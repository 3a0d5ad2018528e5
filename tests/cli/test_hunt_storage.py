"""A PLAYGROUND_HOME that cannot be read or made (here: below a regular file, so every open fails
with "Not a directory" - as an unreadable or unmounted folder would): the commands still run, say
what could not be read, call nothing "damaged", and never print a log record or a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from playground.simulator import Simulator
from tests.cli.helpers import sim_env
from tests.conftest import cli_env


def playground(*args: str, home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "playground", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=cli_env(home, **env),
        cwd=home.parent.parent,
    )


def test_an_unusable_home_is_named_never_called_damaged(sim: Simulator, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    home = blocker / "home"
    for args in (("compare", "-m", "sim/quick-mini", "hi"), ("models", "--refresh"), ("endpoint", "list")):
        shown = playground(*args, home=home, **sim_env(sim))
        assert shown.returncode == 0, shown.stderr
        assert "Traceback" not in shown.stderr and "something went wrong" not in shown.stderr
        assert "damaged" not in shown.stderr and "set aside" not in shown.stderr
        log_records = [line for line in shown.stderr.splitlines() if line.startswith("Could not read")]
        assert log_records == [] and "unexpected error" not in shown.stderr  # the log's, not for the user
    compared = playground("compare", "-m", "sim/quick-mini", "hi", home=home, **sim_env(sim))
    assert "warning: Could not read the endpoints (Not a directory); none are used." in compared.stderr
    assert "warning: history unavailable (Not a directory): this run is not saved" in compared.stderr
