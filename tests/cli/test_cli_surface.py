"""The request-surface flags of ``compare`` and ``templates run|test``, in a subprocess against the
simulator: what is sent, the --jsonl events, the words printed, and usage errors."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from playground.core.request import ChatParams, ChatRequest
from playground.core.snippets import snippet
from playground.core.structured import json_schema_format
from playground.simulator import Behaviour, Simulator
from tests.cli.helpers import playground, sim_env

SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "population": {"type": "integer"}},
    "required": ["city", "population"],
    "additionalProperties": False,
}
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Weather for a city",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            },
        },
    }
]


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "city.json").write_text(json.dumps(SCHEMA))
    (tmp_path / "tools.json").write_text(json.dumps(TOOLS))
    return tmp_path


def _jsonl(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def test_json_schema_flag_sends_strict_schema_and_jsonl_reports_the_check(
    sim: Simulator, home: Path, files: Path
) -> None:
    sim.script("sim/balanced-pro", Behaviour(text='{"city": 1}'))
    result = playground(
        "compare", "-m", "sim/quick-mini", "-m", "sim/balanced-pro", "--json-schema", str(files / "city.json"),
        "--jsonl", "Largest city in France", home=home, **sim_env(sim),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    sent = sim.chat_requests()[0].json()["response_format"]
    assert sent == {"type": "json_schema", "json_schema": {"name": "city", "strict": True, "schema": SCHEMA}}
    checks = {e["model"]: e for e in _jsonl(result.stdout) if e["type"] == "schema"}
    assert checks["sim/quick-mini"]["valid"] is True
    assert checks["sim/balanced-pro"] | {"pane": 0} == {
        "model": "sim/balanced-pro",
        "pane": 0,
        "type": "schema",
        "valid": False,
        "message": "$: 'population' is a required property",
    }


def test_a_model_without_structured_outputs_is_flagged_before_sending(
    sim: Simulator, home: Path, files: Path
) -> None:
    result = playground(
        "compare", "-m", "sim/open-llama:free", "--json-schema", str(files / "city.json"), "hi",
        home=home, **sim_env(sim),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (
        "note: sim/open-llama:free does not list structured outputs: the schema may be ignored - "
        "add --require-parameters to use only providers that do" in result.stderr
    )
    assert "[valid JSON]" in result.stdout


def test_tools_flags_print_the_call_and_jsonl_has_tool_call_events(
    sim: Simulator, home: Path, files: Path
) -> None:
    args = (
        "compare",
        "-m",
        "sim/quick-mini",
        "--tools",
        str(files / "tools.json"),
        "--tool-choice",
        "required",
    )
    result = playground(*args, "Weather in Paris?", home=home, **sim_env(sim))
    assert result.returncode == 0, result.stderr
    assert sim.chat_requests()[0].json()["tool_choice"] == "required"
    assert "[tool call 1] get_weather (id call_" in result.stdout
    assert '    "city": "Weather Paris"' in result.stdout
    assert "tool_calls" in result.stdout  # how it ended, in the figures
    lines = _jsonl(playground(*args, "--jsonl", "Weather in Paris?", home=home, **sim_env(sim)).stdout)
    [call] = [e for e in lines if e["type"] == "tool_call"]
    assert call["name"] == "get_weather" and json.loads(call["arguments"]) == {"city": "Weather Paris"}
    assert lines[-1]["type"] == "done" and lines[-1]["finish_reason"] == "tool_calls"


def test_web_search_prints_numbered_sources_and_jsonl_citations(sim: Simulator, home: Path) -> None:
    result = playground(
        "compare", "-m", "sim/quick-mini", "--web-search", "hi there", home=home, **sim_env(sim)
    )
    assert result.returncode == 0, result.stderr
    assert sim.chat_requests()[0].json()["tools"] == [{"type": "openrouter:web_search"}]
    assert "Sources:\n  [1] Source 1 on hi there - https://example.org/hi-there/1" in result.stdout
    lines = _jsonl(
        playground(
            "compare", "-m", "sim/quick-mini", "--web-search", "5", "--jsonl", "q", home=home, **sim_env(sim)
        ).stdout
    )
    assert [e["number"] for e in lines if e["type"] == "citation"] == [1, 2, 3, 4, 5]


def test_reasoning_cache_and_routing_flags_reach_the_body(sim: Simulator, home: Path) -> None:
    result = playground(
        "compare", "-m", "sim/deep-reasoner", "--reasoning-effort", "none", "--exclude-reasoning",
        "--cache-prompt", "--system", "Be brief.", "--quantizations", "fp8,bf16", "--zdr",
        "--require-parameters", "--preferred-min-throughput", "40", "hi", home=home, **sim_env(sim),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    body = sim.chat_requests()[0].json()
    assert body["reasoning"] == {"effort": "none", "exclude": True}
    assert body["messages"][0]["content"][0]["cache_control"] == {"type": "ephemeral"}
    assert body["provider"] == {
        "quantizations": ["fp8", "bf16"],
        "zdr": True,
        "require_parameters": True,
        "preferred_min_throughput": 40,
    }
    # a first write costs more than it saves: a negative discount, from OpenRouter's generation stats
    written = r"sim/deep-reasoner: 0 prompt tokens from the cache, \d+ written to it, discount \$-0\.\d+"
    assert re.search(written, result.stdout), result.stdout
    again = playground(
        "compare", "-m", "sim/quick-mini", "--cache-prompt", "--system", "Be brief.", "--jsonl", "hi",
        home=home, **sim_env(sim),
    )  # fmt: skip
    [usage] = [e for e in _jsonl(again.stdout) if e["type"] == "usage"]
    assert usage["cache_write_tokens"] == usage["prompt_tokens"] and usage["cached_tokens"] == 0
    assert "note: sim/deep-reasoner offers reasoning effort low, medium, high, not none" in result.stderr
    assert "usage" not in body and "transforms" not in body and "plugins" not in body


def test_a_preset_runs_and_names_the_model_that_answered(sim: Simulator, home: Path) -> None:
    result = playground("compare", "-m", "@preset/reviewer", "hi", home=home, **sim_env(sim))
    assert result.returncode == 0, result.stderr
    assert "=== [1] @preset/reviewer (preset reviewer: sim/balanced-pro answered) - done ===" in result.stdout


@pytest.mark.parametrize(
    ("flags", "words"),
    [
        (("--reasoning-effort", "low", "--reasoning-max-tokens", "100"), "not both"),
        (("--tool-choice", "auto"), "--tool-choice needs --tools FILE"),
        (("--tools", "tools.json", "--tool-choice", "launch"), "use auto, none, required or a tool's name"),
        (("--json-schema", "missing.json"), "Cannot read the schema file missing.json"),
        (("--json-schema", "city.json", "--json-object"), "not allowed with argument"),
        (("--reasoning-effort", "extreme"), "invalid choice"),
    ],
)
def test_bad_request_flags_are_usage_errors(
    sim: Simulator, home: Path, files: Path, flags: tuple[str, ...], words: str
) -> None:
    fixed = [str(files / f) if f.endswith(".json") else f for f in flags]
    result = playground("compare", "-m", "sim/quick-mini", *fixed, "hi", home=home, **sim_env(sim))
    assert result.returncode == 2
    assert words in result.stderr and "Traceback" not in result.stderr
    assert not sim.chat_requests()


def test_template_toml_fields_and_run_flags(sim: Simulator, home: Path, files: Path) -> None:
    toml = files / "weather.toml"
    toml.write_text(
        'schema_version = 1\nname = "weather"\nprompt = "Weather in {{city}}?"\nmodels = ["sim/quick-mini"]\n'
        '[params]\nweb_search = 2\ntool_choice = "get_weather"\n'
        '[[params.tools]]\ntype = "function"\n[params.tools.function]\nname = "get_weather"\n'
        '[params.tools.function.parameters]\ntype = "object"\n'
        "[routing]\nzdr = true\n"
    )
    assert playground("templates", "import", str(toml), home=home).returncode == 0
    result = playground(
        "templates", "run", "weather", "--var", "city=Paris", "--exclude-reasoning", "--jsonl",
        home=home, **sim_env(sim),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    body = sim.chat_requests()[0].json()
    assert body["tools"][0]["function"]["name"] == "get_weather"
    assert body["tools"][1] == {"type": "openrouter:web_search", "parameters": {"max_results": 2}}
    assert body["tool_choice"] == {"type": "function", "function": {"name": "get_weather"}}
    assert body["reasoning"] == {"exclude": True} and body["provider"] == {"zdr": True}
    assert [e["type"] for e in _jsonl(result.stdout)].count("tool_call") == 1


def test_templates_test_takes_the_request_flags(sim: Simulator, home: Path, files: Path) -> None:
    toml = files / "city.toml"
    toml.write_text(
        'schema_version = 1\nname = "city"\nprompt = "Largest city?"\nmodels = ["sim/quick-mini"]\n'
        '[[assert]]\ntype = "is-json"\n'
    )
    assert playground("templates", "import", str(toml), home=home).returncode == 0
    result = playground(
        "templates", "test", "city", "--json-schema", str(files / "city.json"), home=home, **sim_env(sim)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert sim.chat_requests()[0].json()["response_format"]["json_schema"]["schema"] == SCHEMA


def test_get_code_carries_the_new_fields_and_stays_valid_python() -> None:
    params = ChatParams(
        response_format=json_schema_format({**SCHEMA, "description": "flag: true"}), tools=tuple(TOOLS),
        tool_choice="auto", web_search=3,
    )  # fmt: skip
    request = ChatRequest.simple("sim/quick-mini", "hi", params=params)
    code = snippet(request, "https://openrouter.ai/api/v1", "python")
    scope: dict[str, Any] = {}
    exec(code.split("response = ")[0].split("import httpx")[1], scope)  # the body literal only
    assert scope["body"] == request.body(stream=False)
    assert scope["body"]["response_format"]["json_schema"]["schema"]["description"] == "flag: true"
    curl = snippet(request, "https://openrouter.ai/api/v1", "curl")
    assert '"type": "openrouter:web_search"' in curl and '"strict": true' in curl


def test_history_show_and_export_keep_the_tool_calls_and_sources(
    sim: Simulator, home: Path, files: Path
) -> None:
    args = ("compare", "-m", "sim/quick-mini", "--tools", str(files / "tools.json"), "Weather in Paris?")
    assert playground(*args, home=home, **sim_env(sim)).returncode == 0
    assert (
        playground(
            "compare", "-m", "sim/quick-mini", "--web-search", "2", "q", home=home, **sim_env(sim)
        ).returncode
        == 0
    )
    first = playground("history", "show", "1", home=home)
    assert "[tool call 1] get_weather (id call_" in first.stdout and "[no answer]" not in first.stdout
    second = playground("history", "show", "2", home=home)
    assert "Sources:\n  [1] Source 1 on q - https://example.org/q/1" in second.stdout
    exported = json.loads(playground("history", "export", "--format", "json", "1", "2", home=home).stdout)
    by_id = {run["id"]: run for run in exported}
    assert by_id[1]["answers"][0]["tool_calls"][0]["name"] == "get_weather"
    assert [c["number"] for c in by_id[2]["answers"][0]["citations"]] == [1, 2]
    page = playground("history", "export", "--format", "html", "1", "2", home=home).stdout
    assert "Tool call: get_weather" in page and 'href="https://example.org/q/2"' in page


def test_csv_export_carries_tool_calls_and_citations(sim: Simulator, home: Path, files: Path) -> None:
    import csv
    import io

    tools = ("--tools", str(files / "tools.json"), "--tool-choice", "required")
    assert (
        playground(
            "compare", "-m", "sim/quick-mini", *tools, "Weather?", home=home, **sim_env(sim)
        ).returncode
        == 0
    )
    searched = ("--web-search", "2")
    assert (
        playground("compare", "-m", "sim/quick-mini", *searched, "q", home=home, **sim_env(sim)).returncode
        == 0
    )
    exported = playground("history", "export", "--format", "csv", home=home)
    assert exported.returncode == 0, exported.stderr
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    by_prompt = {r["prompt"]: r for r in rows}
    assert by_prompt["Weather?"]["tool_calls"] == "get_weather"
    assert by_prompt["q"]["citations"].split() == ["https://example.org/q/1", "https://example.org/q/2"]
