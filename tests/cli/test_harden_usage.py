"""Bad input is a usage error naming the argument (exit 2), never an internal error; a closed pipe is quiet."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from playground.simulator import Behaviour, Simulator
from tests.cli.helpers import playground, sim_env
from tests.conftest import cli_env

BAD_ARGUMENTS = [
    (["compare", "-m", "sim/quick-mini", "--temperature", "nan", "Hi"], "--temperature"),
    (["compare", "-m", "sim/quick-mini", "--top-p", "nan", "Hi"], "--top-p"),
    (["compare", "-m", "sim/quick-mini", "--temperature", "inf", "Hi"], "--temperature"),
    (["compare", "-m", "sim/quick-mini", "--frequency-penalty", "-nan", "Hi"], "--frequency-penalty"),
    (["compare", "-m", "sim/quick-mini", "--max-price", "1e400", "Hi"], "--max-price"),
    (["compare", "-m", "sim/quick-mini", "--max-price", "1,nan", "Hi"], "--max-price"),
    (["compare", "-m", "sim/quick-mini", "--max-tokens", "9" * 30, "Hi"], "--max-tokens"),
    (["compare", "-m", "sim/quick-mini", "--seed", "9" * 30, "Hi"], "--seed"),
    (["compare", "-m", "", "Hi"], "-m/--model"),
    (["compare", "-m", "  ", "Hi"], "-m/--model"),
    (["history", "show", "9" * 20], "id"),
    (["history", "export", "1", "-5"], "ids"),
    (["history", "list", "--limit", "0"], "--limit"),
    (["models", "--max-price", "1e400"], "--max-price"),
    (["models", "--min-context", "9" * 30], "--min-context"),
    (["usage", "--days", "9" * 30], "--days"),
]


@pytest.mark.parametrize(
    "argv, named", BAD_ARGUMENTS, ids=lambda x: " ".join(x) if isinstance(x, list) else x
)
def test_bad_values_exit_2_naming_the_argument(
    argv: list[str], named: str, sim: Simulator, home: Path
) -> None:
    result = playground(*argv, home=home, **sim_env(sim))
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"argument {named}" in result.stderr
    assert "Traceback" not in result.stderr and "went wrong" not in result.stderr
    assert sim.requests == []  # refused before anything was sent


def _run_bytes(
    args: list[str], data: bytes, home: Path, sim: Simulator
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "playground", *args],
        input=data,
        capture_output=True,
        timeout=60,
        env=cli_env(home, **sim_env(sim)),
    )


@pytest.mark.parametrize("data", [b"\xff\xfe\x00binary\x9c", b"text with a NUL \x00 inside"])
def test_binary_stdin_is_a_usage_error(data: bytes, sim: Simulator, home: Path) -> None:
    result = _run_bytes(["compare", "-m", "sim/quick-mini", "-"], data, home, sim)
    err = result.stderr.decode()
    assert result.returncode == 2, err
    assert "PROMPT (from stdin)" in err and "binary input is refused" in err
    assert sim.requests == []


@pytest.mark.parametrize(
    "argv, named",
    [
        ([b"-m", b"sim/quick-mini", b"Hi \xff"], b"PROMPT"),
        ([b"-m", b"sim/quick-mini", b"--system", b"\xfe be brief", b"Hi"], b"--system"),
        ([b"-m", b"sim/\xff", b"Hi"], b"-m/--model"),
    ],
)
def test_an_argument_that_is_not_utf8_is_a_usage_error(
    argv: list[bytes], named: bytes, sim: Simulator, home: Path
) -> None:
    result = subprocess.run(
        [sys.executable.encode(), b"-m", b"playground", b"compare", *argv],
        capture_output=True,
        timeout=60,
        env=cli_env(home, **sim_env(sim)),
    )
    assert result.returncode == 2
    assert b"argument " + named + b": not" in result.stderr
    assert sim.requests == []


@pytest.mark.parametrize("jsonl", [False, True])
def test_a_closed_output_pipe_ends_quietly(jsonl: bool, sim: Simulator, home: Path) -> None:
    """``playground compare ... | head -1``: no traceback, no "Exception ignored", the streams stopped."""
    sim.set_default("sim/quick-mini", Behaviour(text="fast", ttft=0, tokens_per_second=0))
    sim.set_default("sim/deep-reasoner", Behaviour(text="word " * 600, ttft=0, tokens_per_second=300))
    argv = [
        "compare",
        *(["--jsonl"] if jsonl else []),
        "-m",
        "sim/quick-mini",
        "-m",
        "sim/deep-reasoner",
        "Hi",
    ]
    proc = subprocess.Popen(
        [sys.executable, "-m", "playground", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=cli_env(home, **sim_env(sim)),
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # what `head -1` does after its line
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 1
    assert first.strip()
    assert err == ""  # no traceback, no "Exception ignored ... BrokenPipeError", no "went wrong"


def test_help_piped_into_a_closed_pipe_is_quiet(home: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "playground", "compare", "--help"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=cli_env(home),
        bufsize=0,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.stderr.close()
    proc.wait(timeout=30)
    assert "Traceback" not in err and "Exception ignored" not in err


@pytest.mark.parametrize("before", [True, False])
def test_verbose_works_before_and_after_the_subcommand(before: bool, home: Path) -> None:
    argv = ["--verbose", "models", "--demo"] if before else ["models", "--demo", "--verbose"]
    result = playground(*argv, home=home)
    assert result.returncode == 0, result.stderr
    assert "HTTP Request: GET" in result.stderr  # the debug log reaches stderr


def test_every_subcommand_accepts_verbose() -> None:
    from tests.cli.test_cli_help import PATHS, build_parser

    parser = build_parser()
    leaves = [p for p in PATHS if p and not any(q[: len(p)] == p and len(q) > len(p) for q in PATHS)]
    for path in leaves:
        positional = {("key", "use"): ["x"], ("key", "remove"): ["x"], ("history", "show"): ["1"]}
        extra = positional.get(path, [])
        try:
            args = parser.parse_args([*path, *extra, "--verbose"])
        except SystemExit:  # a command with required arguments of its own: give them and try again
            continue
        assert args.verbose is True, path
    assert parser.parse_args(["simulate", "--verbose"]).verbose is True
