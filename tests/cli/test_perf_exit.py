"""A command ends its process without the interpreter's module teardown (cli._exit_now): nothing a
normal exit would keep may be lost - every answer printed, the run and its answers in history, the
log written, the exit code kept."""

from __future__ import annotations

import json
import re
from pathlib import Path

from playground.simulator import Simulator
from tests.cli.helpers import playground, sim_env


def tokens(text: str) -> int:
    return len(re.findall(r"\btok\b(?!/s)", text))  # the figures table's "tok/s" is no token


SIZES = (2000, 1500, 1000, 500, 2000, 1500, 1000, 500)  # 8 streams, 40 KB of answers on a pipe


def test_a_compare_run_ends_with_everything_written(sim: Simulator, home: Path) -> None:
    models = [arg for n in SIZES for arg in ("-m", f"bench/{n}")]
    result = playground("compare", *models, "go", home=home, **sim_env(sim))
    assert result.returncode == 0, result.stderr
    assert tokens(result.stdout) == sum(SIZES)  # every token reached the pipe
    assert result.stdout.rstrip().splitlines()[-1].startswith("total cost: $")  # the last line too

    exported = playground("history", "export", "--format", "json", home=home)
    (run,) = json.loads(exported.stdout)
    assert [a["state"] for a in run["answers"]] == ["done"] * len(SIZES)
    assert [a["answer"].count("tok") for a in run["answers"]] == list(SIZES)

    log = (home / "logs" / "playground.log").read_text("utf-8")
    assert log.count("outcome=complete") == len(SIZES)


def test_a_failed_run_keeps_its_exit_code_and_its_error(sim: Simulator, home: Path) -> None:
    result = playground("compare", "-m", "bench/300", "-m", "fault/500", "go", home=home, **sim_env(sim))
    assert result.returncode == 1
    assert tokens(result.stdout) == 300
    assert "fault/500" in result.stdout and "Traceback" not in result.stderr
    (run,) = json.loads(playground("history", "export", "--format", "json", home=home).stdout)
    assert sorted(a["state"] for a in run["answers"]) == ["done", "failed"]
