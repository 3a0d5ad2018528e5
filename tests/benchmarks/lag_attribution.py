"""Which work on the window's thread makes the worst lag samples of benchmark 3 (a diagnostic, no budget).

python -m tests.benchmarks.lag_attribution [runs] [threshold_ms]

Benchmark 2/3's exact scenario (8 panes x 2,000 chunks, Markdown on, a 5 ms probe timer), with the
window thread's named pieces of work timed (frame ticks, the drain, each pane's flush, Send, the
history writer's completions), garbage collections timed through ``gc.callbacks``, and a sampling
thread recording the window thread's Python stack every millisecond. For each probe firing later
than the threshold it prints what overlapped the late interval: the timed pieces, collections, and
the most frequent stack tops sampled in it ("qt" when the thread was inside Qt with no Python frame
of ours: painting, layout).
"""

from __future__ import annotations

import asyncio
import collections
import gc
import itertools
import os
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

from tests.benchmarks.common import Sizes, simulator_process

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

Span = tuple[str, float, float]


class Recorder:
    """Timed spans, collections and stack samples of one thread."""

    def __init__(self) -> None:
        self.spans: list[Span] = []
        self.gcs: list[Span] = []
        self.samples: list[tuple[float, str]] = []
        self._gc_start = 0.0
        self._stop = threading.Event()
        self.gui = threading.get_ident()
        self.t0 = time.perf_counter()

    def wrap(self, cls: type, name: str, label: str | None = None) -> None:
        original = getattr(cls, name)
        spans = self.spans
        tag = label or f"{cls.__name__}.{name}"

        def timed(*args: Any, **kwargs: Any) -> Any:
            start, cpu = time.perf_counter(), time.thread_time()
            try:
                return original(*args, **kwargs)
            finally:
                end = time.perf_counter()
                if end - start > 0.001:
                    used = (time.thread_time() - cpu) * 1000
                    spans.append((f"{_tag(tag, args, kwargs)} [cpu {used:.1f}]", start, end))

        setattr(cls, name, timed)

    def on_gc(self, phase: str, info: dict[str, int]) -> None:
        if threading.get_ident() != self.gui:
            return
        if phase == "start":
            self._gc_start = time.perf_counter()
        else:
            self.gcs.append(
                (
                    f"gc gen{info['generation']} ({info['collected']} freed)",
                    self._gc_start,
                    time.perf_counter(),
                )
            )

    def sample(self) -> None:
        ours = "/playground/"
        while not self._stop.wait(0.001):
            frame = sys._current_frames().get(self.gui)
            top = "-"
            if frame is not None:
                code = frame.f_code
                top = f"other {code.co_filename.rsplit('/', 1)[-1]}:{code.co_name}"
            while frame is not None:
                code = frame.f_code
                if ours in code.co_filename and "benchmarks" not in code.co_filename:
                    top = f"{code.co_filename.rsplit('/', 1)[-1]}:{code.co_name}:{frame.f_lineno}"
                    break
                frame = frame.f_back
            self.samples.append((time.perf_counter(), top))

    def stop(self) -> None:
        self._stop.set()


