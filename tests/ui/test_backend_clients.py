"""Changing a client setting while answers stream never touches the running answers.

The network thread's StreamBackend owns every client: a setting change builds new clients for the
next requests, and a replaced client is closed only when the last answer using it has ended.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pytest

from playground.core.compare import PaneState
from playground.simulator import Behaviour, Simulator
from playground.ui.response_pane import ResponsePane
from tests.conftest import FAKE_KEY, OTHER_KEY
from tests.ui.conftest import Harness, wait_until

ANSWER = " ".join(f"word{i}" for i in range(120))
PACED = Behaviour(
    text=ANSWER, tokens_per_second=40, ttft=0, keepalive=False
)  # 3 s: still running after a change
QUICK = Behaviour(text="next answer", tokens_per_second=0, ttft=0)


@pytest.fixture
def local() -> Iterator[Simulator]:
    """A plain OpenAI-compatible server (like a local Ollama), keyless."""
    with Simulator(time_scale=0, openai_compatible=True) as server:
        yield server


def _harness(make_harness: Callable[..., Harness], local: Simulator) -> Harness:
    h = make_harness(env={"OPENROUTER_API_KEY": ""})
    h.ctx.keys.hold_for_session("first", FAKE_KEY)
    h.ctx.endpoints.add("local", local.base_url, has_key=False)
    h.sim.valid_keys = {FAKE_KEY, OTHER_KEY}
    h.sim.set_default("sim/quick-mini", PACED)
    local.set_default("sim/quick-mini", PACED)
    return h


async def _streaming(h: Harness) -> list[ResponsePane]:
    """Both panes have received their first words and are still streaming."""
    panes = h.window.compare.panes
    await wait_until(lambda: all(p.result.text for p in panes), what="the first words of every pane")
    return panes


async def _both_complete(h: Harness, panes: list[ResponsePane]) -> None:
    await h.finish(timeout=30)
    for pane in panes:
        assert pane.result.state is PaneState.DONE, pane.result.failed
        assert pane.outputView.text == ANSWER


async def _start(h: Harness) -> list[ResponsePane]:
    await h.start()
    await wait_until(lambda: "@local/sim/quick-mini" in h.window.compare.model_ids, what="local models")
    h.set_models("sim/quick-mini", "@local/sim/quick-mini")
    await h.send()
    return await _streaming(h)


def _assert_still_streaming(panes: list[ResponsePane]) -> None:
    """The change happened while both answers were in flight (else the test proves nothing)."""
    assert all(p.result.state is PaneState.STREAMING for p in panes)


def test_log_prompts_switch_while_streaming(
    aio, make_harness: Callable[..., Harness], local: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    h = _harness(make_harness, local)
    caplog.set_level(logging.INFO, logger="playground.core.openrouter")

    async def go() -> None:
        panes = await _start(h)
        h.window.logPromptsAction.trigger()
        await wait_until(
            lambda: "Prompts and answers will be logged" in h.window.statusBar().currentMessage()
        )
        _assert_still_streaming(panes)
        await _both_complete(h, panes)
        assert "word119" not in caplog.text  # the running answers kept their client: not logged
        h.sim.set_default("sim/quick-mini", QUICK)
        local.set_default("sim/quick-mini", QUICK)
        await h.send("Second question")
        await h.finish()
        assert caplog.text.count("next answer") == 2  # the next run used the new clients: both logged
        await wait_until(lambda: h.session.backend.open_clients == 2, what="the old clients to close")
        await h.close()

    aio(go())


def test_key_change_while_streaming(aio, make_harness: Callable[..., Harness], local: Simulator) -> None:
    h = _harness(make_harness, local)

    async def go() -> None:
        panes = await _start(h)
        await h.session.keys.save_session_key("second", OTHER_KEY)
        _assert_still_streaming(panes)
        await _both_complete(h, panes)
        h.sim.set_default("sim/quick-mini", QUICK)
        await h.send("Second question")
        await h.finish()
        keys = [r.headers.get("authorization") for r in h.sim.chat_requests()]
        assert keys == [f"Bearer {FAKE_KEY}", f"Bearer {OTHER_KEY}"]
        await wait_until(lambda: h.session.backend.open_clients == 2, what="the old client to close")
        await h.close()

    aio(go())


def test_endpoint_refresh_while_streaming(
    aio, make_harness: Callable[..., Harness], local: Simulator
) -> None:
    h = _harness(make_harness, local)

    async def go() -> None:
        panes = await _start(h)
        await h.session.models.refresh_endpoints()
        _assert_still_streaming(panes)
        await _both_complete(h, panes)
        local.set_default("sim/quick-mini", QUICK)
        h.set_models("@local/sim/quick-mini")
        await h.send("Second question")
        await h.finish()
        assert h.window.compare.panes[0].outputView.text == "next answer"
        await h.close()

    aio(go())
