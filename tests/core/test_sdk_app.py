"""The app's own client on the SDK-shaped simulator: OpenAI-compatible endpoints are asked for usage,
so their figures are exact, and the odd forms seen in the wild still parse."""

from __future__ import annotations

from pathlib import Path

from playground.core.compare import CompareRequest, CompareRun, PaneSpec
from playground.core.context import AppContext
from playground.core.events import Failed, FailureKind, Finished, Usage
from playground.simulator import Behaviour, Simulator
from playground.simulator.models import tokenize
from tests.conftest import FAKE_KEY, run
from tests.core.helpers import collect, text_of
from tests.core.keyrings import MemoryKeyring

PROMPT = "How do ETags work with caches?"
ANSWER = "They let a cache ask whether its copy is still fresh, café."


def _compare(tmp_path: Path, openrouter: Simulator, endpoint: Simulator, *models: str) -> CompareRun:
    env = {
        "PLAYGROUND_HOME": str(tmp_path / "home"),
        "OPENROUTER_BASE_URL": openrouter.base_url,
        "OPENROUTER_API_KEY": FAKE_KEY,
    }
    ctx = AppContext.from_env(env, cwd=tmp_path, keyring_backend=MemoryKeyring())
    ctx.endpoints.add("local", endpoint.base_url, has_key=False)

    async def go() -> CompareRun:
        async with await ctx.chat_client(await ctx.active_key(), list(models)) as client:
            comparison = CompareRun(client, CompareRequest(PROMPT, tuple(PaneSpec(m) for m in models)))
            comparison.start()
            await comparison.wait()
            return comparison

    return run(go())


def test_an_endpoint_that_honours_include_usage_gets_exact_figures(sim: Simulator, tmp_path: Path) -> None:
    with Simulator(time_scale=0, openai_compatible=True) as local:
        local.script("sim/balanced-pro", Behaviour(text=ANSWER))
        comparison = _compare(tmp_path, sim, local, "@local/sim/balanced-pro", "sim/quick-mini")
        assert comparison.all_complete, [r.failed for r in comparison.results]
        usage = comparison.results[0].usage
        assert usage is not None and not usage.estimated  # no "~ estimated": the server counted
        assert usage.completion_tokens == len(tokenize(ANSWER))  # the server's count, not chars / 4
        assert usage.prompt_tokens == len(PROMPT) // 4
        assert usage.cost is None  # a local server names no price
        assert local.chat_requests()[0].json()["stream_options"] == {"include_usage": True}
        # OpenRouter always sends usage: it is not asked
        assert "stream_options" not in sim.chat_requests()[0].json()


def test_an_endpoint_that_ignores_include_usage_is_still_estimated(sim: Simulator, tmp_path: Path) -> None:
    with Simulator(time_scale=0, openai_compatible=True) as old:
        old.script("sim/balanced-pro", Behaviour(text=ANSWER, usage_form="none"))
        comparison = _compare(tmp_path, sim, old, "@local/sim/balanced-pro")
        usage = comparison.results[0].usage
        assert usage is not None and usage.estimated
        assert usage.completion_tokens == (len(ANSWER) + 3) // 4


def test_the_app_reads_the_odd_forms_from_the_wild(sim: Simulator) -> None:
    events = collect(sim, "fault/wild-chunks")  # null fingerprint, short cost_details
    assert isinstance(events[-1], Finished) and text_of(events)
    (usage,) = [e for e in events if isinstance(e, Usage)]
    assert usage.cost and not usage.estimated


def test_the_app_reads_a_plain_servers_mid_stream_error(sim: Simulator) -> None:
    with Simulator(time_scale=0, openai_compatible=True) as local:
        local.script("sim/quick-mini", Behaviour(text="a b c", end="stream_error", end_after=2))
        events = collect(local, "sim/quick-mini")
    end = events[-1]
    assert isinstance(end, Failed) and end.kind == FailureKind.SERVER and end.partial
    assert text_of(events) == "a b" and "Provider returned error" in (end.detail or "")
