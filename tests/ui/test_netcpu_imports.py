"""The window's network thread reads a stream without an import statement per socket read.

Once PySide6 is loaded every ``import`` statement goes through its ``__import__`` hook; httpx's stack
asks sniffio which async library runs several times per read, and sniffio answers with an import
statement unless the thread is named. A real stream from the simulator, on the real NetworkThread.
"""

from __future__ import annotations

import builtins
import threading
from typing import Any

from playground.core.compare import CompareRequest, CompareRun, PaneSpec, PaneState
from playground.core.openrouter import ClientConfig, OpenRouterClient
from playground.simulator import Simulator
from playground.ui.net import NetworkThread
from tests.conftest import FAKE_KEY


def test_streaming_on_the_network_thread_runs_no_import_per_chunk(sim: Simulator) -> None:
    net = NetworkThread()
    imports = 0
    real_import = builtins.__import__

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal imports
        if threading.current_thread().name == "network":
            imports += 1
        return real_import(*args, **kwargs)

    async def stream(chunks: int) -> CompareRun:
        async with OpenRouterClient(FAKE_KEY, ClientConfig(base_url=sim.base_url)) as client:
            run = CompareRun(client, CompareRequest("go", (PaneSpec(f"bench/{chunks}@2000"),)))
            run.start()
            await run.wait()
            return run

    counted: dict[int, int] = {}
    try:
        net.submit(stream(100)).result(30)  # the first stream loads what streaming needs
        builtins.__import__ = counting
        for chunks in (100, 400):
            imports = 0
            run = net.submit(stream(chunks)).result(30)
            assert run.results[0].state is PaneState.DONE and run.results[0].chunks >= chunks
            counted[chunks] = imports
    finally:
        builtins.__import__ = real_import
        net.stop()
    # a few per request (whatever a module imports lazily), none per socket read: 300 more chunks
    # used to mean about 900 more import statements
    assert counted[400] - counted[100] < 20, counted
