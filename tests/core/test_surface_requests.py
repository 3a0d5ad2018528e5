"""Requests beyond plain chat, end to end against the simulator: structured outputs, tools,
web search, reasoning, presets, caching, images, the rest of provider routing."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from playground.core.compare import CompareRequest, CompareRun, PaneResult, PaneSpec
from playground.core.endpoints import split_ref, validate_endpoint_name
from playground.core.errors import ConfigError
from playground.core.events import Citation, Finished, Image, ToolCall
from playground.core.openrouter import ClientConfig, OpenRouterClient
from playground.core.request import ChatParams, ChatRequest
from playground.core.routing import Routing, routing_note
from playground.core.structured import JSON_OBJECT, json_schema_format, load_schema, validate_answer
from playground.core.tools import check_tools
from playground.simulator import Behaviour, Simulator
from playground.simulator.features import IMAGE_MODEL
from playground.simulator.models import DEFAULT_MODELS
from tests.conftest import run
from tests.core.helpers import client_for

SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "population": {"type": "integer"}},
    "required": ["city", "population"],
    "additionalProperties": False,
}
WEATHER = check_tools(
    [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "parameters": {
                    "type": "object",
                    "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
                    "required": ["city"],
                },
            },
        }
    ]
)


def compare(sim: Simulator, request: CompareRequest) -> list[PaneResult]:
    async def go() -> list[PaneResult]:
        async with client_for(sim) as client:
            comparison = CompareRun(client, request)
            comparison.start()
            await comparison.wait()
            return comparison.results

    return run(go())


def one(
    sim: Simulator, model: str, params: ChatParams, prompt: str = "Largest city?", **kw: object
) -> PaneResult:
    return compare(sim, CompareRequest(prompt, (PaneSpec(model),), params=params, **kw))[0]  # type: ignore[arg-type]


def test_strict_schema_is_sent_and_the_answer_is_checked_valid(sim: Simulator) -> None:
    result = one(sim, "sim/quick-mini", ChatParams(response_format=json_schema_format(SCHEMA, "city info")))
    body = sim.chat_requests()[0].json()
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "city_info", "strict": True, "schema": SCHEMA},
    }
    assert result.schema is not None and result.schema.valid and result.schema.message == "valid JSON"
    assert set(json.loads(result.text)) == {"city", "population"}


def test_an_answer_that_breaks_the_schema_names_the_first_error_and_its_path(sim: Simulator) -> None:
    sim.script("sim/quick-mini", Behaviour(text='{"city": "Paris", "population": "lots"}'))
    result = one(sim, "sim/quick-mini", ChatParams(response_format=json_schema_format(SCHEMA)))
    assert result.schema is not None and not result.schema.valid
    assert result.schema.message.startswith("$.population: 'lots' is not of type 'integer'")


def test_json_object_mode_reports_text_that_is_not_json(sim: Simulator) -> None:
    sim.script("sim/quick-mini", Behaviour(text="Sure! Here it is: {"))
    result = one(sim, "sim/quick-mini", ChatParams(response_format=JSON_OBJECT))
    assert sim.chat_requests()[0].json()["response_format"] == {"type": "json_object"}
    assert result.schema is not None and not result.schema.valid
    assert result.schema.message.startswith("not JSON (line 1")


def test_nested_paths_and_fenced_json() -> None:
    schema = {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "string"}}}}
    check = validate_answer('```json\n{"items": ["a", 2]}\n```', schema)
    assert (check.valid, check.message) == (False, "$.items[1]: 2 is not of type 'string'")


def test_a_schema_file_that_is_not_a_schema_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"type": 12}')
    with pytest.raises(ConfigError, match=r"bad\.json: not a valid JSON Schema"):
        load_schema(bad)
    bad.write_text("{not json")
    with pytest.raises(ConfigError, match="is not valid JSON"):
        load_schema(bad)


def test_streamed_tool_call_arguments_are_joined_and_the_answer_is_complete(sim: Simulator) -> None:
    result = one(
        sim, "sim/quick-mini", ChatParams(tools=WEATHER, tool_choice="get_weather"), "Weather in Paris?"
    )
    body = sim.chat_requests()[0].json()
    assert body["tools"] == [dict(WEATHER[0])]
    assert body["tool_choice"] == {"type": "function", "function": {"name": "get_weather"}}
    assert result.state.name == "DONE"  # finish_reason tool_calls is a whole answer
    assert result.finished is not None and result.finished.finish_reason == "tool_calls"
    [call] = result.tool_calls
    assert call.name == "get_weather" and call.call_id.startswith("call_")
    assert json.loads(call.arguments) == {"city": "Weather Paris", "days": 3}  # sent in 7-char pieces
    assert len(call.arguments) > 7


def test_a_tool_result_continues_the_thread(sim: Simulator) -> None:
    first = one(sim, "sim/quick-mini", ChatParams(tools=WEATHER), "Weather in Paris?")
    call = first.tool_calls[0]
    messages = (
        {"role": "user", "content": "Weather in Paris?"},
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [
                {
                    "id": call.call_id,
                    "type": "function",
                    "function": {"name": call.name, "arguments": call.arguments},
                }
            ],
        },
        {"role": "tool", "tool_call_id": call.call_id, "content": "18 C and sunny"},
    )

    async def go() -> list[object]:
        async with client_for(sim) as client:
            request = ChatRequest("sim/quick-mini", messages, ChatParams(tools=WEATHER))
            return [e async for e in client.stream_chat(request)]

    events = run(go())
    text = "".join(getattr(e, "text", "") for e in events if type(e).__name__ == "Delta")
    assert "18 C and sunny" in text
    assert not [e for e in events if isinstance(e, ToolCall)]
    assert sim.chat_requests()[-1].json()["messages"][-1]["tool_call_id"] == call.call_id


def test_tool_choice_none_gets_text(sim: Simulator) -> None:
    result = one(sim, "sim/quick-mini", ChatParams(tools=WEATHER, tool_choice="none"))
    assert sim.chat_requests()[0].json()["tool_choice"] == "none"
    assert result.text and not result.tool_calls


def test_web_search_sends_the_server_tool_and_numbers_the_citations(sim: Simulator) -> None:
    result = one(sim, "sim/quick-mini", ChatParams(web_search=2), "http caching")
    body = sim.chat_requests()[0].json()
    assert body["tools"] == [{"type": "openrouter:web_search", "parameters": {"max_results": 2}}]
    assert [(c.number, c.url) for c in result.citations] == [
        (1, "https://example.org/http-caching/1"),
        (2, "https://example.org/http-caching/2"),
    ]
    assert result.citations[0].title == "Source 1 on http caching"
    assert "plugins" not in body and ":online" not in body["model"]


def test_reasoning_controls_reach_the_request(sim: Simulator) -> None:
    one(sim, "sim/deep-reasoner", ChatParams(reasoning_effort="xhigh", exclude_reasoning=True))
    one(sim, "sim/deep-reasoner", ChatParams(reasoning_max_tokens=2048))
    first, second = (r.json() for r in sim.chat_requests())
    assert first["reasoning"] == {"effort": "xhigh", "exclude": True}
    assert second["reasoning"] == {"max_tokens": 2048}


def test_a_preset_is_a_model_id_and_says_which_model_answered(sim: Simulator) -> None:
    result = one(sim, "@preset/demo", ChatParams())
    assert sim.chat_requests()[0].json()["model"] == "@preset/demo"
    assert result.state.name == "DONE"
    assert result.routing_note == "preset demo: sim/quick-mini answered"
    assert split_ref("@preset/demo") is None  # never an endpoint model
    assert routing_note("@preset/x", "@preset/x") is None


def test_the_endpoint_name_preset_is_reserved() -> None:
    with pytest.raises(ConfigError, match="reserved"):
        validate_endpoint_name("preset")


def test_cache_prompt_marks_system_and_reports_cached_tokens(sim: Simulator) -> None:
    params = ChatParams(cache_prompt=True)
    request = CompareRequest(
        "hello", (PaneSpec("sim/quick-mini"),), system="You are terse. " * 40, params=params
    )
    first = compare(sim, request)[0]
    second = compare(sim, request)[0]
    system = sim.chat_requests()[0].json()["messages"][0]
    assert system["content"] == [
        {"type": "text", "text": "You are terse. " * 40, "cache_control": {"type": "ephemeral"}}
    ]
    assert first.usage is not None and first.usage.cache_write_tokens == first.usage.prompt_tokens
    assert second.usage is not None and second.usage.cached_tokens == second.usage.prompt_tokens
    assert second.cost is not None and first.cost is not None and second.cost < first.cost


def test_image_output_is_received(tmp_path: Path) -> None:
    with Simulator(models=[*DEFAULT_MODELS, IMAGE_MODEL], time_scale=0) as sim:
        result = one(sim, IMAGE_MODEL.id, ChatParams(modalities=("image", "text")), "a red dot")
        assert sim.chat_requests()[0].json()["modalities"] == ["image", "text"]
    [image] = result.images
    assert image.number == 1 and image.url.startswith("data:image/png;base64,iVBOR")


def test_provider_routing_the_rest(sim: Simulator) -> None:
    routing = Routing(
        quantizations=("fp8", "bf16"), zdr=True, require_parameters=True, preferred_min_throughput=50
    )
    one(sim, "sim/quick-mini", ChatParams(), routing=routing)
    assert sim.chat_requests()[0].json()["provider"] == {
        "quantizations": ["fp8", "bf16"],
        "zdr": True,
        "require_parameters": True,
        "preferred_min_throughput": 50,
    }
    assert Routing.from_mapping(routing.to_mapping()) == routing


def test_deprecated_forms_are_never_sent(sim: Simulator) -> None:
    params = ChatParams(web_search=3, reasoning_effort="low", response_format=JSON_OBJECT, cache_prompt=True)
    one(sim, "sim/quick-mini", params, routing=Routing(zdr=True))
    body = sim.chat_requests()[0].json()
    assert "usage" not in body and "transforms" not in body and "plugins" not in body
    assert not body["model"].endswith(":online")
    assert "stream_options" not in body or "include_usage" in body["stream_options"]


def test_the_online_suffix_becomes_the_web_search_tool(sim: Simulator) -> None:
    result = one(
        sim,
        "sim/quick-mini:online",
        ChatParams(),
        "http caching",
        routing=Routing(fallbacks=("sim/balanced-pro:online",)),
    )
    body = sim.chat_requests()[0].json()
    assert body["model"] == "sim/quick-mini" and body["models"] == ["sim/quick-mini", "sim/balanced-pro"]
    assert body["tools"] == [{"type": "openrouter:web_search"}]
    assert result.citations and result.routing_note is None


# ----- the stream parser on odd forms ------------------------------------------------------------


def _sse(*chunks: dict[str, object]) -> bytes:
    return b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in chunks) + b"data: [DONE]\n\n"


def _events(data: bytes) -> list[object]:
    async def body() -> AsyncIterator[bytes]:
        yield data

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body())

    async def go() -> list[object]:
        config = ClientConfig(base_url="https://openrouter.example/api/v1")
        async with OpenRouterClient(
            "sk-or-v1-" + "0" * 64, config, transport=httpx.MockTransport(handler)
        ) as client:
            return [e async for e in client.stream_chat(ChatRequest.simple("m/x", "hi"))]

    return run(go())


def _choice(delta: dict[str, object], finish: str | None = None) -> dict[str, object]:
    return {"id": "gen-1", "model": "m/x", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


def test_two_interleaved_tool_calls_are_assembled_by_index() -> None:
    events = _events(
        _sse(
            _choice(
                {"tool_calls": [{"index": 0, "id": "a", "function": {"name": "f", "arguments": '{"x"'}}]}
            ),
            _choice({"tool_calls": [{"index": 1, "id": "b", "function": {"name": "g", "arguments": "{}"}}]}),
            _choice({"tool_calls": [{"index": 0, "function": {"arguments": ": 1}"}}]}),
            _choice({}, "tool_calls"),
        )
    )
    calls = [e for e in events if isinstance(e, ToolCall)]
    assert [(c.call_id, c.name, c.arguments) for c in calls] == [("a", "f", '{"x": 1}'), ("b", "g", "{}")]
    assert isinstance(events[-1], Finished) and events[-1].complete


def test_hostile_citations_and_images_are_dropped() -> None:
    events = _events(
        _sse(
            _choice(
                {
                    "content": "x",
                    "annotations": [
                        {"type": "url_citation", "url_citation": {"url": "javascript:alert(1)"}},
                        {
                            "type": "url_citation",
                            "url_citation": {"url": "https://ok.example/a", "title": "A"},
                        },
                        {"type": "url_citation", "url_citation": {"url": "https://ok.example/a"}},
                    ],
                    "images": [
                        {"type": "image_url", "image_url": {"url": "data:text/html;base64,PHNjcmlwdD4="}},
                        {"type": "image_url", "image_url": {"url": "file:///etc/passwd"}},
                    ],
                }
            ),
            _choice({}, "stop"),
        )
    )
    assert [e for e in events if isinstance(e, Citation)] == [Citation(1, "https://ok.example/a", "A")]
    assert not [e for e in events if isinstance(e, Image)]


def test_cache_write_tokens_and_discount_are_read_from_usage() -> None:
    usage = {
        "prompt_tokens": 100,
        "completion_tokens": 5,
        "cost": 0.001,
        "cache_discount": -0.0002,
        "prompt_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 100},
    }
    events = _events(_sse(_choice({"content": "hi"}, "stop"), {"id": "gen-1", "choices": [], "usage": usage}))
    [found] = [e for e in events if type(e).__name__ == "Usage"]
    assert found.cache_write_tokens == 100  # type: ignore[attr-defined]
    assert str(found.cache_discount) == "-0.0002"  # type: ignore[attr-defined]


def test_template_request_fields_round_trip_with_unknown_fields_kept() -> None:
    from playground.core.templates import PromptTemplate, TemplateError

    text = (
        'schema_version = 1\nname = "t"\nprompt = "p"\nfuture_field = "kept"\n'
        "[params]\ncache_prompt = true\nreasoning_max_tokens = 500\nnew_knob = 3\n"
        '[params.response_format]\ntype = "json_schema"\n[params.response_format.json_schema]\nname = "x"\n'
        '[params.response_format.json_schema.schema]\ntype = "object"\n'
        '[routing]\nquantizations = ["fp8"]\nrequire_parameters = true\n'
    )
    template = PromptTemplate.from_toml(text)
    assert template.params.response_format == json_schema_format({"type": "object"}, "x")
    assert template.params.cache_prompt is True and template.params.reasoning_max_tokens == 500
    assert template.routing.quantizations == ("fp8",) and template.routing.require_parameters
    again = PromptTemplate.from_toml(template.to_toml())
    assert again == template
    assert 'future_field = "kept"' in template.to_toml() and "new_knob = 3" in template.to_toml()
    with pytest.raises(TemplateError, match="bad \\[params\\]: response_format: not a valid JSON Schema"):
        PromptTemplate.from_toml(text.replace('type = "object"\n[routing]', "type = 5\n[routing]"))


def test_tool_calls_citations_images_and_the_check_are_saved_and_exported(
    sim: Simulator, tmp_path: Path
) -> None:
    from playground.core.history import RunHistory, export_runs
    from playground.core.library import record_run
    from playground.core.report.page import Options
    from playground.core.report.runs import run_section

    history = RunHistory(tmp_path / "history.db")
    params = ChatParams(tools=WEATHER, web_search=2, response_format=JSON_OBJECT)
    request = CompareRequest("Weather in Paris?", (PaneSpec("sim/quick-mini"),), params=params)

    async def go() -> int:
        async with client_for(sim) as client:
            comparison = CompareRun(client, request)
            run_id = record_run(history, comparison)
            comparison.start()
            await comparison.wait()
            return run_id

    run_id = run(go())
    record = history.get_run(run_id)
    [answer] = record.answers
    assert answer.extras["tool_calls"][0]["name"] == "get_weather"
    exported = json.loads(export_runs([record], "json"))[0]
    assert exported["answers"][0]["tool_calls"][0]["arguments"] == answer.extras["tool_calls"][0]["arguments"]
    assert "**Tool call:** `get_weather`" in export_runs([record], "md")
    assert exported["parameters"]["tools"][0]["function"]["name"] == "get_weather"
    assert "<b>Tool call: get_weather</b>" in run_section(record, None, Options())
    history.close()


def test_citations_and_images_reach_the_html_report_escaped(tmp_path: Path) -> None:
    from playground.core.answer_extras import extras_html, extras_markdown

    extras = {
        "citations": [
            {"number": 1, "url": "https://a.example/?q=<b>", "title": "<script>x</script>"},
            {"number": 2, "url": "javascript:alert(1)", "title": "bad"},
        ],
        "images": ["data:image/png;base64,iVBORw0KGgo=", "https://tracker.example/pixel.png"],
        "schema": {"valid": False, "message": "$.a: 'x' is not of type 'integer'"},
    }
    page = extras_html(extras)
    assert "&lt;script&gt;" in page and "<script>" not in page and "javascript:" not in page
    assert page.count("<img") == 1 and "tracker.example" not in page  # no request leaves the report
    assert "schema check failed: $.a: &#x27;x&#x27; is not of type &#x27;integer&#x27;" in page
    assert "1. [<script>x</script>](https://a.example/?q=<b>)" in extras_markdown(extras)


def test_the_window_export_has_the_tool_calls_and_keys_in_arguments_are_masked() -> None:
    from playground.core.export import to_json, to_markdown

    key = "sk-or-v1-" + "0" * 64
    events = _events(
        _sse(
            _choice(
                {"tool_calls": [{"index": 0, "id": "a", "function": {"name": "f", "arguments": '{"k": "'}}]}
            ),
            _choice({"tool_calls": [{"index": 0, "function": {"arguments": key + '"}'}}]}),
            _choice({}, "tool_calls"),
        )
    )
    [call] = [e for e in events if isinstance(e, ToolCall)]
    assert key not in call.arguments and call.arguments.startswith('{"k": "sk-or-v1-')
    result = PaneResult("m/x")
    for event in events:
        result.apply(event)  # type: ignore[arg-type]
    request = CompareRequest("hi", (PaneSpec("m/x"),), params=ChatParams(tools=WEATHER))
    exported = json.loads(to_json(request, [result]))
    assert exported["answers"][0]["tool_calls"][0]["name"] == "f"
    assert exported["parameters"]["tools"][0]["function"]["name"] == "get_weather"
    assert "**Tool call:** `f`" in to_markdown(request, [result])


def test_an_endpoint_gets_no_openrouter_only_request_fields(sim: Simulator, tmp_path: Path) -> None:
    from playground.core.context import AppContext
    from tests.core.keyrings import MemoryKeyring

    with Simulator(time_scale=0, openai_compatible=True) as plain:
        env = {"PLAYGROUND_HOME": str(tmp_path / "home"), "OPENROUTER_BASE_URL": sim.base_url}
        ctx = AppContext.from_env(env, cwd=tmp_path, keyring_backend=MemoryKeyring())
        ctx.endpoints.add("local", plain.base_url, has_key=False)
        params = ChatParams(web_search=3, cache_prompt=True, tools=WEATHER, response_format=JSON_OBJECT)
        request = CompareRequest(
            "hi", (PaneSpec("@local/sim/quick-mini"),), system="Be brief.", params=params
        )

        async def go() -> None:
            async with await ctx.chat_client(None, ["@local/sim/quick-mini"]) as client:
                comparison = CompareRun(client, request)
                comparison.start()
                await comparison.wait()

        run(go())
        body = plain.chat_requests()[0].json()
    assert body["tools"] == [dict(WEATHER[0])]  # function tools are OpenAI's: kept
    assert body["response_format"] == {"type": "json_object"}
    assert body["messages"][0] == {"role": "system", "content": "Be brief."}  # no cache_control
