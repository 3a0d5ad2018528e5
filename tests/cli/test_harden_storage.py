"""History on locked, read-only and full storage: never set aside while healthy, the comparison still runs.

Only a damaged database is moved aside. A locked, read-only or full one gives "history unavailable
(...): this run is not saved", the answers are shown as usual, and the file is left as it was.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from playground.core.history import RunHistory
from playground.simulator import Behaviour, Simulator
from tests.cli.helpers import playground, sim_env
from tests.conftest import cli_env
from tests.storage_faults import file_size_limit, fill, make_read_only, small_disk


def _compare(sim: Simulator, home: Path) -> subprocess.CompletedProcess[str]:
    return playground("compare", "-m", "sim/quick-mini", "Hi", home=home, **sim_env(sim))


def _runs(home: Path) -> int:
    history = RunHistory(home / "data" / "history.sqlite3")
    try:
        return history.count()
    finally:
        history.close()


def _set_aside(home: Path) -> list[Path]:
    return list((home / "data").glob("history.sqlite3.corrupt-*"))


def _assert_ran_but_not_saved(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stderr
    assert "=== [1] sim/quick-mini - done ===" in result.stdout and "total cost:" in result.stdout
    assert "warning: history unavailable (" in result.stderr and "this run is not saved" in result.stderr
    assert "damaged" not in result.stderr and "went wrong" not in result.stderr


def test_a_locked_history_is_not_set_aside_and_the_comparison_runs(sim: Simulator, home: Path) -> None:
    assert _compare(sim, home).returncode == 0
    holder = sqlite3.connect(home / "data" / "history.sqlite3", isolation_level=None)
    try:  # another process holding the database: no one else may even read it
        holder.execute("PRAGMA locking_mode=EXCLUSIVE")
        holder.execute("BEGIN EXCLUSIVE")
        holder.execute("UPDATE runs SET prompt = prompt")
        result = _compare(sim, home)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    _assert_ran_but_not_saved(result)
    assert "database is locked" in result.stderr
    assert _set_aside(home) == [] and _runs(home) == 1  # the same file, with its run


def test_an_answer_that_cannot_be_saved_keeps_its_outcome(sim: Simulator, home: Path) -> None:
    sim.set_default("sim/quick-mini", Behaviour(text="tick " * 40, ttft=0, tokens_per_second=40))
    proc = subprocess.Popen(
        [sys.executable, "-m", "playground", "compare", "--jsonl", "-m", "sim/quick-mini", "Hi"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(home, **sim_env(sim)),
    )
    assert proc.stdout is not None
    assert json.loads(proc.stdout.readline())["type"] == "start"  # the run and its pane are recorded
    holder = sqlite3.connect(home / "data" / "history.sqlite3", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # a writer that does not let go while the answer ends
    try:
        out, err = proc.communicate(timeout=60)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert proc.returncode == 0, err
    assert json.loads(out.splitlines()[-1])["type"] == "done"
    assert "history unavailable (database is locked): an answer of this run is not saved" in err
    assert _set_aside(home) == []


@pytest.fixture
def data_disk(home: Path) -> Iterator[bool]:
    with small_disk(home / "data", "1m") as mounted:
        yield mounted
        for item in [home / "data", *(home / "data").glob("*")]:  # without a mount: undo the modes
            if not mounted and item.exists():
                item.chmod(0o755 if item.is_dir() else 0o644)


def test_a_read_only_history_is_not_set_aside(sim: Simulator, home: Path, data_disk: bool) -> None:
    if not data_disk and os.geteuid() == 0:
        pytest.skip("root ignores file modes and cannot mount here: no way to make a folder read-only")
    assert _compare(sim, home).returncode == 0
    make_read_only(home / "data", data_disk)
    result = _compare(sim, home)
    _assert_ran_but_not_saved(result)
    listed = playground("history", "list", home=home)
    assert "Traceback" not in listed.stderr and "went wrong" not in listed.stderr
    assert _set_aside(home) == [] and (home / "data" / "history.sqlite3").exists()


def test_a_full_disk_does_not_set_history_aside(sim: Simulator, home: Path, data_disk: bool) -> None:
    if data_disk:
        assert _compare(sim, home).returncode == 0
        fill(home / "data")
        result = _compare(sim, home)
        (home / "data" / "filler").unlink()
        assert _runs(home) == 1
    else:  # no mount allowed: writes past 64 KB fail in the child as on a full disk
        result = subprocess.run(
            [sys.executable, "-m", "playground", "compare", "-m", "sim/quick-mini", "Hi"],
            capture_output=True,
            text=True,
            timeout=60,
            env=cli_env(home, **sim_env(sim)),
            preexec_fn=file_size_limit(64 * 1024),
        )
    _assert_ran_but_not_saved(result)
    assert _set_aside(home) == []


def test_a_killed_run_shows_its_unfinished_pane_as_incomplete(sim: Simulator, home: Path) -> None:
    sim.set_default("sim/quick-mini", Behaviour(text="done fast", ttft=0, tokens_per_second=0))
    sim.set_default("sim/balanced-pro", Behaviour(text="slow " * 5000, ttft=0, tokens_per_second=50))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "playground",
            "compare",
            "-m",
            "sim/quick-mini",
            "-m",
            "sim/balanced-pro",
            "Hi",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(home, **sim_env(sim)),
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().startswith("=== [1] sim/quick-mini - done")  # saved as it ended
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    listed = playground("history", "list", home=home)
    assert "incomplete" in listed.stdout and "complete " not in listed.stdout.replace("incomplete", "")
    shown = playground("history", "show", "1", home=home)
    assert "=== sim/quick-mini (done" in shown.stdout
    assert "=== sim/balanced-pro (incomplete" in shown.stdout and "not finished" in shown.stdout
