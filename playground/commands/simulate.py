"""``playground simulate``: run the local OpenRouter simulator by hand."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from playground.commands.args import integer, number


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("simulate", help="run the local OpenRouter simulator (for trying things out)")
    p.add_argument(
        "--port", type=integer(0, 65535), default=8787, help="port on 127.0.0.1 (0 picks a free one)"
    )
    p.add_argument(
        "--speed",
        type=number(0, 100),
        default=1.0,
        help="pacing multiplier: 0 = instant, 2 = twice as slow (at most 100)",
    )
    p.add_argument(
        "--key",
        action="append",
        default=None,
        metavar="KEY",
        help="accept only this key (repeatable); any other gets 401 as from OpenRouter. Use made-up "
        "keys: they show in the process list.",
    )


def run(args: argparse.Namespace) -> int:
    from playground.core.redact import mask_key
    from playground.simulator import Simulator

    try:
        valid = {k.strip() for k in args.key if k.strip()} if args.key else None
        sim = Simulator(port=args.port, time_scale=max(0.0, args.speed), valid_keys=valid).start()
    except OSError as exc:
        print(f"error: could not listen on port {args.port}: {exc.strerror}", file=sys.stderr)
        return 2
    # The handler goes in before the address is printed: a client that reads it may stop us at once
    # (with unbuffered output the address reaches it before anything below runs).
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print(f"Simulated OpenRouter at {sim.base_url}")
    print(f"  export OPENROUTER_BASE_URL={sim.base_url}")
    if valid:
        accepted = ", ".join(sorted(mask_key(k) for k in valid))
        print(f"  only these keys are accepted ({accepted}); any other gets 401")
    else:
        print("  any key works (--key KEY accepts only the keys given)")
    print("  model ids fault/401, fault/429, fault/truncate ... inject failures")
    print("Stop with Ctrl+C.", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
    return 0
