"""The CLI's live terminal view, and ``playground simulate`` run by hand."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from playground.simulator import Behaviour, Simulator
from tests.conftest import FAKE_KEY, cli_env


def _read_all(fd: int, proc: subprocess.Popen[bytes], timeout: float = 30) -> bytes:
    chunks = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                data = os.read(fd, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    return b"".join(chunks)


def test_terminal_shows_live_lines_then_blocks_and_figures(sim: Simulator, home: Path) -> None:
    sim.set_default("sim/quick-mini", Behaviour(text="tick " * 60, tokens_per_second=100, ttft=0))
    main, child = pty.openpty()
    env = cli_env(home, OPENROUTER_BASE_URL=sim.base_url, OPENROUTER_API_KEY=FAKE_KEY, TERM="xterm")
    proc = subprocess.Popen(
        [sys.executable, "-m", "playground", "compare", "-m", "sim/quick-mini", "-m", "fault/402", "Hi"],
        stdout=child,
        stderr=child,
        stdin=subprocess.DEVNULL,
        env=env,
    )
    os.close(child)
    output = _read_all(main, proc).decode("utf-8", "replace")
    proc.wait(10)
    os.close(main)
    assert proc.returncode == 1
    assert "streaming" in output and "tokens" in output  # the live status lines
    assert "\x1b[" in output  # redrawn in place
    assert "=== [1] sim/quick-mini - done ===" in output and "=== [2] fault/402 - failed ===" in output
    assert "total cost:" in output


@pytest.mark.parametrize("unbuffered", [False, True])
def test_simulate_serves_until_stopped(home: Path, unbuffered: bool) -> None:
    """Stopped as soon as its address is read - unbuffered, the address used to come before the handler."""
    env = cli_env(home)
    if unbuffered:
        env["PYTHONUNBUFFERED"] = "1"
    proc = subprocess.Popen(
        [sys.executable, "-m", "playground", "simulate", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()
    assert first.startswith("Simulated OpenRouter at http://127.0.0.1:")
    url = first.split(" at ")[1].strip()
    if not unbuffered:
        with urllib.request.urlopen(url + "/models", timeout=10) as response:
            ids = [m["id"] for m in json.load(response)["data"]]
        assert "sim/quick-mini" in ids
    # unbuffered: stopped the moment the address is read - a script that only wanted to know it works
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0 and err == ""
