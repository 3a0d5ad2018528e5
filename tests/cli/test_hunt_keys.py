"""``key test`` with a base URL that is refused: the refusal is shown, the URL's password never."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from playground.simulator import Simulator
from tests.cli.helpers import playground
from tests.conftest import FAKE_KEY, cli_env


def test_a_refused_base_url_is_not_echoed_with_its_password(sim: Simulator, home: Path) -> None:
    url = sim.base_url.replace("http://", "http://me:hunter2-secret@")
    shown = playground("key", "test", home=home, OPENROUTER_BASE_URL=url, OPENROUTER_API_KEY=FAKE_KEY)
    assert shown.returncode == 2
    assert "contains a user name or password" in shown.stderr
    assert "hunter2-secret" not in shown.stdout + shown.stderr


def _with_stdin(home: Path, stdin: Path, *args: str) -> subprocess.CompletedProcess[str]:
    with stdin.open("rb") as source:
        return subprocess.run(
            [sys.executable, "-m", "playground", *args],
            stdin=source,
            capture_output=True,
            text=True,
            timeout=60,
            env=cli_env(home),
        )


def test_a_key_piped_from_an_endless_source_is_refused(home: Path) -> None:
    for args in (
        ("key", "set", "--name", "work"),
        ("endpoint", "add", "lan", "http://127.0.0.1:9/v1", "--key"),
    ):
        shown = _with_stdin(home, Path("/dev/zero"), *args)
        assert shown.returncode == 2, shown.stderr
        assert "The key on stdin is longer than 16,384 characters: that is not a key." in shown.stderr
    assert not (home / "config" / "endpoints.json").exists()
