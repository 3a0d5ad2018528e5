"""SIGTERM and SIGHUP (a closed terminal, a CI timeout) keep the partial answers, as Ctrl+C does."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from playground.simulator import Behaviour, Simulator
from tests.cli.helpers import playground, sim_env
from tests.conftest import cli_env


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT], ids=lambda s: s.name)
def test_a_stop_signal_keeps_what_arrived(sig: signal.Signals, sim: Simulator, home: Path) -> None:
    sim.set_default("sim/quick-mini", Behaviour(text="word " * 2000, tokens_per_second=100, ttft=0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "playground", "compare", "--jsonl", "-m", "sim/quick-mini", "Hi"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(home, **sim_env(sim)),
    )
    assert proc.stdout is not None
    assert json.loads(proc.stdout.readline())["type"] == "start"
    for _ in range(3):  # some text has arrived
        assert json.loads(proc.stdout.readline())["type"] == "delta"
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 1, err
    last = json.loads(out.splitlines()[-1])
    assert last["type"] == "error" and last["kind"] == "stopped"
    assert err == ""
    shown = playground("history", "show", "1", home=home)
    assert "=== sim/quick-mini (stopped" in shown.stdout and "word word word" in shown.stdout
