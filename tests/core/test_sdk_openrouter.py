"""The simulator, proven against OpenRouter's official Python SDK (PyPI ``openrouter``).

Its raw answers match the SDK's own types (models and TypedDicts), and the SDK's high-level calls -
models, key, generation, credits, chat streamed and not, typed errors - work against it on loopback.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from openrouter import OpenRouter, components, errors, operations

from playground.simulator import FAULTS, Behaviour, Simulator
from tests.conftest import FAKE_KEY, OTHER_KEY, run
from tests.core.sdk_helpers import NO_RETRY, chat, chunks, get, post_chat, rejections, sse_data

# The SDK marks two fields of /key deprecated (rate_limit, is_provisioning_key) yet requires them;
# it warns while parsing them, which this suite otherwise turns into errors.
SDK_DEPRECATION = "ignore:warning.*DEPRECATED:DeprecationWarning"

STREAMS = {
    "plain": chat("sim/quick-mini"),
    "reasoning": chat("sim/deep-reasoner"),
    "cut at max_tokens": chat("sim/balanced-pro", max_tokens=5),
    "fallback": chat("no/such-model", models=["sim/open-llama:free"]),
    "routed": chat("sim/quick-mini", provider={"sort": "throughput"}),
    "router": chat("openrouter/auto"),
    "image in": {
        "model": "sim/vision-large",
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "What is this?"},
                    {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
                ],
            }
        ],
    },
    "usage with a choice": chat("one/choice"),
    "error, then finish_reason error": chat("fault/stream-error"),
    "error with no choices": chat("no/choices"),
    "finish_reason error alone": chat("fault/stream-error-4"),
}


@pytest.fixture
def sdk(sim: Simulator) -> Iterator[OpenRouter]:
    with OpenRouter(api_key=FAKE_KEY, server_url=sim.base_url, retry_config=NO_RETRY) as client:
        yield client


def _script_odd_models(sim: Simulator) -> None:
    sim.set_default("one/choice", Behaviour(usage_form="one_choice"))
    sim.set_default("no/choices", Behaviour(end="stream_error", error_variant=2, end_after=3))


@pytest.mark.parametrize("body", STREAMS.values(), ids=list(STREAMS))
def test_every_streamed_chunk_has_the_sdks_shape(sim: Simulator, body: dict[str, Any]) -> None:
    _script_odd_models(sim)
    answer = post_chat(sim.base_url, {**body, "stream": True})
    assert answer.status_code == 200
    payloads = list(sse_data(answer.text))
    assert len(payloads) >= 3
    for payload in payloads:
        assert rejections(components.ChatStreamChunk, components.ChatStreamChunkTypedDict, payload) == []
    ends = chunks(answer.text)[-1]
    assert ends.get("usage") or ends.get("error") or ends["choices"][0]["finish_reason"] == "error"


@pytest.mark.parametrize("model", ["sim/quick-mini", "sim/deep-reasoner", "openrouter/auto"])
def test_plain_answers_have_the_sdks_shape(sim: Simulator, model: str) -> None:
    answer = post_chat(sim.base_url, chat(model))
    assert rejections(components.ChatResult, components.ChatResultTypedDict, answer.text) == []


def test_the_sdk_streams_an_answer_with_exact_usage(sim: Simulator, sdk: OpenRouter) -> None:
    sim.script("sim/deep-reasoner", Behaviour(text="one two three", reasoning="think hard"))
    text, reasoning, last = "", "", None
    with sdk.chat.send(
        model="sim/deep-reasoner", messages=[{"role": "user", "content": "Hi"}], stream=True
    ) as s:
        for chunk in s:
            for choice in chunk.choices:
                text += choice.delta.content or ""
                reasoning += choice.delta.reasoning or ""
            last = chunk
    assert (text, reasoning) == ("one two three", "think hard")
    assert last is not None and last.usage is not None
    usage = last.usage
    assert (usage.completion_tokens, usage.completion_tokens_details.reasoning_tokens) == (5, 2)  # type: ignore[union-attr]
    details = usage.cost_details
    assert isinstance(details, components.CostDetails)  # parsed, not dropped as "unset"
    split = details.upstream_inference_prompt_cost + details.upstream_inference_completions_cost
    assert split == pytest.approx(usage.cost)


def test_the_sdk_reads_a_plain_answer_and_its_generation(sim: Simulator, sdk: OpenRouter) -> None:
    sim.script("sim/balanced-pro", Behaviour(text="a short answer"))
    result = sdk.chat.send(model="sim/balanced-pro", messages=[{"role": "user", "content": "Hi"}])
    assert result.choices[0].message.content == "a short answer"
    assert isinstance(result.system_fingerprint, str)
    assert result.usage is not None and result.usage.cost
    stats = sdk.generations.get_generation(id=result.id).data
    assert (stats.id, stats.model, stats.streamed) == (result.id, "sim/balanced-pro", False)
    assert stats.total_cost == pytest.approx(result.usage.cost)
    assert stats.tokens_completion == result.usage.completion_tokens == 3
    raw = get(sim.base_url, "/generation", id=result.id).text
    assert rejections(components.GenerationResponse, components.GenerationResponseTypedDict, raw) == []


def test_a_streamed_generation_is_marked_streamed(sim: Simulator, sdk: OpenRouter) -> None:
    answer = post_chat(sim.base_url, chat("sim/quick-mini", stream=True))
    generation_id = answer.headers["x-generation-id"]
    assert sdk.generations.get_generation(id=generation_id).data.streamed is True


def test_the_models_list_has_the_sdks_shape_and_pages(sim: Simulator, sdk: OpenRouter) -> None:
    for query in ({}, {"output_modalities": "all"}, {"offset": 2, "limit": 2}):
        raw = get(sim.base_url, "/models", **query).text
        assert rejections(components.ModelsListResponse, components.ModelsListResponseTypedDict, raw) == []
    page = sdk.models.list(limit=3)
    seen: list[str] = []
    while page is not None:
        assert page.result.total_count == len(sim.models)
        seen += [m.id for m in page.result.data]
        page = page.next()
    assert seen == list(sim.models)
    whole = sdk.models.list()  # the SDK's default: offset 0, limit 500
    assert whole is not None and [m.id for m in whole.result.data] == list(sim.models)
    assert whole.result.links.next is None and whole.next() is None
    assert sdk.models.count().data.count == len(sim.models)


def test_one_model_by_slug(sim: Simulator, sdk: OpenRouter) -> None:
    listed = {m["id"]: m for m in get(sim.base_url, "/models").json()["data"]}
    for model_id in sim.models:
        answer = get(sim.base_url, f"/model/{model_id}")
        assert rejections(components.ModelResponse, components.ModelResponseTypedDict, answer.text) == []
        assert answer.json()["data"] == listed[model_id]  # the same entry as in the list
    model = sdk.models.get(author="sim", slug="deep-reasoner").data
    assert model.reasoning is not None and model.reasoning.default_effort == "medium"
    assert model.pricing.prompt == "0.0000011" and model.links.details
    with pytest.raises(errors.NotFoundResponseError):
        sdk.models.get(author="sim", slug="nothing-here")


@pytest.mark.filterwarnings(SDK_DEPRECATION)
def test_the_key_endpoints_have_the_sdks_shape(sim: Simulator, sdk: OpenRouter) -> None:
    for path in ("/key", "/auth/key"):
        raw = get(sim.base_url, path).text
        assert (
            rejections(operations.GetCurrentKeyResponse, operations.GetCurrentKeyResponseTypedDict, raw) == []
        )
    sim.key_data = {"limit": None, "limit_remaining": None, "is_free_tier": True}
    info = sdk.api_keys.get_current_key_metadata().data
    assert info.label == f"{FAKE_KEY[:12]}...{FAKE_KEY[-3:]}"
    assert (info.limit, info.is_free_tier, info.usage_monthly) == (None, True, 7.5)


def test_credits_for_a_management_key_and_403_otherwise(sim: Simulator, sdk: OpenRouter) -> None:
    with pytest.raises(errors.ForbiddenResponseError):
        sdk.credits.get_credits()
    sim.key_data = {"is_management_key": True}
    credits = sdk.credits.get_credits().data
    assert (credits.total_credits, credits.total_usage) == (25.0, 7.25)
    raw = get(sim.base_url, "/credits").text
    assert rejections(operations.GetCreditsResponse, operations.GetCreditsResponseTypedDict, raw) == []


HTTP_ERRORS = {
    "400": errors.BadRequestResponseError,
    "401": errors.UnauthorizedResponseError,
    "402": errors.PaymentRequiredResponseError,
    "403": errors.ForbiddenResponseError,
    "403-limit": errors.ForbiddenResponseError,
    "404": errors.NotFoundResponseError,
    "408": errors.RequestTimeoutResponseError,
    "413": errors.PayloadTooLargeResponseError,
    "422": errors.UnprocessableEntityResponseError,
    "429": errors.TooManyRequestsResponseError,
    "500": errors.InternalServerResponseError,
    "502": errors.BadGatewayResponseError,
    "503": errors.ServiceUnavailableResponseError,
    "524": errors.EdgeNetworkTimeoutResponseError,
    "529": errors.ProviderOverloadedResponseError,
}


@pytest.mark.parametrize(("fault", "error_class"), HTTP_ERRORS.items(), ids=list(HTTP_ERRORS))
def test_http_errors_are_the_sdks_typed_errors(
    sim: Simulator, sdk: OpenRouter, fault: str, error_class: type
) -> None:
    with pytest.raises(error_class) as caught:
        sdk.chat.send(model=f"fault/{fault}", messages=[{"role": "user", "content": "Hi"}])
    error = caught.value.data.error  # type: ignore[attr-defined]
    assert (error.code, error.message) == (FAULTS[fault].status, FAULTS[fault].error_message)
    body = post_chat(sim.base_url, chat(f"fault/{fault}")).json()
    inner = getattr(components, f"{error_class.__name__}DataTypedDict")  # the error object itself
    assert rejections(inner, inner, json.dumps(body["error"])) == []


def test_the_simulators_own_refusals_are_typed_errors(sim: Simulator, sdk: OpenRouter) -> None:
    hi = [{"role": "user", "content": "Hi"}]
    with pytest.raises(errors.BadRequestResponseError, match="not a valid model ID"):
        sdk.chat.send(model="no/such-model", messages=hi)
    with pytest.raises(errors.ServiceUnavailableResponseError, match="No allowed providers"):
        sdk.chat.send(model="sim/quick-mini", messages=hi, provider={"only": ["Nobody"]})
    sim.valid_keys = {OTHER_KEY}
    with pytest.raises(errors.UnauthorizedResponseError, match="User not found"):
        sdk.chat.send(model="sim/quick-mini", messages=hi)


@pytest.mark.parametrize("variant", [1, 2, 4])
def test_the_sdk_reads_each_default_in_stream_error_form(
    sim: Simulator, sdk: OpenRouter, variant: int
) -> None:
    sim.script(
        "sim/quick-mini", Behaviour(text="a b c d e", end="stream_error", error_variant=variant, end_after=3)
    )
    text, failures, finish = "", [], []
    with sdk.chat.send(
        model="sim/quick-mini", messages=[{"role": "user", "content": "Hi"}], stream=True
    ) as s:
        for chunk in s:
            text += "".join(c.delta.content or "" for c in chunk.choices)
            finish += [c.finish_reason for c in chunk.choices if c.finish_reason]
            if chunk.error is not None:
                failures.append(chunk.error)
    assert text == "a b c"
    if variant == 4:  # no error object at all: only the finish reason says so
        assert (failures, finish) == ([], ["error"])
    else:
        (error,) = failures
        assert error.code == 502 and error.metadata is not None and error.metadata.error_type == "server"


ODD_FORMS = {
    "stream-error-2": {"error.code: Input should be a valid integer, unable to parse string as an integer"},
    "stream-error-3": {"choices: Field required", "id: Field required", "created: Field required"},
    "wild-chunks": {
        "system_fingerprint: Input should be a valid string",
        "usage.cost_details.upstream_inference_prompt_cost: Field required",
    },
}


@pytest.mark.parametrize(("fault", "expected"), ODD_FORMS.items(), ids=list(ODD_FORMS))
def test_odd_forms_from_the_wild_are_opt_in_and_the_check_catches_them(
    sim: Simulator, fault: str, expected: set[str]
) -> None:
    """These were the simulator's defaults; they stay as named faults the app's tests opt into."""
    answer = post_chat(sim.base_url, chat(f"fault/{fault}", stream=True))
    found: set[str] = set()
    for payload in sse_data(answer.text):
        found |= set(rejections(components.ChatStreamChunk, components.ChatStreamChunkTypedDict, payload))
    assert {e.removeprefix("body.") for e in found} >= expected


def test_each_models_endpoints_list_has_the_sdks_shape(sim: Simulator, sdk: OpenRouter) -> None:
    origin = sim.base_url.removesuffix("/api/v1")
    for model in get(sim.base_url, "/models").json()["data"]:
        raw = get(origin, model["links"]["details"]).text  # the link each model entry gives
        assert (
            rejections(operations.ListEndpointsResponse, operations.ListEndpointsResponseTypedDict, raw) == []
        )
    listing = sdk.endpoints.list(author="sim", slug="quick-mini").data
    assert [e.provider_name for e in listing.endpoints] == ["Simulated Labs", "Budget Cloud", "Fast Lane"]
    budget = listing.endpoints[1]
    assert (budget.pricing.prompt, budget.quantization) == ("0.00000009", "fp8")  # 0.6 x the list price
    with pytest.raises(errors.NotFoundResponseError):
        sdk.endpoints.list(author="sim", slug="nothing-here")


def test_the_async_sdk_streams_from_the_simulator(sim: Simulator) -> None:
    sim.script("sim/quick-mini", Behaviour(text="async and whole"))

    async def go() -> tuple[str, float | None]:
        async with OpenRouter(api_key=FAKE_KEY, server_url=sim.base_url, retry_config=NO_RETRY) as client:
            stream = await client.chat.send_async(
                model="sim/quick-mini", messages=[{"role": "user", "content": "Hi"}], stream=True
            )
            text, cost = "", None
            async with stream as chunks_in:
                async for chunk in chunks_in:
                    text += "".join(c.delta.content or "" for c in chunk.choices)
                    cost = chunk.usage.cost if chunk.usage is not None else cost  # type: ignore[assignment]
            return text, cost

    text, cost = run(go())
    assert text == "async and whole" and cost
