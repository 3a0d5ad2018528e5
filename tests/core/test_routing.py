"""Routing: fields sent exactly as chosen, what answered, constraint failures, free-model limits."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from playground.core.compare import CompareRequest, CompareRun, PaneSpec
from playground.core.events import Failed, FailureKind, Finished
from playground.core.library import template_request
from playground.core.request import ChatRequest
from playground.core.routing import Routing, RoutingError, routing_note, same_model, variants_for
from playground.core.templates import PromptTemplate, TemplateError
from playground.simulator import Behaviour, Simulator
from tests.conftest import run
from tests.core.helpers import SleepRecorder, client_for, collect, last


def _compare(sim: Simulator, request: CompareRequest) -> CompareRun:
    async def go() -> CompareRun:
        async with client_for(sim, sleep=SleepRecorder()) as client:
            comparison = CompareRun(client, request)
            comparison.start()
            await comparison.wait()
            return comparison

    return run(go())


def test_nothing_is_sent_when_nothing_is_chosen(sim: Simulator) -> None:
    _compare(sim, CompareRequest("hi", (PaneSpec("sim/quick-mini"),)))
    body = sim.chat_requests()[0].json()
    assert "models" not in body and "provider" not in body


def test_routing_fields_are_sent_exactly_as_chosen(sim: Simulator) -> None:
    shared = Routing(sort="price", deny_data_collection=True)
    pane = Routing(
        fallbacks=("sim/balanced-pro", "sim/quick-mini"),
        order=("Fast Lane", "Simulated Labs"),
        ignore=("Budget Cloud",),
        allow_fallbacks=False,
        max_price_prompt=Decimal("5"),
        max_price_completion=Decimal("20.5"),
    )
    request = CompareRequest(
        "hi", (PaneSpec("sim/long-context", routing=pane), PaneSpec("sim/deep-reasoner")), routing=shared
    )
    _compare(sim, request)
    bodies = {r.json()["model"]: r.json() for r in sim.chat_requests()}
    first = bodies["sim/long-context"]
    assert first["models"] == ["sim/long-context", "sim/balanced-pro", "sim/quick-mini"]
    assert first["provider"] == {
        "order": ["Fast Lane", "Simulated Labs"],
        "ignore": ["Budget Cloud"],
        "allow_fallbacks": False,
        "sort": "price",
        "data_collection": "deny",
        "max_price": {"prompt": 5.0, "completion": 20.5},
    }
    # the other pane gets only the shared (template) routing
    assert "models" not in bodies["sim/deep-reasoner"]
    assert bodies["sim/deep-reasoner"]["provider"] == {"sort": "price", "data_collection": "deny"}


def test_a_fallback_taken_is_named_and_marked(sim: Simulator) -> None:
    routing = Routing(fallbacks=("sim/quick-mini",))
    comparison = _compare(sim, CompareRequest("hi", (PaneSpec("fault/502", routing=routing),)))
    result = comparison.results[0]
    assert result.finished is not None and result.finished.served_model == "sim/quick-mini"
    assert result.routing_note == "fallback taken: sim/quick-mini answered, not fault/502"
    assert len(sim.chat_requests()) == 1  # OpenRouter falls back itself; no client retry


def test_auto_router_choice_is_named(sim: Simulator) -> None:
    comparison = _compare(sim, CompareRequest("hi", (PaneSpec("openrouter/auto"),)))
    assert comparison.results[0].routing_note == "auto router chose sim/quick-mini"


def test_provider_preferences_pick_the_provider_that_answers(sim: Simulator) -> None:
    panes = (
        PaneSpec("sim/balanced-pro", routing=Routing(sort="price")),
        PaneSpec("sim/balanced-pro", routing=Routing(sort="throughput")),
        PaneSpec("sim/balanced-pro:nitro"),
        PaneSpec("sim/balanced-pro:floor", routing=Routing(deny_data_collection=True)),
        PaneSpec("sim/balanced-pro"),
    )
    comparison = _compare(sim, CompareRequest("hi", panes))
    providers = [r.finished.provider if r.finished else None for r in comparison.results]
    assert providers == ["Budget Cloud", "Fast Lane", "Fast Lane", "Simulated Labs", "Simulated Labs"]
    # a variant or a provider choice is not "another model"
    assert all(r.routing_note is None for r in comparison.results)


def test_unmeetable_constraint_names_what_to_relax_and_is_not_retried(sim: Simulator) -> None:
    routing = Routing(max_price_prompt=Decimal("0.01"))
    comparison = _compare(sim, CompareRequest("hi", (PaneSpec("sim/balanced-pro", routing=routing),)))
    failed = comparison.results[0].failed
    assert failed is not None and failed.status == 503
    assert failed.message == (
        "sim/balanced-pro: no provider meets the routing constraints (503) - relax max price $0.01/M in"
    )
    assert len(sim.chat_requests()) == 1


def test_several_constraints_are_all_listed(sim: Simulator) -> None:
    routing = Routing(only=("Budget Cloud",), deny_data_collection=True)
    comparison = _compare(sim, CompareRequest("hi", (PaneSpec("sim/quick-mini", routing=routing),)))
    failed = comparison.results[0].failed
    assert failed is not None
    assert "relax one of: only providers Budget Cloud; data collection: deny" in failed.message


def test_a_503_without_constraints_is_still_retried(sim: Simulator) -> None:
    events = collect(sim, "fault/503", sleep=SleepRecorder())
    assert isinstance(last(events), Failed) and len(sim.chat_requests()) == 3


def test_free_model_limit_is_said_plainly(sim: Simulator) -> None:
    reset_ms = int((time.time() + 300) * 1000)
    limited = Behaviour(
        status=429,
        error_message="Rate limit exceeded: free-models-per-min.",
        error_metadata={
            "headers": {
                "X-RateLimit-Limit": "20",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": str(reset_ms),
            }
        },
        headers=(("Retry-After", "14"),),
    )
    sim.script("sim/open-llama:free", limited, limited, limited)
    sleep = SleepRecorder()
    events = collect(sim, "sim/open-llama:free", sleep=sleep)
    end = last(events)
    assert isinstance(end, Failed) and end.kind is FailureKind.RATE_LIMITED
    assert end.message == "sim/open-llama:free: free models: 20 requests per minute (429) - next slot in 14 s"
    assert sleep.delays and min(sleep.delays) >= 14  # never sooner than asked


def test_free_model_daily_limit() -> None:
    from playground.core.failures import sentence_for

    error = {
        "code": 429,
        "message": "Rate limit exceeded: free-models-per-day. Add 10 credits to unlock 1000",
    }
    words = sentence_for(429, "x/y:free", error, wait=None)
    assert words == (
        "x/y:free: free models: a limited number of requests per day (429) - the daily allowance is used up; "
        "it resets at midnight UTC"
    )
    paid = sentence_for(429, "x/y", error)
    assert "free models" not in paid


def test_same_model_and_notes() -> None:
    assert same_model("openai/gpt-4o-mini", "openai/gpt-4o-mini-2024-07-18")
    assert same_model("openai/gpt-4o-mini:nitro", "openai/gpt-4o-mini")
    assert not same_model("openai/gpt-4o", "openai/gpt-4o-mini")
    assert routing_note("a/b", "a/b-20260901") is None
    assert routing_note("a/b", "c/d") == "answered by c/d, not a/b"


def test_variants_are_offered_where_the_catalog_has_them() -> None:
    ids = ["sim/open-llama:free", "sim/quick-mini", "sim/balanced-pro", "sim/balanced-pro:free"]
    assert variants_for("sim/open-llama:free", ids) == ["free"]  # no paid version listed
    assert variants_for("sim/quick-mini", ids) == ["nitro", "floor"]
    assert variants_for("sim/balanced-pro:nitro", ids) == ["nitro", "floor", "free"]
    assert variants_for("openrouter/auto", ids) == []


def test_bad_routing_is_refused_with_a_sentence() -> None:
    with pytest.raises(RoutingError, match="sort"):
        Routing(sort="fastest")
    with pytest.raises(RoutingError, match="At most 3"):
        Routing(fallbacks=("a", "b", "c", "d"))
    with pytest.raises(RoutingError, match="Unknown routing field"):
        Routing.from_mapping({"provider": "x"})
    with pytest.raises(RoutingError, match="dollars"):
        Routing.from_mapping({"max_price_prompt": "cheap"})


def test_template_routing_round_trips_and_panes_override_it() -> None:
    template = PromptTemplate(
        "t", "Hello", models=("sim/quick-mini",), routing=Routing(only=("Fast Lane",), sort="latency")
    )
    text = template.to_toml()
    assert "[routing]" in text
    again = PromptTemplate.from_toml(text)
    assert again.routing == template.routing
    request = template_request(again, [], {}, routing=Routing(sort="price"))
    assert request.routing == Routing(only=("Fast Lane",), sort="price")
    body = ChatRequest("m/x", ({"role": "user", "content": "hi"},), routing=request.routing).body(stream=True)
    assert body["provider"] == {"only": ["Fast Lane"], "sort": "price"}
    with pytest.raises(TemplateError, match="routing"):
        PromptTemplate.from_toml('name = "t"\nprompt = "x"\n[routing]\nsort = "random"\n')


def test_finished_event_keeps_the_provider(sim: Simulator) -> None:
    events = collect(sim, "sim/quick-mini")
    end = last(events)
    assert isinstance(end, Finished) and end.provider == "Simulated Labs"
