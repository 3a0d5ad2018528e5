"""Shared fixtures: a real simulator on loopback, an isolated PLAYGROUND_HOME, fake keys."""

from __future__ import annotations

import asyncio
import importlib.abc
import os
import sys
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest


class _BlockQt(importlib.abc.MetaPathFinder):
    """With PLAYGROUND_BLOCK_QT=1 the run behaves as if PySide6 and qasync were not installed."""

    blocked = ("PySide6", "shiboken6", "qasync")

    def find_spec(self, fullname: str, path: object, target: object = None) -> None:
        if fullname.split(".")[0] in self.blocked:
            raise ImportError(f"{fullname} is blocked for this test run")


if os.environ.get("PLAYGROUND_BLOCK_QT") == "1":
    sys.meta_path.insert(0, _BlockQt())

from playground.simulator import Simulator  # noqa: E402

# Obviously fake keys: the shape of a real one, the content of none.
FAKE_KEY = "sk-or-v1-" + "1" * 64
OTHER_KEY = "sk-or-v1-" + "2" * 64
CANARY_KEY = "sk-or-v1-" + "c" * 64

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on a fresh loop (the tests do not need an asyncio plugin)."""
    return asyncio.run(coro)


@pytest.fixture
def sim() -> Iterator[Simulator]:
    """A simulator that answers as fast as it can."""
    with Simulator(time_scale=0) as server:
        yield server


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh PLAYGROUND_HOME, no key in the environment, and a working dir without .env."""
    folder = tmp_path / "home"
    monkeypatch.setenv("PLAYGROUND_HOME", str(folder))
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    monkeypatch.delenv("OPENROUTER_BASE_URL", raising=False)
    workdir = tmp_path / "work"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    return folder


@pytest.fixture(scope="session")
def aio(qapp: Any) -> Iterator[Callable[[Coroutine[Any, Any, Any]], Any]]:
    """Run a coroutine on the app's qasync loop, as the real window does.

    One loop for the whole session: a qasync loop per test leaves Qt timers of closed loops behind.
    """
    from playground.ui.app import AppEventLoop

    qapp.setQuitOnLastWindowClosed(False)  # as make_app() does: closing a window must not stop the loop
    runner = asyncio.Runner(loop_factory=lambda: AppEventLoop(qapp))
    try:
        yield runner.run
    finally:
        runner.close()


def cli_env(home: Path, **extra: str) -> dict[str, str]:
    """Environment for a CLI subprocess: isolated home, no inherited key."""
    env = {k: v for k, v in os.environ.items() if k not in ("OPENROUTER_API_KEY", "OPENROUTER_BASE_URL")}
    env["PLAYGROUND_HOME"] = str(home)
    env["PYTHONIOENCODING"] = "utf-8"
    env.update(extra)
    return env
