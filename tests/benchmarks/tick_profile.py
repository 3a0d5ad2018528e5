"""The window thread's share of benchmark 4 (a diagnostic, no budget).

python -m tests.benchmarks.tick_profile [runs] [seconds] [--profile] [--paints]

Benchmark 4's scenario (8 panes x 80 tok/s in the window, the 5 ms lag probe running), printing per
run the process's CPU share, the window thread's share (``time.thread_time()`` on that thread), the
frames and ticks a second, each pane's text renders a second, and the window thread's CPU inside the
frame ticks, the text appends and the figures lines. ``--paints`` adds the window's paint passes
(``UpdateRequest``, timed) and the paint events by widget; ``--profile``: cProfile on the window
thread for every run, the top functions printed at the end. ``TICK_MODEL=bench/2000`` runs another
simulator model instead (e.g. benchmark 2's burst).
"""

from __future__ import annotations

import asyncio
import cProfile
import os
import pstats
import sys
import time

from tests.benchmarks.common import simulator_process

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _count_renders(counts: dict[str, int]) -> None:
    from playground.ui.response_pane import ResponsePane

    original = ResponsePane.flush

    def flush(self, *, render: bool = True, figures: bool = True) -> None:  # type: ignore[no-untyped-def]
        if render and self.has_pending_text:
            counts["renders"] += 1
        original(self, render=render, figures=figures)

    ResponsePane.flush = flush  # type: ignore[method-assign]


SPENT: dict[str, float] = {}
CALLS: dict[str, int] = {}


def _time_cpu(cls: type, name: str) -> None:
    """Add the window thread's CPU time inside ``cls.name`` to SPENT (outermost calls only)."""
    original = getattr(cls, name)
    label = f"{cls.__name__}.{name}"
    depth = [0]

    def timed(*args, **kwargs):  # type: ignore[no-untyped-def]
        depth[0] += 1
        start = time.thread_time()
        try:
            return original(*args, **kwargs)
        finally:
            depth[0] -= 1
            if depth[0] == 0:
                SPENT[label] = SPENT.get(label, 0.0) + time.thread_time() - start
                CALLS[label] = CALLS.get(label, 0) + 1

    setattr(cls, name, timed)


PAINTS: dict[str, list[int]] = {}


def _count_paints(app) -> object:  # type: ignore[no-untyped-def]
    """An application-wide filter counting Paint events and painted area by widget class/name."""
    from PySide6.QtCore import QEvent, QObject

    class Counter(QObject):
        def eventFilter(self, obj, event):  # type: ignore[no-untyped-def]
            if event.type() == QEvent.Type.UpdateRequest and obj.isWindow() and not self.inside:
                self.inside = True  # handled here, timed: the paint of every widget of the window
                start = time.thread_time()
                try:
                    obj.event(event)
                finally:
                    self.inside = False
                    SPENT["paint"] = SPENT.get("paint", 0.0) + time.thread_time() - start
                return True
            if event.type() == QEvent.Type.Paint:
                rect = event.rect()
                key = (
                    f"{type(obj).__name__}:{obj.objectName() or (obj.parent() and obj.parent().objectName())}"
                )
                entry = PAINTS.setdefault(key, [0, 0])
                entry[0] += 1
                entry[1] += rect.width() * rect.height()
            return False

    counter = Counter()
    counter.inside = False
    app.installEventFilter(counter)
    return counter


def _instrument() -> None:
    from playground.ui.markdown_view import MarkdownView
    from playground.ui.net import FrameClock
    from playground.ui.pane_figures import PaneFiguresMixin

    _time_cpu(FrameClock, "tick")
    _time_cpu(MarkdownView, "append_text")
    _time_cpu(PaneFiguresMixin, "_render_state")


async def scenario(url: str, runs: int, seconds: float, profile: cProfile.Profile | None) -> None:
    from playground.ui.net import frame_clock
    from tests.benchmarks.run import LagProbe, window_harness, window_run

    _ctx, session, window = window_harness(url)
    window.show()
    await session.start()
    await window_run(window, ["bench/50"] * 8)  # warm: imports, fonts
    counts = {"renders": 0}
    _count_renders(counts)
    _instrument()
    if "--paints" in sys.argv:
        from PySide6.QtWidgets import QApplication

        keep = _count_paints(QApplication.instance())  # noqa: F841
    model = os.environ.get("TICK_MODEL") or f"bench/{int(80 * seconds)}@80"
    for _ in range(runs):
        probe = LagProbe()
        probe.start()
        counts["renders"] = 0
        frame0 = frame_clock().frame
        SPENT.clear()
        CALLS.clear()
        PAINTS.clear()
        cpu0, gui0, wall0 = time.process_time(), time.thread_time(), time.perf_counter()
        if profile is not None:
            profile.enable()
        await window_run(window, [model] * 8)
        if profile is not None:
            profile.disable()
        cpu, gui, wall = time.process_time() - cpu0, time.thread_time() - gui0, time.perf_counter() - wall0
        probe.stop()
        ticks = frame_clock().frame - frame0
        samples = sorted(probe.samples)
        p99 = samples[int(len(samples) * 0.99)] if samples else 0.0
        print(
            f"process {cpu / wall * 100:.1f}%  window thread {gui / wall * 100:.1f}%  "
            f"frames/s {ticks / wall:.1f}  ticks/s {CALLS.get('FrameClock.tick', 0) / wall:.1f} "
            f"({CALLS.get('FrameClock.tick', 0)} ticks, {ticks} frames)  renders/s per pane {counts['renders'] / wall / 8:.1f}  "
            f"lag p99 {p99:.1f} ms",
            flush=True,
        )
        for key, (n, area) in sorted(PAINTS.items(), key=lambda kv: -kv[1][1])[:12]:
            print(f"    paint {key}: {n / wall:.1f}/s, {area / max(n, 1):.0f} px each")
        print("   ", "  ".join(f"{k} {v / wall * 100:.2f}%" for k, v in sorted(SPENT.items())), flush=True)
    window.close()
    await session.close()


def main() -> None:
    from PySide6.QtWidgets import QApplication

    from playground.ui.app import SWITCH_INTERVAL, AppEventLoop, make_app

    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    runs = int(args[0]) if args else 3
    seconds = float(args[1]) if len(args) > 1 else 8.0
    profile = cProfile.Profile() if "--profile" in sys.argv else None
    with simulator_process() as url:
        app = QApplication.instance() or make_app()
        app.setQuitOnLastWindowClosed(False)
        sys.setswitchinterval(SWITCH_INTERVAL)  # as the app does while its window runs
        with asyncio.Runner(loop_factory=lambda: AppEventLoop(app)) as runner:
            runner.run(scenario(url, runs, seconds, profile))
    if profile is not None:
        stats = pstats.Stats(profile)
        stats.sort_stats("tottime").print_stats(30)
        stats.sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    main()
