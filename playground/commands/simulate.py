"""``playground simulate``: run the local OpenRouter simulator by hand."""

from __future__ import annotations

import argparse
import signal
import sys
import threading


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("simulate", help="run the local OpenRouter simulator (for trying things out)")
    p.add_argument("--port", type=int, default=8787, help="port on 127.0.0.1 (0 picks a free one)")
    p.add_argument(
        "--speed", type=float, default=1.0, help="pacing multiplier: 0 = instant, 2 = twice as slow"
    )


def run(args: argparse.Namespace) -> int:
    from playground.simulator import Simulator

    try:
        sim = Simulator(port=args.port, time_scale=max(0.0, args.speed)).start()
    except OSError as exc:
        print(f"error: could not listen on port {args.port}: {exc.strerror}", file=sys.stderr)
        return 2
    print(f"Simulated OpenRouter at {sim.base_url}")
    print(f"  export OPENROUTER_BASE_URL={sim.base_url}")
    print("  any key works; model ids fault/401, fault/429, fault/truncate ... inject failures")
    print("Stop with Ctrl+C.", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
    return 0
