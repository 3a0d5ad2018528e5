"""Benchmarks 10, 12 and 13: the ``playground`` command in its own process, against a bare script
(or ``python -c pass``) in its own process, each run alternating with its baseline."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

from tests.benchmarks.common import FAKE_KEY, Figure, Sizes, bench_folder, installed_env, removes_its_folders


def cli_env(url: str) -> dict[str, str]:
    return installed_env(
        OPENROUTER_BASE_URL=url,
        OPENROUTER_API_KEY=FAKE_KEY,
        PLAYGROUND_HOME=bench_folder("bench-cli-"),
    )


def timed_process(cmd: list[str], env: dict[str, str]) -> float:
    """Wall time of one process; its stderr (compare's note that the simulator's ``bench/N`` ids are
    not in the catalog) is shown only when it fails."""
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode:
        raise RuntimeError(f"{cmd[1:4]} exited {done.returncode}: {done.stderr[-2000:]}")
    return elapsed


def cli_against_bare(url: str, s: Sizes, streams: int) -> tuple[float, float]:
    """``playground compare`` piped vs the bare script, each in its own process, alternating."""
    env = cli_env(url)
    model = f"bench/{s.chunks}"
    bare_code = (
        "import asyncio,sys; from tests.benchmarks.common import bare_many; "
        f"asyncio.run(bare_many({url!r}, {model!r}, {streams}))"
    )
    models = [arg for _ in range(streams) for arg in ("-m", model)]
    timed_process([sys.executable, "-c", bare_code], env)  # warm-up: bytecode cached, catalog fetched
    timed_process([sys.executable, "-m", "playground", "compare", *models, "go"], env)
    bare, cli = [], []
    for _ in range(s.repeats):
        bare.append(timed_process([sys.executable, "-c", bare_code], env))
        cli.append(timed_process([sys.executable, "-m", "playground", "compare", *models, "go"], env))
    return statistics.median(cli), statistics.median(bare)


@removes_its_folders
def bench_cli(url: str, s: Sizes) -> Figure:
    cli, base = cli_against_bare(url, s, s.streams)
    ratio = cli / base
    return Figure(
        10,
        f"`playground compare` piped, {s.streams} x {s.chunks}",
        f"{cli:.3f} s",
        f"{base:.3f} s bare, subprocess",
        f"{ratio:.2f}x",
        "<= 1.20x",
        ratio <= 1.20,
    )


@removes_its_folders
def bench_cli_one(url: str, s: Sizes) -> Figure:
    cli, base = cli_against_bare(url, s, 1)
    ratio = cli / base
    return Figure(
        12,
        f"`playground compare` piped, 1 x {s.chunks}",
        f"{cli:.3f} s",
        f"{base:.3f} s bare, subprocess",
        f"{ratio:.2f}x",
        "<= 1.30x",
        ratio <= 1.30,
    )


@removes_its_folders
def bench_cli_start(s: Sizes) -> Figure:
    """``playground --version`` and ``--help`` against ``python -c pass``, alternating, median of each."""
    env = installed_env(PLAYGROUND_HOME=bench_folder("bench-start-cli-"))
    runs = 3 if s.smoke else 11
    timed_process([sys.executable, "-m", "playground", "--help"], env)  # warm-up: bytecode cached
    times: dict[str, list[float]] = {"pass": [], "--version": [], "--help": []}
    for _ in range(runs):
        times["pass"].append(timed_process([sys.executable, "-c", "pass"], env))
        for flag in ("--version", "--help"):
            times[flag].append(timed_process([sys.executable, "-m", "playground", flag], env))
    bare, version, help_ = (statistics.median(times[k]) for k in ("pass", "--version", "--help"))
    ratio = max(version, help_) / bare
    return Figure(
        13,
        "`playground --version`; `--help`",
        f"{version * 1000:.0f} ms; {help_ * 1000:.0f} ms",
        f"{bare * 1000:.0f} ms `python -c pass`",
        f"{version / bare:.2f}x; {help_ / bare:.2f}x",
        "<= 3x",
        ratio <= 3,
    )
