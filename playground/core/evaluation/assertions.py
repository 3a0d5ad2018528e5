"""Assertions on one answer, named as promptfoo names them (``contains``, ``is-json``, ``not-regex`` ...).

An assertion comes from a template's TOML (``[[assert]]`` for every case, ``assert = [...]`` in a
case). It is parsed and validated before anything is sent; checking it runs no code from the file.
Regular expressions run with a time limit, so a catastrophic pattern in a shared file cannot hang.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import jsonschema
import referencing
import referencing.exceptions
import regex

from playground.core.errors import ConfigError

REGEX_TIMEOUT = 0.5  # seconds for one pattern on one answer
MAX_PATTERN = 2000
MAX_JSON_STARTS = 64  # places tried for contains-json: bounded work on hostile text
TEXT_TYPES = ("equals", "contains", "icontains", "starts-with", "regex")
LIST_TYPES = ("contains-any", "contains-all", "icontains-any", "icontains-all")
JSON_TYPES = ("is-json", "contains-json")
NUMBER_TYPES = ("cost", "latency")
JUDGE_TYPES = ("llm-rubric", "select-best")
TYPES = (*TEXT_TYPES, *LIST_TYPES, *JSON_TYPES, *NUMBER_TYPES, "word-count", *JUDGE_TYPES)
CODE_TYPES = ("javascript", "python", "webhook", "ruby")


class AssertionSpecError(ConfigError):
    """An assertion in a template cannot be used; the message names the file, case and assertion."""


@dataclass(frozen=True)
class Assertion:
    """One check: its promptfoo type (without ``not-``), whether it is negated, and its value."""

    kind: str
    value: Any = None
    threshold: float | None = None
    negate: bool = False

    @property
    def name(self) -> str:
        return f"not-{self.kind}" if self.negate else self.kind

    @property
    def needs_judge(self) -> bool:
        return self.kind in JUDGE_TYPES

    def describe(self) -> str:
        """Short words for the assertion, e.g. ``regex /ETag/`` or ``cost <= $0.002``."""
        if self.kind == "regex":
            return f"{self.name} /{self.value}/"
        if self.kind in NUMBER_TYPES:
            unit = "$" if self.kind == "cost" else ""
            return f"{self.name} <= {unit}{self.threshold:g}{' ms' if self.kind == 'latency' else ''}"
        if self.kind in JSON_TYPES:
            return self.name + (" (schema)" if self.value else "")
        if self.value is None:
            return self.name
        shown = json.dumps(self.value, ensure_ascii=False) if not isinstance(self.value, str) else self.value
        return f"{self.name} {_clip(shown, 60)!r}" if isinstance(self.value, str) else f"{self.name} {shown}"

    def to_data(self) -> dict[str, Any]:
        """The TOML table this assertion came from (promptfoo's shape)."""
        data: dict[str, Any] = {"type": self.name}
        if self.value is not None:
            data["value"] = self.value
        if self.threshold is not None:
            data["threshold"] = self.threshold
        return data


@dataclass(frozen=True)
class Observation:
    """What an assertion looks at: the answer's text, its cost (USD) and its time to the last token."""

    text: str
    cost: Decimal | None = None
    latency_ms: float | None = None


@dataclass(frozen=True)
class Outcome:
    """One assertion checked on one answer."""

    assertion: Assertion
    passed: bool
    reason: str
    score: float = 1.0  # 0..1; a judge gives its own, the rest 1 or 0


# ----- parsing ---------------------------------------------------------------------------------------


def parse_assertions(raw: Any, where: str) -> tuple[Assertion, ...]:
    """The ``assert`` list of a template or a case; ``where`` (file and case) starts every error."""
    if raw is None:
        return ()
    if isinstance(raw, Mapping):
        raw = [raw]
    if not isinstance(raw, list):
        raise AssertionSpecError(f"{where}: 'assert' must be a list of tables")
    return tuple(parse_assertion(item, f"{where}, assertion {i}") for i, item in enumerate(raw, 1))


def parse_assertion(item: Any, where: str) -> Assertion:
    if not isinstance(item, Mapping):
        raise AssertionSpecError(f"{where}: must be a table with a 'type'")
    name = item.get("type")
    if not isinstance(name, str) or not name:
        raise AssertionSpecError(f"{where}: has no 'type'")
    negate = name.startswith("not-")
    kind = name.removeprefix("not-")
    if kind in CODE_TYPES:
        raise AssertionSpecError(f"{where}: '{name}' runs code, which a template file may not do")
    if kind not in TYPES:
        raise AssertionSpecError(f"{where}: unknown type '{name}' (known: {', '.join(TYPES)})")
    value, threshold = item.get("value"), item.get("threshold")
    if threshold is not None and not _finite_number(threshold):
        raise AssertionSpecError(f"{where}: 'threshold' must be a finite number")
    assertion = Assertion(kind, value, None if threshold is None else float(threshold), negate)
    problem = _check_value(assertion)
    if problem:
        raise AssertionSpecError(f"{where} ({name}): {problem}")
    return assertion


def _finite_number(value: Any) -> bool:
    """A number a threshold can be: nan and inf (or an integer too big for a float) never compare."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer of hundreds of digits
        return False


def _check_value(a: Assertion) -> str | None:
    if a.kind in (*TEXT_TYPES, "llm-rubric") and not (isinstance(a.value, str) and a.value):
        return "needs a text 'value'"
    if a.kind == "regex":
        return _check_pattern(a.value)
    if a.kind in LIST_TYPES and not _strings(a.value):
        return "needs 'value': a list of texts (or one comma-separated text)"
    if a.kind in JSON_TYPES and a.value is not None:
        return _check_schema(a.value)
    if a.kind in NUMBER_TYPES and (a.threshold is None or a.threshold < 0):
        return "needs a 'threshold' of 0 or more"
    if a.kind == "word-count":
        return _check_bounds(a.value)
    if a.kind == "select-best" and a.negate:
        return "cannot be negated"
    return None


def _check_pattern(pattern: str) -> str | None:
    if len(pattern) > MAX_PATTERN:
        return f"the pattern is longer than {MAX_PATTERN} characters"
    try:
        regex.compile(pattern)
    except regex.error as exc:
        return f"not a valid regular expression: {exc}"
    return None


def _check_schema(value: Any) -> str | None:
    schema = _schema_of(value)
    if schema is None:
        return "'value' must be a JSON Schema (a table, or JSON text)"
    try:
        jsonschema.validators.validator_for(schema).check_schema(schema)
    except jsonschema.SchemaError as exc:
        return f"not a valid JSON Schema: {exc.message}"
    return None


def _check_bounds(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return None
    counts = value.values() if isinstance(value, Mapping) and value and set(value) <= {"min", "max"} else [-1]
    if all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in counts):
        return None
    return "'value' must be a word count, or a table with 'min' and/or 'max'"


def _schema_of(value: Any) -> dict[str, Any] | None:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return dict(value) if isinstance(value, Mapping) else None


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
        return list(value)
    return []


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ----- checking --------------------------------------------------------------------------------------


def check(a: Assertion, seen: Observation) -> Outcome:
    """Check one assertion (not the judge's) on one answer; the reason says why it failed.

    A check that cannot tell (a regex that ran out of time, an unknown cost) fails, negated or not.
    """
    ok, why = _CHECKS[a.kind](a, seen)
    if ok is None:
        return Outcome(a, False, why, 0.0)
    passed = ok != a.negate
    if a.negate and not passed:
        why = f"{why}, which {a.name} forbids"
    return Outcome(a, passed, why, 1.0 if passed else 0.0)


def _equals(a: Assertion, seen: Observation) -> tuple[bool | None, str]:
    ok = seen.text.strip() == str(a.value).strip()
    return ok, "the answer equals the expected text" if ok else "the answer is not the expected text"


def _contains(a: Assertion, seen: Observation) -> tuple[bool | None, str]:
    text, value = seen.text, str(a.value)
    if a.kind == "icontains":
        text, value = text.casefold(), value.casefold()
    ok = value in text
    return ok, f"{_clip(str(a.value), 60)!r} {'found' if ok else 'not found'}"


def _starts_with(a: Assertion, seen: Observation) -> tuple[bool | None, str]:
    ok = seen.text.lstrip().startswith(str(a.value))
    return ok, f"the answer {'starts' if ok else 'does not start'} with {_clip(str(a.value), 60)!r}"


def _regex(a: Assertion, seen: Observation) -> tuple[bool | None, str]:
    try:
        match = regex.search(str(a.value), seen.text, timeout=REGEX_TIMEOUT)
    except TimeoutError:
        return None, f"regex /{_clip(str(a.value), 60)}/ took too long on this answer (over 0.5 s)"
    found = match is not None
    return found, f"regex /{_clip(str(a.value), 60)}/ {'matched' if found else 'not found'}"


def _contains_list(a: Assertion, seen: Observation) -> tuple[bool | None, str]:
    fold = a.kind.startswith("i")
    text = seen.text.casefold() if fold else seen.text
    values = _strings(a.value)
    present = [v for v in values if (v.casefold() if fold else v) in text]
    if a.kind.endswith("-any"):
        ok = bool(present)
        return ok, f"found {present[0]!r}" if ok else f"none of {values} found"
    missing = [v for v in values if v not in present]
    return not missing, "all found" if not missing else f"missing {missing}"


def _json(a: Assertion, seen: Observation) -> tuple[bool | None, str]:
    if a.kind == "is-json":
        try:
            data = json.loads(seen.text.strip())
        except json.JSONDecodeError as exc:
            return False, f"not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        except RecursionError:
            return False, "not JSON this app can read (nested too deeply)"
    else:
        found = _find_json(seen.text)
        if found is None:
            return False, "no JSON object or array found in the answer"
        data = found
    schema = _schema_of(a.value) if a.value is not None else None
    return (True, "valid JSON") if schema is None else _against_schema(data, schema)


def _against_schema(data: Any, schema: dict[str, Any]) -> tuple[bool | None, str]:
    validator = jsonschema.validators.validator_for(schema)(schema, registry=_LOCAL_ONLY)
    try:
        error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    except RecursionError:  # a recursive schema ("$ref": "#") walking an answer nested hundreds deep
        return False, "nested too deeply to check against the schema"
    except referencing.exceptions.Unresolvable as exc:
        return None, f"the schema refers to {_clip(str(exc.ref), 80)!r}, which is never fetched"
    if error is None:
        return True, "valid JSON matching the schema"
    return False, f"{error.json_path}: {_clip(error.message, 160)}"


# Only references inside the schema itself ("#/$defs/..."): without a registry jsonschema fetches a
# "$ref" URL over the network - a template shared in a repository could make every test run call any
# address (and hang on a slow one) from the user's machine. An empty registry retrieves nothing.
_LOCAL_ONLY: referencing.Registry[Any] = referencing.Registry()


def _find_json(text: str) -> Any:
    """The first JSON object or array inside the text (e.g. in a fenced code block)."""
    decoder = json.JSONDecoder()
    starts = [i for i, char in enumerate(text[:200_000]) if char in "{["][:MAX_JSON_STARTS]
    for index in starts:
        try:
            return decoder.raw_decode(text, index)[0]
        except (ValueError, RecursionError):
            continue
    return None


def _number(a: Assertion, seen: Observation) -> tuple[bool | None, str]:
    limit = a.threshold or 0.0
    if a.kind == "cost":
        if seen.cost is None:
            return None, "the cost is unknown (the server sent none)"
        ok = float(seen.cost) <= limit
        return ok, f"cost ${float(seen.cost):.6f} {'<=' if ok else '>'} ${limit:g}"
    if seen.latency_ms is None:
        return None, "the latency is unknown"
    ok = seen.latency_ms <= limit
    return ok, f"latency {seen.latency_ms:.0f} ms {'<=' if ok else '>'} {limit:g} ms"


def _word_count(a: Assertion, seen: Observation) -> tuple[bool | None, str]:
    count = len(seen.text.split())
    if isinstance(a.value, int):
        return count == a.value, f"{count} words (expected {a.value})"
    low, high = a.value.get("min"), a.value.get("max")
    ok = (low is None or count >= low) and (high is None or count <= high)
    bounds = f"{low if low is not None else 0}-{high if high is not None else '∞'}"
    return ok, f"{count} words ({'within' if ok else 'outside'} {bounds})"


def _judged(a: Assertion, seen: Observation) -> tuple[bool | None, str]:
    return None, f"{a.name} needs a judge model (--judge MODEL)"


_CHECKS = {
    "equals": _equals,
    "contains": _contains,
    "icontains": _contains,
    "starts-with": _starts_with,
    "regex": _regex,
    **dict.fromkeys(LIST_TYPES, _contains_list),
    **dict.fromkeys(JSON_TYPES, _json),
    **dict.fromkeys(NUMBER_TYPES, _number),
    "word-count": _word_count,
    **dict.fromkeys(JUDGE_TYPES, _judged),
}


def check_all(assertions: Sequence[Assertion], seen: Observation) -> list[Outcome]:
    """Every assertion that needs no judge, in order."""
    return [check(a, seen) for a in assertions if not a.needs_judge]
