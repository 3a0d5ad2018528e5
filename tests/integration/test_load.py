"""Load: 16 concurrent streams at realistic pacing with random faults - no hang, every pane ends in a
definite state, connections return to zero, memory stays flat. PLAYGROUND_LOAD_SECONDS sets the
length (CI: a short form; the full 60 s run: PLAYGROUND_LOAD_SECONDS=60)."""

from __future__ import annotations

import asyncio
import gc
import os
import time

from playground.core.compare import CompareRequest, CompareRun, PaneSpec, PaneState
from playground.core.openrouter import ClientConfig, OpenRouterClient
from playground.core.retry import RetryPolicy
from playground.simulator import Behaviour, Simulator
from tests.conftest import FAKE_KEY

SECONDS = float(os.environ.get("PLAYGROUND_LOAD_SECONDS", "6"))
MODELS = ["sim/quick-mini", "sim/balanced-pro", "sim/deep-reasoner", "sim/open-llama:free"]


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def test_sixteen_streams_with_random_faults() -> None:
    paced = Behaviour(text="word " * 120, tokens_per_second=80, ttft=0.05)
    with Simulator(time_scale=1.0, chaos=0.3, seed=7) as sim:
        for model in MODELS:
            sim.set_default(model, None)

        async def go() -> tuple[int, dict[PaneState, int], list[float]]:
            config = ClientConfig(base_url=sim.base_url, idle_timeout=5)
            rounds, states, memory = 0, {}, []  # type: ignore[var-annotated]
            async with OpenRouterClient(FAKE_KEY, config, retry=RetryPolicy(base_delay=0.05)) as client:
                deadline = time.monotonic() + SECONDS
                while time.monotonic() < deadline:
                    panes = tuple(PaneSpec(MODELS[i % 4]) for i in range(16))
                    comparison = CompareRun(client, CompareRequest("go", panes))
                    comparison.start()
                    await asyncio.wait_for(comparison.wait(), timeout=30)  # no hang
                    for result in comparison.results:
                        assert result.state.final, result.state
                        states[result.state] = states.get(result.state, 0) + 1
                    rounds += 1
                    gc.collect()
                    memory.append(_rss_mb())
            return rounds, states, memory

        for model in MODELS:
            sim.set_default(model, paced)
        rounds, states, memory = asyncio.run(go())
        deadline = time.monotonic() + 3
        while sim.open_connections and time.monotonic() < deadline:
            time.sleep(0.02)
        assert sim.open_connections == 0
    assert rounds >= 2
    assert states.get(PaneState.DONE, 0) > 0 and states.get(PaneState.FAILED, 0) > 0  # chaos did happen
    settled = memory[len(memory) // 2 :]
    assert max(settled) - min(settled) < 20, memory  # MB: flat once warmed up
