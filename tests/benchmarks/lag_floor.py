"""The floor under benchmark 3's lag (a diagnostic, no budget): the same probe, no window work.

python -m tests.benchmarks.lag_floor [runs] [bare|core]

A bare QMainWindow (one empty QTextBrowser) on the app's event loop, with the app's GIL switch
interval, while 8 x 2,000 chunks stream in a thread of the same process - bare httpx, or the core's
CompareRun - and the 5 ms probe timer runs. What it prints is the lag the network thread alone
causes the window's thread: what is left of benchmark 3's lag over it is the window's own work and
the hand-overs of the GIL that work needs.
"""

from __future__ import annotations

import asyncio
import os
import sys

from tests.benchmarks.common import Sizes, bare_many, percentile, simulator_process

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


async def _probe_runs(url: str, runs: int, what: str) -> list[float]:
    from tests.benchmarks.run import LagProbe, core_many

    model = f"bench/{Sizes(False).chunks}"
    streams = bare_many if what == "bare" else core_many
    lags: list[float] = []
    for run in range(runs + 2):  # two warm-up runs
        probe = LagProbe()
        probe.start()
        await asyncio.to_thread(lambda: asyncio.run(streams(url, model, 8)))
        probe.stop()
        if run >= 2:
            lags.extend(probe.samples)
    return lags


def main() -> None:
    from PySide6.QtWidgets import QApplication, QMainWindow, QTextBrowser

    from playground.ui.app import SWITCH_INTERVAL, AppEventLoop

    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    what = sys.argv[2] if len(sys.argv) > 2 else "core"
    app = QApplication.instance() or QApplication([])
    window = QMainWindow()
    window.setCentralWidget(QTextBrowser())
    window.resize(1600, 900)
    window.show()
    sys.setswitchinterval(SWITCH_INTERVAL)
    with simulator_process() as url, asyncio.Runner(loop_factory=lambda: AppEventLoop(app)) as runner:
        lags = runner.run(_probe_runs(url, runs, what))
    print(
        f"{what} streaming, bare window: {len(lags)} probe samples, p90 {percentile(lags, 90):.1f} ms, "
        f"p99 {percentile(lags, 99):.1f} ms, max {max(lags):.1f} ms"
    )


if __name__ == "__main__":
    main()
