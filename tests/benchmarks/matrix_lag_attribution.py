"""Which work on the window's thread makes the worst lag samples of benchmark 14 (a diagnostic, no budget).

python -m tests.benchmarks.matrix_lag_attribution [runs] [threshold_ms]

Benchmark 14's exact scenario (the Test cases dialog, 50 cases x 6 models x 3 repeats, a 5 ms probe
timer), with the window thread's named pieces of the matrix timed (frame ticks, the run's drain and
draw, the dialog's refresh, its summaries, filter and buttons, the model's refresh, the history
writer), collections timed, and the window thread's Python stack sampled every millisecond: for each
probe firing later than the threshold, what overlapped it (see ``lag_attribution``).
"""

from __future__ import annotations

import asyncio
import gc
import sys
import time
from collections.abc import Callable

from tests.benchmarks.common import Sizes, percentile
from tests.benchmarks.lag_attribution import Recorder, attributed, report


def instrument(rec: Recorder) -> None:
    from playground.ui.matrix_dialog import MatrixDialog
    from playground.ui.matrix_model import MatrixModel
    from playground.ui.matrix_run import MatrixRun
    from playground.ui.net import FrameClock
    from playground.ui.services.history_writer import HistoryWriter

    for cls, name in [
        (FrameClock, "tick"),
        (MatrixRun, "_drain"),
        (MatrixRun, "_draw"),
        (MatrixRun, "start"),
        (MatrixRun, "_ended"),
        (MatrixDialog, "_refresh"),
        (MatrixDialog, "_buttons_state"),
        (MatrixDialog, "apply_filter"),
        (MatrixDialog, "start"),
        (MatrixDialog, "_ended"),
        (MatrixModel, "refresh"),
        (HistoryWriter, "submit"),
        (HistoryWriter, "_run_batch"),
    ]:
        rec.wrap(cls, name)
    gc.callbacks.append(rec.on_gc)


async def scenario(url: str, runs: int, rec: Recorder) -> list[tuple[float, float]]:
    from tests.benchmarks import matrix_bench
    from tests.benchmarks.run import LagProbe

    stamped: list[tuple[float, float]] = []
    scheds: list[tuple[int, int]] = []
    original_init: Callable[[LagProbe], None] = LagProbe.__init__

    def init(probe: LagProbe) -> None:
        original_init(probe)
        original = probe._tick

        def tick() -> None:
            original()
            stamped.append((time.perf_counter(), probe.samples[-1]))
            scheds.append(_schedstat())

        probe.timer.timeout.disconnect(probe._tick)
        probe.timer.timeout.connect(tick)

    LagProbe.__init__ = init  # type: ignore[method-assign]
    rec.t0 = time.perf_counter()
    for _ in range(runs):
        await asyncio.sleep(0.3)
        elapsed, lags = await matrix_bench._window_once(url, Sizes(False))
        print(f"run: {elapsed:.3f} s, p99 {percentile(lags, 99):.1f} ms, max {max(lags):.1f} ms")
    _print_sched(stamped, scheds)
    return stamped


def _schedstat() -> tuple[int, int]:
    """The window thread's time on a CPU and time waiting for one (ns), as the kernel counts them."""
    with open("/proc/thread-self/schedstat") as f:
        on_cpu, waiting, _slices = f.read().split()
    return int(on_cpu), int(waiting)


def _print_sched(stamped: list[tuple[float, float]], scheds: list[tuple[int, int]]) -> None:
    """For each late firing: how much of the late interval the window thread ran, and how long it
    sat ready but without a CPU (the machine busy) - the rest it slept (the GIL, or idle)."""
    print("late firings: lag ms, window thread on CPU ms, waiting for a CPU ms")
    for i in range(1, len(stamped)):
        lag = stamped[i][1]
        if lag > 12 and stamped[i][0] - stamped[i - 1][0] < 1.0:
            cpu = (scheds[i][0] - scheds[i - 1][0]) / 1e6
            wait = (scheds[i][1] - scheds[i - 1][1]) / 1e6
            print(f"   {lag:6.1f} {cpu:6.1f} {wait:6.1f}")


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    threshold = float(sys.argv[2]) if len(sys.argv) > 2 else 12.0
    rec, lags = attributed(instrument, scenario, runs)
    report(rec, lags, threshold)
    values = [lag for _t, lag in lags]
    print(f"p99 {percentile(values, 99):.1f} ms, max {max(values):.1f} ms")


if __name__ == "__main__":
    main()
