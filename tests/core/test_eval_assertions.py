"""Assertions in template TOML: every promptfoo type, negation, bounded regexes, errors before sending."""

from __future__ import annotations

from decimal import Decimal

import pytest

from playground.core.evaluation.assertions import (
    AssertionSpecError,
    Observation,
    check,
    parse_assertion,
)
from playground.core.evaluation.suite import build_cases
from playground.core.templates import PromptTemplate, TemplateError

ANSWER = 'Caching stores responses. Use an ETag header.\n```json\n{"items": [{"price": 2}]}\n```'


def verdict(spec: dict[str, object], text: str = ANSWER, **seen: object) -> tuple[bool, str]:
    outcome = check(parse_assertion(spec, "t.toml"), Observation(text, **seen))  # type: ignore[arg-type]
    return outcome.passed, outcome.reason


@pytest.mark.parametrize(
    ("spec", "passes"),
    [
        ({"type": "equals", "value": "yes"}, False),
        ({"type": "contains", "value": "ETag"}, True),
        ({"type": "contains", "value": "etag"}, False),
        ({"type": "icontains", "value": "etag"}, True),
        ({"type": "contains-any", "value": ["nope", "header"]}, True),
        ({"type": "contains-any", "value": "nope, never"}, False),
        ({"type": "contains-all", "value": ["Caching", "ETag"]}, True),
        ({"type": "contains-all", "value": ["Caching", "Expires"]}, False),
        ({"type": "icontains-all", "value": ["caching", "etag"]}, True),
        ({"type": "starts-with", "value": "Caching"}, True),
        ({"type": "starts-with", "value": "ETag"}, False),
        ({"type": "regex", "value": "E[Tt]ag"}, True),
        ({"type": "regex", "value": "(?i)as an ai"}, False),
        ({"type": "is-json"}, False),
        ({"type": "contains-json"}, True),
        ({"type": "word-count", "value": {"min": 3, "max": 20}}, True),
        ({"type": "word-count", "value": {"max": 3}}, False),
        ({"type": "not-contains", "value": "ETag"}, False),
        ({"type": "not-regex", "value": "(?i)as an ai"}, True),
        ({"type": "not-icontains", "value": "cache"}, True),
    ],
)
def test_each_type_and_its_negation(spec: dict[str, object], passes: bool) -> None:
    assert verdict(spec)[0] is passes


def test_equals_ignores_surrounding_whitespace_only() -> None:
    assert verdict({"type": "equals", "value": "42"}, "42\n")[0]
    assert not verdict({"type": "equals", "value": "42"}, "42.")[0]


def test_failing_reasons_name_what_was_missing() -> None:
    assert verdict({"type": "regex", "value": "Expires"}) == (False, "regex /Expires/ not found")
    ok, reason = verdict({"type": "not-contains", "value": "ETag"})
    assert not ok and "ETag" in reason and "not-contains forbids" in reason


def test_is_json_with_schema_reports_the_failing_path() -> None:
    schema = {
        "type": "object",
        "properties": {"items": {"type": "array", "items": {"properties": {"price": {"type": "number"}}}}},
    }
    text = '{"items": [{"price": 1}, {"price": 2}, {"price": "three"}]}'
    ok, reason = verdict({"type": "is-json", "value": schema}, text)
    assert not ok
    assert reason.startswith("$.items[2].price:") and "number" in reason
    assert verdict({"type": "is-json", "value": schema}, '{"items": [{"price": 1}]}')[0]
    assert verdict({"type": "contains-json", "value": schema})[0]  # found inside the fenced block


def test_is_json_rejects_prose_with_a_position() -> None:
    ok, reason = verdict({"type": "is-json"}, "Sure! {")
    assert not ok and "line 1" in reason


def test_cost_and_latency_thresholds() -> None:
    assert verdict({"type": "cost", "threshold": 0.002}, cost=Decimal("0.001"))[0]
    ok, reason = verdict({"type": "cost", "threshold": 0.002}, cost=Decimal("0.01"))
    assert not ok and "$0.010000 > $0.002" in reason
    assert verdict({"type": "latency", "threshold": 8000}, latency_ms=1200.0)[0]
    assert not verdict({"type": "latency", "threshold": 1000}, latency_ms=1200.0)[0]


def test_unknown_cost_fails_even_when_negated() -> None:
    assert not verdict({"type": "cost", "threshold": 1})[0]
    assert not verdict({"type": "not-cost", "threshold": 1})[0]


def test_catastrophic_regex_is_cut_off_and_fails_both_ways() -> None:
    hostile = "a" * 5000 + "!"
    ok, reason = verdict({"type": "regex", "value": "^(a|aa)+$"}, hostile)
    assert not ok and "took too long" in reason
    assert not verdict({"type": "not-regex", "value": "^(a|aa)+$"}, hostile)[0]


def test_deeply_nested_json_is_a_failure_not_a_crash() -> None:
    ok, _ = verdict({"type": "is-json"}, "[" * 100_000)
    assert not ok
    assert not verdict({"type": "contains-json"}, "[" * 100_000)[0]


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ({"type": "javascript", "value": "output.length < 5"}, "runs code"),
        ({"type": "python", "value": "import os"}, "runs code"),
        ({"type": "similar", "value": "x"}, "unknown type 'similar'"),
        ({"type": "regex", "value": "(unclosed"}, "not a valid regular expression"),
        ({"type": "contains"}, "needs a text 'value'"),
        ({"type": "cost"}, "threshold"),
        ({"type": "is-json", "value": {"type": "nonsense"}}, "not a valid JSON Schema"),
        ({"type": "word-count", "value": "many"}, "word count"),
        ({"value": "x"}, "no 'type'"),
    ],
)
def test_invalid_assertions_are_refused(spec: dict[str, object], words: str) -> None:
    with pytest.raises(AssertionSpecError, match=words):
        parse_assertion(spec, "shared.toml")


TOML = """
name = "Explain"
prompt = "Explain {{text}}"

[[assert]]
type = "is-json"

[[assert]]
type = "regex"
value = "(broken"

[[cases]]
name = "short"
vars = { text = "Caching" }
assert = [ { type = "icontains", value = "cache" }, { type = "bogus" } ]

[[cases]]
name = "long"
vars = { text = "ETags" }
"""


def test_every_invalid_assertion_is_reported_with_file_and_case() -> None:
    template = PromptTemplate.from_toml(TOML)
    with pytest.raises(AssertionSpecError) as caught:
        build_cases(template, "explain.toml")
    message = str(caught.value)
    assert "explain.toml: [[assert]], assertion 2" in message
    assert "explain.toml: case 'short', assertion 2 (bogus): " not in message  # the type is what is unknown
    assert "explain.toml: case 'short', assertion 2: unknown type 'bogus'" in message


def test_assertions_survive_a_save_from_the_app() -> None:
    text = TOML.replace('value = "(broken"', 'value = "ETag"').replace(', { type = "bogus" }', "")
    template = PromptTemplate.from_toml(text)
    again = PromptTemplate.from_toml(template.to_toml())
    assert again.asserts == template.asserts
    assert again.case_asserts == {"short": ({"type": "icontains", "value": "cache"},)}
    cases = build_cases(again, "explain.toml")
    assert [a.name for a in cases[0].assertions] == ["is-json", "regex", "icontains"]
    assert [a.name for a in cases[1].assertions] == ["is-json", "regex"]


def test_assert_that_is_not_a_table_makes_the_file_broken() -> None:
    with pytest.raises(TemplateError, match="list of tables"):
        PromptTemplate.from_toml('name = "x"\nprompt = "p"\nassert = "contains"\n')
