"""Catalog parsing (defensive), search, filters, sorts, cache and diff."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from playground.core.catalog import (
    CatalogCache,
    ModelCatalog,
    ModelFilter,
    describe_age,
    parse_model,
    refresh_catalog,
)
from playground.simulator import Simulator
from tests.conftest import run
from tests.core.helpers import client_for

GPT = {
    "id": "openai/gpt-4o-mini",
    "canonical_slug": "openai/gpt-4o-mini-2024-07-18",
    "name": "OpenAI: GPT-4o Mini",
    "created": 1721260800,
    "description": "Small, fast, cheap.",
    "context_length": 128000,
    "architecture": {
        "modality": "text+image->text",
        "input_modalities": ["text", "image"],
        "output_modalities": ["text"],
        "tokenizer": "GPT",
        "instruct_type": None,
    },
    "pricing": {"prompt": "0.00000015", "completion": "0.0000006", "request": "0", "image": "0.000217"},
    "top_provider": {"context_length": 128000, "max_completion_tokens": 16384, "is_moderated": True},
    "per_request_limits": None,
    "supported_parameters": ["temperature", "tools", "max_tokens"],
    "brand_new_field": [1, 2, 3],
}
FREE = {
    "id": "meta-llama/llama-3.3-70b-instruct:free",
    "name": "Meta: Llama 3.3 70B (free)",
    "created": 1733500000,
    "context_length": 65536,
    "pricing": {"prompt": "0", "completion": "0"},
    "supported_parameters": ["temperature", "reasoning"],
}
AUTO = {
    "id": "openrouter/auto",
    "name": "Auto Router",
    "context_length": None,
    "pricing": {"prompt": "-1", "completion": "-1"},
}
MINIMAL = {"id": "x/bare"}


def test_parses_prices_as_exact_decimals_per_million() -> None:
    model = parse_model(GPT)
    assert model is not None
    assert model.prompt_per_million == Decimal("0.15") and model.completion_per_million == Decimal("0.6")
    assert model.input_modalities == ("text", "image") and model.max_completion_tokens == 16384
    assert model.cost(1000, 1000) == Decimal("0.00075")


def test_variable_missing_and_null_fields() -> None:
    auto, bare = parse_model(AUTO), parse_model(MINIMAL)
    assert (
        auto is not None
        and auto.variable_pricing
        and auto.prompt_price is None
        and auto.context_length is None
    )
    assert bare is not None and bare.name == "x/bare" and bare.prompt_price is None and not bare.is_free
    assert parse_model({"name": "no id"}) is None and parse_model("junk") is None


def test_free_detection() -> None:
    free = parse_model(FREE)
    assert free is not None and free.is_free


def _catalog() -> ModelCatalog:
    return ModelCatalog.from_raw([GPT, FREE, AUTO, MINIMAL, {"broken": True}])


def test_search_words_in_any_order_over_id_name_description() -> None:
    cat = _catalog()
    assert [m.id for m in cat.search(ModelFilter(query="mini openai"))] == ["openai/gpt-4o-mini"]
    assert [m.id for m in cat.search(ModelFilter(query="CHEAP small"))] == ["openai/gpt-4o-mini"]
    assert cat.search(ModelFilter(query="nothing-like-this")) == []
    assert len(cat) == 4


def test_filters() -> None:
    cat = _catalog()
    ids = lambda flt: {m.id for m in cat.search(flt)}  # noqa: E731
    assert ids(ModelFilter(free_only=True)) == {"meta-llama/llama-3.3-70b-instruct:free"}
    assert ids(ModelFilter(max_prompt_per_million=Decimal("0.2"))) == {
        "openai/gpt-4o-mini",
        "meta-llama/llama-3.3-70b-instruct:free",
    }
    assert ids(ModelFilter(min_context=100000)) == {"openai/gpt-4o-mini"}
    assert ids(ModelFilter(input_modality="image")) == {"openai/gpt-4o-mini"}
    assert ids(ModelFilter(parameter="reasoning")) == {"meta-llama/llama-3.3-70b-instruct:free"}


def test_sorts() -> None:
    cat = _catalog()
    assert [m.id for m in cat.search(sort="price")][:2] == [
        "meta-llama/llama-3.3-70b-instruct:free",
        "openai/gpt-4o-mini",
    ]
    assert cat.search(sort="context")[0].id == "openai/gpt-4o-mini"
    assert cat.search(sort="newest")[0].id == "meta-llama/llama-3.3-70b-instruct:free"
    assert next(m.name for m in cat.search(sort="name")) == "Auto Router"


def test_diff_added_removed_and_price_changed() -> None:
    old = ModelCatalog.from_raw([GPT, FREE])
    cheaper = json.loads(json.dumps(GPT))
    cheaper["pricing"]["prompt"] = "0.0000001"
    new = ModelCatalog.from_raw([cheaper, AUTO])
    diff = new.diff_from(old)
    assert diff.added == ("openrouter/auto",)
    assert diff.removed == ("meta-llama/llama-3.3-70b-instruct:free",)
    assert diff.price_changed == ("openai/gpt-4o-mini",)


def test_refresh_caches_with_fetch_time_and_serves_offline(sim: Simulator, tmp_path: Path) -> None:
    cache = CatalogCache(tmp_path / "models.json")

    async def go() -> ModelCatalog:
        async with client_for(sim) as client:
            return await refresh_catalog(client, cache, now=1000.0)

    fresh = run(go())
    assert len(fresh) == len(sim.models) and fresh.fetched_at == 1000.0
    cached = cache.load()
    assert cached is not None and cached.fetched_at == 1000.0
    assert {m.id for m in cached.models} == {m.id for m in fresh.models}


def test_second_refresh_records_the_diff(sim: Simulator, tmp_path: Path) -> None:
    cache = CatalogCache(tmp_path / "models.json")

    async def go() -> ModelCatalog:
        async with client_for(sim) as client:
            await refresh_catalog(client, cache)
            del sim.models["sim/long-context"]
            return await refresh_catalog(client, cache)

    assert run(go()).changes.removed == ("sim/long-context",)
    loaded = cache.load()
    assert loaded is not None and loaded.changes.removed == ("sim/long-context",)


def test_corrupt_cache_is_quarantined_not_lost(tmp_path: Path) -> None:
    path = tmp_path / "models.json"
    path.write_text("{not json")
    cache = CatalogCache(path)
    assert cache.load() is None
    kept = list(tmp_path.glob("models.json.corrupt-*"))
    assert len(kept) == 1 and kept[0].read_text() == "{not json"
    assert "damaged" in cache.warnings[0]


def test_age_words() -> None:
    assert [describe_age(s) for s in (5, 180, 7200, 86400 * 3)] == [
        "just now",
        "3 min ago",
        "2 h ago",
        "3 days ago",
    ]


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=10,
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from([*list(GPT), "id"]), _json, max_size=12))
def test_mutated_model_objects_parse_or_are_skipped(mutation: dict) -> None:
    entry = {**GPT, **mutation}
    model = parse_model(entry)
    catalog = ModelCatalog.from_raw([entry, FREE])
    assert len(catalog) in (1, 2)
    if model is not None:
        catalog.search(
            ModelFilter(query="a", max_prompt_per_million=Decimal(1), min_context=10), sort="price"
        )
        catalog.search(sort="newest")
