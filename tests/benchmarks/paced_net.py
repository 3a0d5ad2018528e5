"""The network side of benchmark 4 alone: CPU of the thread that reads 8 paced streams.

python -m tests.benchmarks.paced_net bare net unpaced core [--seconds 6] [--rounds 2] [--profile net]

``bare``: httpx + httpx-sse + json.loads (the baseline of 4) on a plain loop in a thread; ``net``: the
window's network side - a ThreadedRun on the StreamBackend's NetworkThread, its queue drained every
16 ms from the main thread as the FrameClock would; ``unpaced``: the same with every chunk read as it
arrives (no ReadPacer); ``core``: CompareRun on a plain loop in a thread
(the CLI's path). Each prints the loop thread's CPU time as a share of a core (``time.thread_time``
inside the thread, so the simulator and the draining thread are not counted), the modes alternating.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import statistics
import threading
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.benchmarks.common import FAKE_KEY, bare_many, simulator_process


def _thread_cpu(loop: asyncio.AbstractEventLoop) -> float:
    return asyncio.run_coroutine_threadsafe(_now_cpu(), loop).result()


async def _now_cpu() -> float:
    return time.thread_time()


def run_bare(url: str, model: str, streams: int, profile: bool) -> float:
    out: list[float] = []

    def body() -> None:
        prof = cProfile.Profile() if profile else None
        c, w = time.thread_time(), time.perf_counter()
        if prof:
            prof.enable()
        asyncio.run(bare_many(url, model, streams))
        if prof:
            prof.disable()
            pstats.Stats(prof).sort_stats(os.environ.get("SORT", "tottime")).print_stats(
                int(os.environ.get("TOP", "25"))
            )
        out.append((time.thread_time() - c) / (time.perf_counter() - w) * 100)

    thread = threading.Thread(target=body)
    thread.start()
    thread.join()
    return out[0]


def run_core(url: str, model: str, streams: int, profile: bool) -> float:
    from tests.benchmarks.run import core_many

    out: list[float] = []

    def body() -> None:
        prof = cProfile.Profile() if profile else None
        c, w = time.thread_time(), time.perf_counter()
        if prof:
            prof.enable()
        asyncio.run(core_many(url, model, streams))
        if prof:
            prof.disable()
            pstats.Stats(prof).sort_stats(os.environ.get("SORT", "tottime")).print_stats(
                int(os.environ.get("TOP", "25"))
            )
        out.append((time.thread_time() - c) / (time.perf_counter() - w) * 100)

    thread = threading.Thread(target=body)
    thread.start()
    thread.join()
    return out[0]


def run_unpaced(url: str, model: str, streams: int, profile: bool) -> float:
    """``net`` with the clients' reads not paced (each chunk read as it comes), to compare."""
    from playground.core.openrouter import OpenRouterClient

    pace = OpenRouterClient.pace_streams
    OpenRouterClient.pace_streams = lambda self, pacer: False  # type: ignore[method-assign]
    try:
        return run_net(url, model, streams, profile)
    finally:
        OpenRouterClient.pace_streams = pace  # type: ignore[method-assign]


def run_net(url: str, model: str, streams: int, profile: bool) -> float:
    from PySide6.QtCore import QCoreApplication

    from playground.core.compare import CompareRequest, PaneSpec
    from playground.core.context import ClientSpec
    from playground.core.openrouter import ClientConfig
    from playground.core.secrets import ApiKey
    from playground.ui.backend import OPENROUTER, BackendConfig, StreamBackend
    from playground.ui.net import ThreadedRun

    _app = QCoreApplication.instance() or QCoreApplication([])
    backend = StreamBackend()
    spec = ClientSpec(ApiKey(FAKE_KEY), ClientConfig(base_url=url))
    asyncio.run_coroutine_threadsafe(
        backend._configure(BackendConfig({OPENROUTER: spec})), backend.net.loop
    ).result()
    prof = cProfile.Profile() if profile else None
    if prof:
        backend.net.loop.call_soon_threadsafe(prof.enable)
    request = CompareRequest("go", tuple(PaneSpec(model) for _ in range(streams)))
    run = ThreadedRun(backend.net, backend.chat_client(), request)
    c, w = _thread_cpu(backend.net.loop), time.perf_counter()
    run.start()
    while run.running:
        time.sleep(0.016)
        run.drain()
    share = (_thread_cpu(backend.net.loop) - c) / (time.perf_counter() - w) * 100
    if prof:
        asyncio.run_coroutine_threadsafe(_disable(prof), backend.net.loop).result()
        pstats.Stats(prof).sort_stats(os.environ.get("SORT", "tottime")).print_stats(
            int(os.environ.get("TOP", "25"))
        )
    assert run.all_complete, [r.state for r in run.results]
    pacer = backend._pacer
    if pacer is not None and os.environ.get("SHOW_RELEASES"):
        print(f"frame boundaries waited for: {pacer.releases}")
    asyncio.run(_close(backend))
    return share


async def _disable(prof: cProfile.Profile) -> None:
    prof.disable()


async def _close(backend) -> None:  # type: ignore[no-untyped-def]
    await backend.close()


MODES = {"bare": run_bare, "core": run_core, "net": run_net, "unpaced": run_unpaced}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("modes", nargs="+", choices=sorted(MODES))
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--streams", type=int, default=8)
    parser.add_argument("--profile", choices=sorted(MODES))
    parser.add_argument("--model", help="instead of bench/<80 x seconds>@80, e.g. bench/2000 (full speed)")
    args = parser.parse_args()
    model = args.model or f"bench/{int(80 * args.seconds)}@80"
    shares: dict[str, list[float]] = {m: [] for m in args.modes}
    with simulator_process() as url:
        if args.profile:
            MODES[args.profile](url, model, args.streams, True)
            return
        for _ in range(args.rounds):
            for mode in args.modes:
                shares[mode].append(MODES[mode](url, model, args.streams, False))
    for mode, values in shares.items():
        runs = ", ".join(f"{v:.2f}" for v in values)
        print(f"{mode:7} median {statistics.median(values):.2f}% of a core ({runs})")


if __name__ == "__main__":
    main()
