"""Shared pieces of the benchmark suite: a simulator in its own process, timers, memory."""

from __future__ import annotations

import asyncio
import functools
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import ParamSpec, TypeVar

import httpx
from httpx_sse import aconnect_sse

FAKE_KEY = "sk-or-v1-" + "1" * 64
_P = ParamSpec("_P")
_R = TypeVar("_R")
_FOLDERS: list[str] = []  # made by bench_folder and not removed yet, the newest last


@dataclass
class Figure:
    """One row of the results table."""

    number: int
    what: str
    value: str
    baseline: str
    ratio: str
    budget: str
    ok: bool | None  # None: reported only

    @property
    def verdict(self) -> str:
        return {True: "ok", False: "OVER", None: "-"}[self.ok]


def installed_env(**extra: str) -> dict[str, str]:
    """The environment of a process timed from start to end: bytecode is cached (in a folder of the
    suite's own), as it is for an installed app - ``PYTHONDONTWRITEBYTECODE`` would otherwise make
    every run of the app compile its sources while the baseline's site-packages are compiled."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "playground-bench-pycache")
    return {**env, **extra}


def bench_folder(prefix: str) -> str:
    """A new folder in the temp dir (an app's home, a throwaway venv) for the benchmark that is
    running: removed when it ends (``removes_its_folders``), so after anything it times."""
    folder = tempfile.mkdtemp(prefix=prefix)
    _FOLDERS.append(folder)
    return folder


@contextmanager
def folders_removed() -> Iterator[None]:
    """Every folder ``bench_folder`` makes within the block is removed at its end, failed or not."""
    mark = len(_FOLDERS)
    try:
        yield
    finally:
        while len(_FOLDERS) > mark:
            shutil.rmtree(_FOLDERS.pop(), ignore_errors=True)


def removes_its_folders(bench: Callable[_P, _R]) -> Callable[_P, _R]:
    """``bench`` removes the folders it made (``bench_folder``) when it returns or fails."""

    @functools.wraps(bench)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with folders_removed():
            return bench(*args, **kwargs)

    return run


@contextmanager
def simulator_process() -> Iterator[str]:
    """A simulator in its own process, so it does not share the GIL with what is measured. Its home,
    and any folder a tool running against it made and left, go when it stops."""
    env = dict(os.environ)
    with folders_removed():
        env["PLAYGROUND_HOME"] = env.get("PLAYGROUND_HOME") or bench_folder("bench-sim-")
        proc = subprocess.Popen(
            [sys.executable, "-m", "playground", "simulate", "--port", "0", "--speed", "0"],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert proc.stdout is not None
        line = proc.stdout.readline()
        url = line.split(" at ", 1)[1].strip()
        try:
            yield url
        finally:
            proc.terminate()
            proc.wait(10)


async def bare_stream(client: httpx.AsyncClient, url: str, model: str) -> int:
    """The baseline: bare httpx + httpx-sse + json.loads, counting content chunks."""
    body = {"model": model, "messages": [{"role": "user", "content": "go"}], "stream": True}
    count = 0
    headers = {"Authorization": f"Bearer {FAKE_KEY}"}
    async with aconnect_sse(client, "POST", url + "/chat/completions", json=body, headers=headers) as source:
        async for event in source.aiter_sse():
            if event.data == "[DONE]":
                break
            chunk = json.loads(event.data)
            choices = chunk.get("choices") or []
            if choices and choices[0].get("delta", {}).get("content"):
                count += 1
    return count


async def bare_many(url: str, model: str, streams: int) -> float:
    start = time.perf_counter()
    async with httpx.AsyncClient(timeout=60) as client:
        counts = await asyncio.gather(*(bare_stream(client, url, model) for _ in range(streams)))
    assert all(counts), counts
    return time.perf_counter() - start


def median_of(runs: int, fn) -> float:  # type: ignore[no-untyped-def]
    return statistics.median(fn() for _ in range(runs))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


class Sizes:
    def __init__(self, smoke: bool) -> None:
        self.smoke = smoke
        self.streams = 2 if smoke else 8
        self.chunks = 100 if smoke else 2000
        self.repeats = 1 if smoke else 3
        self.paced_seconds = 1.0 if smoke else 15.0
        self.md_tokens = 3000 if smoke else 50000
        self.catalog_models = 100 if smoke else 1000


_BARE_WINDOW = """
import sys
from PySide6.QtWidgets import QApplication, QHBoxLayout, QMainWindow, QTextBrowser, QWidget
texts = open(sys.argv[1], encoding="utf-8").read().split("\\0")
app = QApplication([])
window, box = QMainWindow(), QWidget()
row = QHBoxLayout(box)
for text in texts:
    view = QTextBrowser()
    view.setMarkdown(text)
    row.addWidget(view)
window.setCentralWidget(box)
window.resize(1600, 900)
window.show()
for _ in range(20):
    app.processEvents()
with open("/proc/self/status") as status:
    print(next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024)
"""


def bare_window_rss(texts: list[str]) -> float:
    """RSS of a bare QMainWindow showing ``texts`` in QTextBrowsers (as Markdown), in its own process."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8", delete=False) as file:
        file.write("\0".join(texts))
    try:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        result = subprocess.run(
            [sys.executable, "-c", _BARE_WINDOW, file.name],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
    finally:
        os.unlink(file.name)
    return float(result.stdout.strip().splitlines()[-1])
