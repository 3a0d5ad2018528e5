"""``playground --help`` and ``--version`` import only what they show; a command imports its own module.

Which modules a real process loaded, read from ``sys.modules`` at exit - not a timing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from playground.cli import COMMANDS, build_parser
from playground.simulator import Simulator
from tests.cli.helpers import sim_env
from tests.conftest import cli_env

# What start-up must not pay for when it only prints help or the version.
HEAVY = (
    "httpx",
    "httpcore",
    "sqlite3",
    "tomllib",
    "jsonschema",
    "pygments",
    "markdown_it",
    "yaml",
    "asyncio",
    "PySide6",
    "playground.simulator",
    "playground.core",
    "playground.ui",
)

_PROBE = """
import atexit, json, sys
atexit.register(lambda: sys.__stderr__.write("MODULES " + json.dumps(sorted(sys.modules)) + "\\n"))
import runpy
sys.argv = ["playground", *sys.argv[1:]]
runpy.run_module("playground", run_name="__main__", alter_sys=True)
"""


def loaded_modules(home: Path, *args: str, **env: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=cli_env(home, **env),
    )
    line = next(line for line in result.stderr.splitlines() if line.startswith("MODULES "))
    return result, set(json.loads(line.removeprefix("MODULES ")))


def heavy_in(modules: set[str]) -> set[str]:
    return {m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY)}


@pytest.mark.parametrize("flag", ["--help", "--version"])
def test_help_and_version_import_nothing_heavy(home: Path, flag: str) -> None:
    result, modules = loaded_modules(home, flag)
    assert result.returncode == 0, result.stderr
    assert "playground" in result.stdout
    assert heavy_in(modules) == set()
    assert not any(m.startswith("playground.commands.") for m in modules)


def test_a_commands_help_imports_that_command_only(home: Path) -> None:
    result, modules = loaded_modules(home, "leaderboard", "--help")
    assert result.returncode == 0, result.stderr
    assert "--scope" in result.stdout
    commands = {m for m in modules if m.startswith("playground.commands.")}
    assert "playground.commands.leaderboard" in commands
    assert not commands & {"playground.commands.compare", "playground.commands.templates"}


# What a plain ``compare`` run must not pay for: templates (tomllib, difflib), the history's exporter
# and leaderboard (csv, html), the .env reader when there is no .env, structured-output checks.
NOT_FOR_A_PLAIN_RUN = (
    "tomllib",
    "difflib",
    "csv",
    "html",
    "dotenv",
    "jsonschema",
    "playground.core.templates",
    "playground.core.history.export",
    "playground.core.leaderboard",
    "playground.ui",
)


def test_a_plain_compare_run_loads_only_what_it_uses(sim: Simulator, home: Path) -> None:
    result, modules = loaded_modules(home, "compare", "-m", "sim/quick-mini", "hi", **sim_env(sim))
    assert result.returncode == 0, result.stderr
    assert "sim/quick-mini" in result.stdout and len(sim.chat_requests()) == 1
    assert {m for m in modules if any(m == n or m.startswith(n + ".") for n in NOT_FOR_A_PLAIN_RUN)} == set()


def test_top_level_help_is_the_same_with_commands_unloaded() -> None:
    """The help lines in cli.COMMANDS are the ones each command module gives its parser."""
    assert build_parser(load=[None]).format_help() == build_parser().format_help()
    assert set(COMMANDS) == set(build_parser(load=[None])._subparsers._group_actions[0].choices)  # type: ignore[union-attr]


def test_a_misspelt_command_is_still_a_usage_error(home: Path) -> None:
    result, _modules = loaded_modules(home, "compaer", "x")
    assert result.returncode == 2
    assert "invalid choice: 'compaer'" in result.stderr


def test_a_bad_argument_is_echoed_with_control_characters_escaped(home: Path) -> None:
    result, _modules = loaded_modules(home, "compare", "-m", "a", "--temperature", "\x1b[2Jhot", "hi")
    assert result.returncode == 2
    assert "\x1b" not in result.stderr and "\\x1b[2Jhot" in result.stderr
