"""The bundled demo window's start-up against the source install's (budget 1.5x).

    bash packaging/build.sh && python -m tests.benchmarks.bundle_startup [--runs N]

Ready = the window has fetched the model list from the built-in simulator (it is up and working).
Runs alternate between the two so a busy machine weighs on both alike; the medians are compared.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "dist" / "prompt-playground" / "prompt-playground"
BUDGET = 1.5


def seconds_until_ready(cmd: list[str], home: Path) -> float:
    env = dict(os.environ, PLAYGROUND_HOME=str(home), QT_QPA_PLATFORM="offscreen")
    start = time.perf_counter()
    proc = subprocess.Popen([*cmd, "--demo"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while not any((home / "cache").glob("models*.json")):
            if proc.poll() is not None or time.perf_counter() - start > 60:
                raise SystemExit(f"{cmd[0]} did not start (exit code {proc.poll()})")
            time.sleep(0.01)
        return time.perf_counter() - start
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(20)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    if not BUNDLE.exists():
        print("no bundle: run `bash packaging/build.sh` first", file=sys.stderr)
        return 2
    bundled: list[float] = []
    source: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs):
            bundled.append(seconds_until_ready([str(BUNDLE)], Path(tmp) / f"b{run}"))
            source.append(seconds_until_ready([sys.executable, "-m", "playground"], Path(tmp) / f"s{run}"))
    ratio = statistics.median(bundled) / statistics.median(source)
    verdict = "ok" if ratio <= BUDGET else "OVER BUDGET"
    print(
        f"bundled demo ready in {statistics.median(bundled):.2f} s, source {statistics.median(source):.2f} s "
        f"(median of {args.runs}): {ratio:.2f}x, budget {BUDGET}x - {verdict}"
    )
    return 0 if ratio <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
