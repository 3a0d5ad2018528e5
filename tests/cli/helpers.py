"""Run the real ``playground`` command in a subprocess."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from playground.simulator import Simulator
from tests.conftest import FAKE_KEY, cli_env


def playground(
    *args: str, home: Path, input: str | None = None, timeout: float = 60, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "playground", *args],
        input=input if input is not None else "",
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        env=cli_env(home, **env),
        cwd=home.parent if home.parent.exists() else None,
    )


def sim_env(sim: Simulator) -> dict[str, str]:
    """The CLI pointed at a test simulator, with a fake key in the environment."""
    return {"OPENROUTER_BASE_URL": sim.base_url, "OPENROUTER_API_KEY": FAKE_KEY}