def _tag(tag: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    if tag.endswith(".event") and len(args) > 1:
        return f"{tag}({args[1].type().name})"
    if "render" in kwargs:
        return f"{tag}(render={kwargs['render']}, figures={kwargs.get('figures')})"
    return tag


def instrument(rec: Recorder) -> None:
    from playground.ui.compare_view import CompareView
    from playground.ui.main_window import MainWindow
    from playground.ui.markdown_view import MarkdownView
    from playground.ui.net import FrameClock, ThreadedRun
    from playground.ui.response_pane import ResponsePane
    from playground.ui.services.history_writer import HistoryWriter
    from playground.ui.services.runs import RunService

    for cls, name in [
        (FrameClock, "tick"),
        (ThreadedRun, "drain"),
        (CompareView, "_on_frame"),
        (CompareView, "start"),
        (CompareView, "_award_badges"),
        (CompareView, "_update_threads"),
        (ResponsePane, "flush"),
        (ResponsePane, "reset"),
        (ResponsePane, "_render_state"),
        (MarkdownView, "append_text"),
        (MainWindow, "send"),
        (MainWindow, "event"),
        (HistoryWriter, "submit"),
        (HistoryWriter, "_run_batch"),
        (RunService, "run_ended"),
        (RunService, "new_compare"),
    ]:
        rec.wrap(cls, name)
    gc.callbacks.append(rec.on_gc)


def report(rec: Recorder, lags: list[tuple[float, float]], threshold: float) -> None:
    late = [(t, lag) for t, lag in lags if lag > threshold]
    print(f"{len(lags)} probe samples, {len(late)} later than {threshold} ms; {len(rec.gcs)} collections")
    print("collections:", ", ".join(f"{n} {(e - s) * 1000:.1f} ms" for n, s, e in rec.gcs))
    for t, lag in sorted(late, key=lambda x: -x[1])[:25]:
        start = t - (lag + 5) / 1000
        print(f"\n== lag {lag:.1f} ms, interval {(start - rec.t0) * 1000:.0f}-{(t - rec.t0) * 1000:.0f} ms")
        for name, s, e in sorted(rec.spans + rec.gcs, key=lambda x: x[1]):
            if e > start and s < t and e - s > 0.002:
                print(f"   {(s - rec.t0) * 1000:7.1f} {(e - s) * 1000:6.1f} ms  {name}")
        tops = collections.Counter(top for ts, top in rec.samples if start <= ts <= t)
        stamps = [start] + [ts for ts, _top in rec.samples if start <= ts <= t] + [t]
        gap = max(b - a for a, b in itertools.pairwise(stamps)) * 1000
        print(
            f"   samples (longest gap {gap:.0f} ms):",
            ", ".join(f"{n}x {top}" for top, n in tops.most_common(6)),
        )


async def scenario(url: str, runs: int, rec: Recorder) -> list[tuple[float, float]]:
    from tests.benchmarks.run import LagProbe, window_harness, window_run

    _ctx, session, window = window_harness(url)
    window.show()
    await session.start()
    s = Sizes(False)
    model = f"bench/{s.chunks}"
    await window_run(window, [model] * s.streams)
    probe = LagProbe()
    stamped: list[tuple[float, float]] = []
    original: Callable[[], None] = probe._tick

    def tick() -> None:
        original()
        stamped.append((time.perf_counter(), probe.samples[-1]))

    probe.timer.timeout.disconnect(probe._tick)
    probe.timer.timeout.connect(tick)
    rec.t0 = time.perf_counter()
    for _ in range(runs):
        await asyncio.sleep(0.3)
        probe.start()
        elapsed = await window_run(window, [model] * s.streams)
        probe.stop()
        print(f"run: {elapsed:.3f} s")
    window.close()
    await session.close()
    return stamped


def attributed(
    instrument_with: Callable[[Recorder], None],
    scenario_of: Callable[[str, int, Recorder], Awaitable[list[tuple[float, float]]]],
    runs: int,
    switch_interval: float | None = None,
) -> tuple[Recorder, list[tuple[float, float]]]:
    """Run ``scenario_of(url, runs, recorder)`` on the window's event loop against a simulator, with
    the window thread's pieces timed (``instrument_with``) and its stack sampled: the recorder and
    the lag probe's (time, lag) samples."""
    from PySide6.QtWidgets import QApplication

    from playground.ui.app import SWITCH_INTERVAL, AppEventLoop, make_app

    with simulator_process() as url:
        app = QApplication.instance() or make_app()
        app.setQuitOnLastWindowClosed(False)
        sys.setswitchinterval(SWITCH_INTERVAL if switch_interval is None else switch_interval)
        rec = Recorder()
        instrument_with(rec)
        sampler = threading.Thread(target=rec.sample, daemon=True)
        sampler.start()
        with asyncio.Runner(loop_factory=lambda: AppEventLoop(app)) as runner:
            lags = runner.run(scenario_of(url, runs, rec))
        rec.stop()
    return rec, lags


def main() -> None:
    from tests.benchmarks.common import percentile

    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    threshold = float(sys.argv[2]) if len(sys.argv) > 2 else 10.0
    switch = float(sys.argv[3]) if len(sys.argv) > 3 else None
    rec, lags = attributed(instrument, scenario, runs, switch)
    report(rec, lags, threshold)
    values = [lag for _t, lag in lags]
    print(f"p99 {percentile(values, 99):.1f} ms, max {max(values):.1f} ms")


if __name__ == "__main__":
    main()
