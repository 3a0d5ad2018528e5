"""Other OpenAI-compatible endpoints: a key only ever reaches its own endpoint; mixed comparisons;
estimated tokens where the endpoint sends no usage; the endpoint list on disk."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from playground.core.compare import CompareRequest, CompareRun, PaneSpec
from playground.core.context import AppContext
from playground.core.endpoints import (
    Endpoint,
    EndpointStore,
    catalog_entries,
    keyring_name,
    split_ref,
)
from playground.core.errors import ConfigError, UnsafeBaseUrlError
from playground.core.routing import Routing
from playground.simulator import Behaviour, Simulator
from tests.conftest import FAKE_KEY, OTHER_KEY, run
from tests.core.keyrings import MemoryKeyring

ENDPOINT_KEY = "local-endpoint-token-" + "e" * 20


@pytest.fixture
def plain() -> Iterator[Simulator]:
    """A second simulator posing as a plain OpenAI-compatible server that wants its own key."""
    with Simulator(time_scale=0, openai_compatible=True, valid_keys={ENDPOINT_KEY}) as server:
        yield server


def _context(tmp_path: Path, base_url: str) -> AppContext:
    env = {
        "PLAYGROUND_HOME": str(tmp_path / "home"),
        "OPENROUTER_BASE_URL": base_url,
        "OPENROUTER_API_KEY": FAKE_KEY,
    }
    return AppContext.from_env(env, cwd=tmp_path, keyring_backend=MemoryKeyring())


def _compare(ctx: AppContext, request: CompareRequest) -> CompareRun:
    async def go() -> CompareRun:
        key = await ctx.active_key()
        async with await ctx.chat_client(key, [p.model for p in request.panes]) as client:
            comparison = CompareRun(client, request)
            comparison.start()
            await comparison.wait()
            return comparison

    return run(go())


def test_each_key_reaches_only_its_own_endpoint(sim: Simulator, plain: Simulator, tmp_path: Path) -> None:
    sim.valid_keys = {FAKE_KEY}
    ctx = _context(tmp_path, sim.base_url)
    run(ctx.keys.save_secret(keyring_name("local"), ENDPOINT_KEY))
    ctx.endpoints.add("local", plain.base_url, has_key=True)
    # a server that ignores stream_options.include_usage: its counts are estimated
    plain.script("sim/balanced-pro", Behaviour(text="from the local server", usage_form="none"))
    request = CompareRequest(
        "Compare us",
        (
            PaneSpec("sim/quick-mini", routing=Routing(sort="price")),
            PaneSpec("@local/sim/balanced-pro", routing=Routing(only=("X",), fallbacks=("a/b",))),
        ),
        routing=Routing(deny_data_collection=True),
    )
    comparison = _compare(ctx, request)
    assert comparison.all_complete, [r.failed for r in comparison.results]
    assert comparison.results[1].text == "from the local server"
    # OpenRouter saw only the OpenRouter key; the endpoint only its own
    openrouter_auth = {r.headers.get("authorization") for r in sim.requests}
    endpoint_auth = {r.headers.get("authorization") for r in plain.requests}
    assert openrouter_auth == {f"Bearer {FAKE_KEY}"}
    assert endpoint_auth == {f"Bearer {ENDPOINT_KEY}"}
    for request_seen in sim.requests:
        assert ENDPOINT_KEY not in request_seen.body.decode() + json.dumps(dict(request_seen.headers))
    for request_seen in plain.requests:
        assert FAKE_KEY not in request_seen.body.decode() + json.dumps(dict(request_seen.headers))
    # the endpoint got a plain OpenAI request: its own model id, no OpenRouter routing fields
    body = plain.chat_requests()[0].json()
    assert body["model"] == "sim/balanced-pro"
    assert "provider" not in body and "models" not in body
    assert sim.chat_requests()[0].json()["provider"] == {"sort": "price", "data_collection": "deny"}
    # no usage in the endpoint's stream: estimated, and marked so; OpenRouter's is reported
    local_usage, openrouter_usage = comparison.results[1].usage, comparison.results[0].usage
    assert local_usage is not None and local_usage.estimated and local_usage.cost is None
    assert local_usage.completion_tokens == (len("from the local server") + 3) // 4
    assert openrouter_usage is not None and not openrouter_usage.estimated and openrouter_usage.cost
    assert comparison.results[1].routing_note is None  # answering as "sim/balanced-pro" is no fallback


def test_a_keyless_endpoint_gets_no_authorization_at_all(sim: Simulator, tmp_path: Path) -> None:
    with Simulator(time_scale=0, openai_compatible=True) as open_server:
        ctx = _context(tmp_path, sim.base_url)
        ctx.endpoints.add("lan", open_server.base_url, has_key=False)
        comparison = _compare(ctx, CompareRequest("hi", (PaneSpec("@lan/sim/quick-mini"),)))
        assert comparison.all_complete
        assert all("authorization" not in r.headers for r in open_server.requests)


def test_endpoint_models_only_need_no_openrouter_key(tmp_path: Path) -> None:
    with Simulator(time_scale=0, openai_compatible=True) as open_server:
        env = {"PLAYGROUND_HOME": str(tmp_path / "home")}
        ctx = AppContext.from_env(env, cwd=tmp_path, keyring_backend=MemoryKeyring())
        ctx.endpoints.add("lan", open_server.base_url, has_key=False)

        async def go() -> CompareRun:
            async with await ctx.chat_client(None, ["@lan/sim/quick-mini", "sim/quick-mini"]) as client:
                comparison = CompareRun(
                    client,
                    CompareRequest("hi", (PaneSpec("@lan/sim/quick-mini"), PaneSpec("sim/quick-mini"))),
                )
                comparison.start()
                await comparison.wait()
                return comparison

        comparison = run(go())
        assert comparison.results[0].text and comparison.results[1].failed is not None
        assert "no OpenRouter key is set" in comparison.results[1].failed.message


def test_endpoint_models_list_in_openais_shape(plain: Simulator, tmp_path: Path) -> None:
    ctx = _context(tmp_path, plain.base_url)
    endpoint = Endpoint("local", plain.base_url)

    async def go() -> list:
        async with OpenRouterLike(ctx, endpoint) as client:
            return await client.models()

    raw = run(go())
    assert raw[0] == {
        "id": "sim/quick-mini",
        "object": "model",
        "created": 1_760_000_000,
        "owned_by": "library",
    }
    entries = catalog_entries(endpoint, [*raw, {"id": "big", "max_model_len": 32768}, {"no": "id"}])
    by_id = {m.id: m for m in entries}
    assert "@local/sim/quick-mini" in by_id and by_id["@local/big"].context_length == 32768
    assert by_id["@local/sim/quick-mini"].prompt_price is None  # unknown cost, shown as local


class OpenRouterLike:
    """The client an endpoint gets (keyless here, since the test server wants ENDPOINT_KEY only for chat)."""

    def __init__(self, ctx: AppContext, endpoint: Endpoint) -> None:
        self.ctx, self.endpoint = ctx, endpoint

    async def __aenter__(self):  # type: ignore[no-untyped-def]
        self.client = await self.ctx.endpoint_client(self.endpoint)
        return self.client

    async def __aexit__(self, *exc: object) -> None:
        await self.client.aclose()


def test_endpoint_store_rules(tmp_path: Path) -> None:
    store = EndpointStore(tmp_path / "endpoints.json")
    store.add("Ollama", "http://localhost:11434/v1/", has_key=False)
    assert store.load() == [Endpoint("ollama", "http://localhost:11434/v1", False)]
    store.add("lan", "http://192.168.1.20:8000/v1", has_key=False)  # no key: plain http is fine
    with pytest.raises(UnsafeBaseUrlError, match="only sent over https"):
        store.add("lan", "http://192.168.1.20:8000/v1", has_key=True)  # a key would travel in clear
    store.add("vllm", "https://gpu.example.com/v1", has_key=True)
    with pytest.raises(ConfigError, match="Endpoint name"):
        store.add("bad name!", "http://localhost/v1", has_key=False)
    with pytest.raises(UnsafeBaseUrlError):
        store.add("ftp", "ftp://localhost/v1", has_key=False)
    store.remove("lan")
    assert [e.name for e in store.load()] == ["ollama", "vllm"]
    with pytest.raises(ConfigError, match="No endpoint named 'nope'"):
        store.get("nope")
    assert "sk-or" not in store.path.read_text() and "token" not in store.path.read_text()
    store.path.write_text("{broken")
    warnings: list[str] = []
    assert EndpointStore(store.path, warnings).load() == [] and "damaged" in warnings[0]


def test_model_refs() -> None:
    assert split_ref("@ollama/llama3.2:3b") == ("ollama", "llama3.2:3b")
    assert split_ref("@lm/org/model") == ("lm", "org/model")
    assert split_ref("openai/gpt-4o") is None and split_ref("@nothing") is None


def test_unknown_endpoint_in_a_pane_is_a_usage_error(tmp_path: Path) -> None:
    ctx = _context(tmp_path, "http://127.0.0.1:9/api/v1")
    with pytest.raises(ConfigError, match="No endpoint named 'ghost'"):
        run(ctx.chat_client(None, ["@ghost/m"]))


def test_other_key_names_are_not_listed_as_openrouter_keys(tmp_path: Path) -> None:
    ctx = _context(tmp_path, "http://127.0.0.1:9/api/v1")
    run(ctx.keys.save_secret(keyring_name("local"), OTHER_KEY))
    assert ctx.keys.names() == []
    assert run(ctx.keys.get_secret(keyring_name("local"))).reveal() == OTHER_KEY
    run(ctx.keys.remove_secret(keyring_name("local")))
    assert run(ctx.keys.get_secret(keyring_name("local"))) is None


def test_endpoint_models_show_as_local_in_price_columns() -> None:
    from playground.core.format import per_million

    (model,) = catalog_entries(Endpoint("ollama", "http://localhost:11434/v1"), [{"id": "llama3.2"}])
    assert model.id == "@ollama/llama3.2"
    assert per_million(model, "prompt") == per_million(model, "completion") == "local"
