"""A template's test cases with their assertions, validated before anything is sent."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from playground.core.errors import ConfigError
from playground.core.evaluation.assertions import Assertion, AssertionSpecError, parse_assertion
from playground.core.templates import PromptTemplate, TemplateStore

DEFAULT_CASE = "default"  # a template without cases is tested once, with its variables' defaults


@dataclass(frozen=True)
class TestCase:
    """One named set of variables and the assertions every answer to it must pass."""

    __test__ = False  # not a pytest class

    name: str
    variables: Mapping[str, str]
    assertions: tuple[Assertion, ...]

    @property
    def judged(self) -> bool:
        return any(a.needs_judge for a in self.assertions)

    @property
    def select_best(self) -> Assertion | None:
        return next((a for a in self.assertions if a.kind == "select-best"), None)


def build_cases(template: PromptTemplate, where: str, only: Sequence[str] = ()) -> tuple[TestCase, ...]:
    """Every case (or those named in ``only``) with the template's shared assertions first.

    Every invalid assertion is reported at once, each with ``where`` (the file) and its case.
    """
    problems: list[str] = []
    shared = _parse(template.asserts, f"{where}: [[assert]]", problems)
    cases = template.cases or ((DEFAULT_CASE, {}),)
    unknown = [n for n in only if n not in {name for name, _ in cases}]
    if unknown:
        known = ", ".join(name for name, _ in cases)
        raise ConfigError(f"Template '{template.name}' has no case {unknown[0]!r} (cases: {known}).")
    built = []
    for name, values in cases:
        own = _parse(template.case_asserts.get(name, ()), f"{where}: case '{name}'", problems)
        if not only or name in only:
            built.append(TestCase(name, dict(values), shared + own))
    if problems:
        raise AssertionSpecError("Invalid assertions, nothing was sent:\n  " + "\n  ".join(problems))
    return tuple(built)


def template_file(store: TemplateStore, name: str) -> str:
    """The file a template was read from (for messages), whatever it is called."""
    entry = next((e for e in store.entries() if e.name == name), None)
    return (entry.path if entry else store.path_for(name)).name


def _parse(raw: Sequence[Mapping[str, object]], where: str, problems: list[str]) -> tuple[Assertion, ...]:
    found: list[Assertion] = []
    for index, item in enumerate(raw, 1):
        try:
            found.append(parse_assertion(item, f"{where}, assertion {index}"))
        except AssertionSpecError as exc:
            problems.append(str(exc))
    return tuple(found)
