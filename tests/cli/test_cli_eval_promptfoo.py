"""``templates import promptfooconfig.yaml`` and ``templates export --format promptfoo``, in a subprocess."""

from __future__ import annotations

from pathlib import Path

import yaml

from playground.core.evaluation.promptfoo import load_config, to_config
from playground.core.templates import PromptTemplate
from playground.simulator import Simulator
from playground.simulator.behaviour import Behaviour
from tests.cli.helpers import playground, sim_env

CONFIG = """
description: "Support answers"
prompts:
  - "Answer the customer: {{question}}"
providers:
  - openrouter:sim/quick-mini
  - id: openrouter:sim/balanced-pro
    config:
      temperature: 0.2
      max_tokens: 300
  - openai:gpt-4o
defaultTest:
  assert:
    - type: not-icontains
      value: "as an AI"
tests:
  - description: refund
    vars:
      question: "Can I get a refund?"
    assert:
      - type: icontains
        value: refund
      - type: javascript
        value: output.length < 500
      - type: llm-rubric
        value: Polite and mentions the 30-day window
        provider: openrouter:sim/deep-reasoner
  - vars:
      question: "Where is my order?"
  - vars:
      question: [a, b]
  - file://more_tests.csv
"""


def test_a_promptfoo_config_becomes_a_template_and_says_what_was_left(
    sim: Simulator, home: Path, tmp_path: Path
) -> None:
    source = tmp_path / "promptfooconfig.yaml"
    source.write_text(CONFIG)
    result = playground("templates", "import", str(source), home=home)
    assert result.returncode == 0, result.stderr
    assert "Imported 'Support answers'" in result.stdout
    notes = result.stderr
    assert "provider openai:gpt-4o: only openrouter: providers are carried over" in notes
    assert "assertion 'javascript' runs code" in notes
    assert "'llm-rubric' settings not carried over: provider" in notes
    assert "var 'question'" in notes and "more_tests.csv" in notes
    shown = playground("templates", "show", "Support answers", home=home).stdout
    template = PromptTemplate.from_toml(shown.split("\n# variables")[0])
    assert template.models == ("sim/quick-mini", "sim/balanced-pro")
    assert template.params.temperature == 0.2 and template.params.max_tokens == 300
    assert [name for name, _ in template.cases] == ["refund", "case 2"]
    assert template.asserts == ({"type": "not-icontains", "value": "as an AI"},)
    assert [a["type"] for a in template.case_asserts["refund"]] == ["icontains", "llm-rubric"]
    sim.set_default("sim/quick-mini", Behaviour(text="You can get a refund."))
    sim.set_default("sim/balanced-pro", Behaviour(text="Refund: yes."))
    tested = playground("templates", "test", "Support answers", "--case", "case 2", home=home, **sim_env(sim))
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_export_as_promptfoo_round_trips(home: Path, tmp_path: Path) -> None:
    source = tmp_path / "explain.toml"
    source.write_text(
        'name = "explain"\nsystem = "Be brief."\nprompt = "Explain {{text}}"\nmodels = ["sim/quick-mini"]\n'
        "[params]\ntemperature = 0.5\n"
        '[[assert]]\ntype = "is-json"\nvalue = { type = "object", required = ["answer"] }\n'
        '[[cases]]\nname = "one"\nvars = { text = "ETags" }\nassert = [ { type = "cost", threshold = 0.01 } ]\n'
    )
    assert playground("templates", "import", str(source), home=home).returncode == 0
    out = tmp_path / "out"
    result = playground("templates", "export", str(out), "--format", "promptfoo", home=home)
    assert result.returncode == 0, result.stderr
    written = out / "explain.promptfooconfig.yaml"
    data = yaml.safe_load(written.read_text())
    assert data["providers"] == [{"id": "openrouter:sim/quick-mini", "config": {"temperature": 0.5}}]
    assert data["defaultTest"]["assert"][0]["type"] == "is-json"
    assert data["tests"] == [
        {"description": "one", "vars": {"text": "ETags"}, "assert": [{"type": "cost", "threshold": 0.01}]}
    ]
    back = load_config(written.read_text(), written.name)
    assert back.dropped == []
    (again,) = back.templates
    original = PromptTemplate.from_toml(source.read_text())
    assert (again.system, again.prompt, again.models, again.params) == (
        original.system,
        original.prompt,
        original.models,
        original.params,
    )
    assert again.asserts == original.asserts and again.case_asserts == original.case_asserts


def test_yaml_is_read_safely_and_bad_configs_are_usage_errors(home: Path, tmp_path: Path) -> None:
    hostile = tmp_path / "evil.yaml"
    hostile.write_text('prompts: !!python/object/apply:os.system ["echo pwned"]\n')
    result = playground("templates", "import", str(hostile), home=home)
    assert result.returncode == 2 and "not valid YAML" in result.stderr and "Traceback" not in result.stderr
    empty = tmp_path / "empty.yml"
    empty.write_text("tests: []\n")
    assert playground("templates", "import", str(empty), home=home).returncode == 2
    assert to_config(PromptTemplate("x", "p")).startswith("description: x")


def test_scalar_values_of_text_assertions_become_text() -> None:
    config = "prompts: ['Add {{a}} and {{b}}']\ntests:\n  - vars: {a: 40, b: 2}\n    assert:\n      - type: equals\n        value: 42\n"
    (template,) = load_config(config, "math.yaml").templates
    assert template.cases == (("case 1", {"a": "40", "b": "2"}),)
    assert template.case_asserts["case 1"] == ({"type": "equals", "value": "42"},)
