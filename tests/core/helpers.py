"""Small helpers for core tests: a client on the simulator, collecting a stream's events."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playground.core.events import Delta, Failed, Finished, Reasoning, StreamEvent, Usage
from playground.core.openrouter import ClientConfig, OpenRouterClient
from playground.core.request import ChatRequest
from playground.core.retry import RetryPolicy
from playground.simulator import Simulator
from tests.conftest import FAKE_KEY, run


class SleepRecorder:
    """Stands in for asyncio.sleep so retry tests check the delays without waiting them out."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


def client_for(
    sim: Simulator,
    *,
    key: str | None = FAKE_KEY,
    sleep: Callable[..., Any] | None = None,
    idle_timeout: float = 60.0,
    retry: RetryPolicy | None = None,
) -> OpenRouterClient:
    kwargs: dict[str, Any] = {}
    if sleep is not None:
        kwargs["sleep"] = sleep
    return OpenRouterClient(
        key,
        ClientConfig(base_url=sim.base_url, idle_timeout=idle_timeout),
        retry=retry or RetryPolicy(rng=lambda: 1.0),
        **kwargs,
    )


def collect(sim: Simulator, model: str, prompt: str = "Say hello", **kwargs: Any) -> list[StreamEvent]:
    async def go() -> list[StreamEvent]:
        async with client_for(sim, **kwargs) as client:
            return [e async for e in client.stream_chat(ChatRequest.simple(model, prompt))]

    return run(go())


def text_of(events: list[StreamEvent]) -> str:
    return "".join(e.text for e in events if isinstance(e, Delta))


def reasoning_of(events: list[StreamEvent]) -> str:
    return "".join(e.text for e in events if isinstance(e, Reasoning))


def last(events: list[StreamEvent]) -> StreamEvent:
    terminal = [e for e in events if isinstance(e, Finished | Failed)]
    assert len(terminal) == 1, f"expected exactly one terminal event, got {terminal}"
    assert events[-1] is terminal[0]
    return terminal[0]


def usage_of(events: list[StreamEvent]) -> Usage | None:
    found = [e for e in events if isinstance(e, Usage)]
    return found[-1] if found else None
