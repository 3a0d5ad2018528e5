"""``--help`` works for the top level and every subcommand and sub-subcommand, found from the parser."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import pytest

from playground.cli import build_parser, main
from tests.cli.helpers import playground


def _command_paths(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every command path the parser knows, so a new subcommand is covered without editing this test."""
    yield path
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _command_paths(sub, (*path, name))


PATHS = list(_command_paths(build_parser()))


def test_the_parser_knows_nested_commands() -> None:
    assert ("key", "set") in PATHS and ("history", "export") in PATHS and ("compare",) in PATHS


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "playground")
def test_help_prints_and_exits_0(path: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as ended:
        main([*path, "--help"])
    assert ended.value.code == 0
    out = capsys.readouterr()
    assert out.out.startswith(f"usage: playground {' '.join(path)}".rstrip())
    assert out.err == ""


def test_top_level_help_in_a_real_process(home: Path) -> None:
    result = playground("--help", home=home)
    assert result.returncode == 0, result.stderr
    assert "leaderboard" in result.stdout and "95% intervals" in result.stdout
    assert result.stderr == ""
