"""What the README promises about the command line is what the command line does."""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from pathlib import Path

from playground.cli import build_parser
from tests.cli.helpers import playground

README = Path(__file__).resolve().parents[2] / "README.md"
NO_KEYRING = "keyring.backends.fail.Keyring"


def _options(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> Iterator[tuple[str, str]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _options(sub, (*path, name))
        elif action.help != argparse.SUPPRESS:
            for option in action.option_strings:
                if option.startswith("--") and option != "--help":
                    yield " ".join(path), option


def test_every_flag_of_every_command_is_in_the_readme() -> None:
    text = README.read_text("utf-8")
    missing = {(cmd, o) for cmd, o in _options(build_parser()) if not re.search(re.escape(o) + r"\b", text)}
    assert not missing


def test_the_readme_sample_template_runs_under_demo(home: Path, tmp_path: Path) -> None:
    block = re.search(r"```toml\n(.*?)```", README.read_text("utf-8"), re.DOTALL)
    assert block is not None
    (tmp_path / "summarise.toml").write_text(block.group(1))
    assert playground("templates", "import", str(tmp_path / "summarise.toml"), home=home).returncode == 0
    ran = playground("templates", "run", "summarise", "--case", "short", "--demo", home=home)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "- done ===" in ran.stdout and "failed" not in ran.stdout


def test_usage_with_no_key_prints_local_figures_and_exits_2(home: Path) -> None:
    result = playground("usage", home=home, PYTHON_KEYRING_BACKEND=NO_KEYRING)
    assert result.returncode == 2
    assert "This app, from history: today $0" in result.stdout and "No OpenRouter API key" in result.stdout
    assert playground("usage", "--offline", home=home).returncode == 0


def test_models_offline_with_no_cache_exits_1_saying_why(home: Path) -> None:
    result = playground("models", home=home, OPENROUTER_BASE_URL="http://127.0.0.1:9/api/v1")
    assert result.returncode == 1
    assert "could not reach OpenRouter" in result.stderr and "Traceback" not in result.stderr


def test_no_keyring_is_said_the_same_way_and_offers_no_session_key(home: Path) -> None:
    listed = playground("key", "list", home=home, PYTHON_KEYRING_BACKEND=NO_KEYRING)
    stored = playground(
        "key", "set", home=home, input="sk-or-v1-" + "0" * 64, PYTHON_KEYRING_BACKEND=NO_KEYRING
    )
    assert listed.returncode == stored.returncode == 2
    assert "No system keyring is available" in listed.stderr and listed.stderr == stored.stderr
    assert "session only" not in listed.stderr + listed.stdout and "OPENROUTER_API_KEY" in listed.stderr


def test_the_readme_says_how_long_the_tests_take() -> None:
    install = README.read_text("utf-8").split("## First run")[0]
    assert re.search(r"takes about \d+ minutes", install)
