"""Benchmark 14: a test matrix of 900 answers in the window, against the same cells through the core.

The window side is the real Test cases dialog (MatrixDialog -> MatrixRun on the network thread,
drained by the FrameClock, every cell saved to history, the grid refreshed as cells change), timed
from Start to its ``finished``, with the 5 ms lag probe running throughout. The baseline is the
core alone, as `playground templates test` runs it: a TestRunner on a plain asyncio loop with the
same plan, recording every cell to a history of its own, no Qt. Core runs before and after the
window's, and the baseline is their mean, so a busy spell on the machine hits both alike.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from typing import Any

from tests.benchmarks.common import FAKE_KEY, Figure, Sizes, bench_folder, percentile, removes_its_folders


def _shape(s: Sizes) -> tuple[int, list[str], int]:
    """(cases, models, repeats): 50 x 6 x 3 = 900 answers (2 x 2 x 1 in the smoke run)."""
    if s.smoke:
        return 2, ["bench/40", "bench/41"], 1
    return 50, [f"bench/{60 + i}" for i in range(6)], 3


def _template_toml(s: Sizes) -> str:
    cases, models, _repeats = _shape(s)
    text = f'name = "matrix-bench"\nprompt = "Explain {{{{text}}}}"\nmodels = {models!r}\n'.replace("'", '"')
    text += '[[assert]]\ntype = "not-icontains"\nvalue = "as an ai"\n'
    return text + "".join(
        f'[[cases]]\nname = "c{i}"\nvars = {{ text = "topic {i}" }}\n' for i in range(cases)
    )


def _plan(s: Sizes) -> Any:
    from playground.core.evaluation.runner import TestPlan, Variant
    from playground.core.evaluation.suite import build_cases
    from playground.core.templates import PromptTemplate

    template = PromptTemplate.from_toml(_template_toml(s))
    _cases, models, repeats = _shape(s)
    variant = Variant("current", template, template.content_hash)
    return TestPlan(template.name, (variant,), build_cases(template, "bench"), tuple(models), repeats)


async def _core_once(url: str, s: Sizes) -> float:
    from playground.core.context import AppContext
    from playground.core.evaluation.runner import TestRunner
    from playground.core.evaluation.store import Recorder, TestStore
    from playground.core.openrouter import ClientConfig, OpenRouterClient

    home = bench_folder("bench-matrix-core-")
    ctx = AppContext.from_env(
        {"PLAYGROUND_HOME": home, "OPENROUTER_BASE_URL": url, "OPENROUTER_API_KEY": FAKE_KEY}
    )
    plan = _plan(s)
    start = time.perf_counter()
    history = ctx.history()
    current = plan.variants[0]
    history.record_version(plan.name, current.template.to_toml(), current.version)
    store = TestStore(history)
    recorder = Recorder(store, store.create(plan), plan)
    async with OpenRouterClient(FAKE_KEY, ClientConfig(base_url=url)) as client:
        runner = TestRunner(client, plan)
        runner.add_listener(recorder)
        await runner.run()
    elapsed = time.perf_counter() - start
    done = sum(1 for c in runner.cells.values() if c.state == "done")
    assert done == len(plan.cell_keys()), f"core: {done} of {len(plan.cell_keys())} answered"
    return elapsed


async def _window_once(url: str, s: Sizes) -> tuple[float, list[float]]:
    from playground.core.templates import PromptTemplate
    from playground.ui.matrix_dialog import MatrixDialog
    from tests.benchmarks.run import LagProbe, dispose, window_harness

    ctx, session, window = window_harness(url)
    window.show()
    await session.start()
    template = PromptTemplate.from_toml(_template_toml(s))
    ctx.library().save(template)
    dialog = MatrixDialog(session, template, [], window.params.params(), window)
    dialog.repeatBox.setValue(_shape(s)[2])
    dialog.show()
    probe = LagProbe()
    ended = asyncio.Event()
    probe.start()
    start = time.perf_counter()
    dialog.startButton.click()
    assert dialog.run is not None
    dialog.run.finished.connect(ended.set)
    await ended.wait()
    elapsed = time.perf_counter() - start
    probe.stop()
    cells = dialog.run.cells.values()
    done = sum(1 for c in cells if c.state == "done")
    assert done == len(cells), f"window: {done} of {len(cells)} answered"
    dialog.close()
    window.close()
    await session.close()
    dispose(dialog, window)
    return elapsed, list(probe.samples)


@removes_its_folders
def bench_matrix(url: str, s: Sizes) -> Figure:
    from PySide6.QtWidgets import QApplication

    from playground.ui.app import SWITCH_INTERVAL, AppEventLoop, make_app

    before = asyncio.run(_core_once(url, s))
    app = QApplication.instance() or make_app()
    app.setQuitOnLastWindowClosed(False)
    sys.setswitchinterval(SWITCH_INTERVAL)  # as the app does while its window runs
    with asyncio.Runner(loop_factory=lambda: AppEventLoop(app)) as runner:
        elapsed, lags = runner.run(_window_once(url, s))
    after = asyncio.run(_core_once(url, s))
    core = statistics.mean([before, after])
    ratio = elapsed / core
    p99 = percentile(lags, 99)
    answers = len(_plan(s).cell_keys())
    return Figure(
        14,
        f"test matrix of {answers} answers in the window, lag throughout",
        f"{elapsed:.2f} s, lag p99 {p99:.1f} ms",
        f"{core:.2f} s core TestRunner ({before:.2f}, {after:.2f})",
        f"{ratio:.2f}x",
        "<= 1.2x, p99 <= 16 ms",
        ratio <= 1.2 and p99 <= 16,
    )
