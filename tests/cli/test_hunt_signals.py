"""``templates test`` stops on SIGTERM and SIGHUP (a closed terminal, a CI job's timeout) as it does
on Ctrl+C: the cells in flight stop, the summary still prints and says the run was stopped."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from playground.simulator import Behaviour, Simulator
from tests.cli.helpers import playground, sim_env
from tests.conftest import cli_env

TEMPLATE = """schema_version = 1
name = "slow"
prompt = "Explain {{text}}"
models = ["sim/quick-mini"]
[[assert]]
type = "icontains"
value = "word"
[[cases]]
name = "one"
vars = { text = "caching" }
"""


def _until(condition: Callable[[], bool], timeout: float = 30) -> None:
    """Wait for ``condition`` (a bound on waiting, not a measure of speed)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the simulator never received the request"
        time.sleep(0.02)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT], ids=lambda s: s.name)
def test_a_stop_signal_ends_a_test_run_with_its_summary(
    sig: signal.Signals, sim: Simulator, home: Path, tmp_path: Path
) -> None:
    (tmp_path / "slow.toml").write_text(TEMPLATE)
    assert playground("templates", "import", str(tmp_path / "slow.toml"), home=home).returncode == 0
    sim.set_default("sim/quick-mini", Behaviour(text="word " * 5000, tokens_per_second=50, ttft=0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "playground", "templates", "test", "slow", "--jsonl"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(home, **sim_env(sim)),
    )
    assert proc.stdout is not None
    assert json.loads(proc.stdout.readline())["type"] == "start"
    _until(lambda: bool(sim.chat_requests()))  # the cell is streaming: the handlers are in place
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    summary = json.loads(out.splitlines()[-1])
    assert summary["type"] == "summary" and summary["stopped"] is True
    assert "Traceback" not in err
