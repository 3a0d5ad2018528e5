"""promptfoo configs in and out: ``promptfooconfig.yaml`` <-> templates with cases and assertions.

Import reads YAML with ``safe_load`` only (no tags, no code) and says what it could not carry over:
file references, code assertions, non-OpenRouter providers, list-valued vars. Export writes one
config per template: its prompt (with the system prompt, as promptfoo's chat JSON), OpenRouter
providers with the template's parameters, ``defaultTest`` assertions and one test per case.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from playground.core.errors import ConfigError
from playground.core.evaluation.assertions import CODE_TYPES, TEXT_TYPES, TYPES
from playground.core.request import ChatParams
from playground.core.templates import PromptTemplate, TemplateError

MAX_CONFIG = 5_000_000  # bytes of YAML read at all
TEXT_VALUED = (*TEXT_TYPES, "llm-rubric")
PARAM_NAMES = ("temperature", "top_p", "max_tokens", "seed", "frequency_penalty", "presence_penalty")


@dataclass
class Imported:
    """The templates a config became, and one sentence per thing left behind."""

    templates: list[PromptTemplate] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


def is_promptfoo(name: str) -> bool:
    return name.lower().endswith((".yaml", ".yml"))


def load_config(text: str, source: str) -> Imported:
    if len(text) > MAX_CONFIG:
        raise ConfigError(f"{source} is larger than {MAX_CONFIG // 1_000_000} MB; not read.")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source} is not valid YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, Mapping):
        raise ConfigError(f"{source} is not a promptfoo config (expected a mapping with 'prompts').")
    return from_config(data, source)


def from_config(data: Mapping[str, Any], source: str) -> Imported:
    out = Imported()
    prompts = _prompts(data.get("prompts"), out)
    if not prompts:
        raise ConfigError(f"{source} has no prompt this app can use ('prompts' as text).")
    models, params = _providers(data.get("providers"), out)
    raw_default = data.get("defaultTest")
    default: Mapping[str, Any] = raw_default if isinstance(raw_default, Mapping) else {}
    shared = _asserts(default.get("assert"), "defaultTest", out)
    defaults = _vars(default.get("vars"), "defaultTest", out) or {}
    cases, case_asserts = _tests(data.get("tests"), defaults, out)
    base = str(data.get("description") or "").strip()[:50] or "promptfoo"
    for index, (label, system, prompt) in enumerate(prompts, 1):
        name = label or (base if len(prompts) == 1 else f"{base} {index}")
        out.templates.append(
            PromptTemplate(
                name=_clean_name(name),
                prompt=prompt,
                system=system,
                description=f"Imported from {source}",
                models=tuple(models),
                params=params,
                cases=tuple(cases),
                asserts=tuple(shared),
                case_asserts=case_asserts,
            )
        )
    return out


def _clean_name(name: str) -> str:
    cleaned = "".join(ch if ch.isalnum() or ch in " .-_" else " " for ch in name).strip(" .-")
    return " ".join(cleaned.split())[:64].rstrip() or "promptfoo"


def _prompts(raw: Any, out: Imported) -> list[tuple[str, str, str]]:
    items = raw if isinstance(raw, list) else [raw] if raw is not None else []
    found = []
    for item in items:
        label, text = "", item
        if isinstance(item, Mapping):
            label, text = str(item.get("label") or item.get("id") or ""), item.get("raw")
        if not isinstance(text, str) or not text.strip():
            out.dropped.append(f"a prompt that is not text ({_short(item)})")
        elif text.startswith("file://"):
            out.dropped.append(
                f"prompt {text}: file references are not read; paste the prompt into the template"
            )
        else:
            system, prompt = _chat(text)
            found.append((label if not label.startswith("file://") else "", system, prompt))
    return found


def _chat(text: str) -> tuple[str, str]:
    """promptfoo's chat form (a JSON list of messages) as a system prompt and a prompt."""
    stripped = text.strip()
    if stripped.startswith("["):
        try:
            messages = json.loads(stripped)
        except ValueError:
            return "", text
        if isinstance(messages, list) and all(isinstance(m, Mapping) for m in messages):
            system = "\n\n".join(str(m.get("content", "")) for m in messages if m.get("role") == "system")
            user = "\n\n".join(str(m.get("content", "")) for m in messages if m.get("role") != "system")
            return system, user
    return "", text


def _providers(raw: Any, out: Imported) -> tuple[list[str], ChatParams]:
    items = raw if isinstance(raw, list) else [raw] if raw is not None else []
    models: list[str] = []
    settings: dict[str, Any] = {}
    for item in items:
        ident = item.get("id") if isinstance(item, Mapping) else item
        if not isinstance(ident, str) or not ident.startswith("openrouter:"):
            out.dropped.append(f"provider {_short(ident)}: only openrouter: providers are carried over")
            continue
        models.append(ident.removeprefix("openrouter:"))
        config = item.get("config") if isinstance(item, Mapping) else None
        if isinstance(config, Mapping):
            settings.update({k: v for k, v in config.items() if k in PARAM_NAMES and _number(v)})
    return list(dict.fromkeys(models)), ChatParams(**settings)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _vars(raw: Any, where: str, out: Imported) -> dict[str, str] | None:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        out.dropped.append(f"{where}: vars that are not a mapping ({_short(raw)})")
        return None
    values = {}
    for key, value in raw.items():
        if isinstance(value, list | Mapping) or (isinstance(value, str) and value.startswith("file://")):
            out.dropped.append(f"{where}: var '{key}' ({_short(value)}) - lists and files are not expanded")
            return None
        values[str(key)] = "" if value is None else str(value)
    return values


def _tests(
    raw: Any, defaults: Mapping[str, str], out: Imported
) -> tuple[list[tuple[str, dict[str, str]]], dict[str, tuple[Mapping[str, Any], ...]]]:
    items = raw if isinstance(raw, list) else []
    if raw is not None and not isinstance(raw, list):
        out.dropped.append(f"tests {_short(raw)}: only a list of tests is read")
    cases: list[tuple[str, dict[str, str]]] = []
    asserts: dict[str, tuple[Mapping[str, Any], ...]] = {}
    for index, test in enumerate(items, 1):
        if not isinstance(test, Mapping):
            out.dropped.append(f"test {index}: {_short(test)} is not a test")
            continue
        name = _unique(str(test.get("description") or f"case {index}")[:60], {n for n, _ in cases})
        values = _vars(test.get("vars"), f"test '{name}'", out)
        if values is None:
            continue
        cases.append((name, {**defaults, **values}))
        own = _asserts(test.get("assert"), f"test '{name}'", out)
        if own:
            asserts[name] = tuple(own)
    return cases, asserts


def _unique(name: str, taken: set[str]) -> str:
    candidate, counter = name, 1
    while candidate in taken:
        counter += 1
        candidate = f"{name} ({counter})"
    return candidate


def _asserts(raw: Any, where: str, out: Imported) -> list[dict[str, Any]]:
    kept = []
    for item in raw if isinstance(raw, list) else []:
        kind = str(item.get("type", "")) if isinstance(item, Mapping) else ""
        base = kind.removeprefix("not-")
        if base in CODE_TYPES:
            out.dropped.append(f"{where}: assertion '{kind}' runs code, which this app never does")
        elif base not in TYPES:
            out.dropped.append(f"{where}: assertion '{kind or _short(item)}' is not supported")
        else:
            table = {k: _tomlable(item[k]) for k in ("type", "value", "threshold") if item.get(k) is not None}
            if base in TEXT_VALUED and isinstance(table.get("value"), bool | int | float):
                table["value"] = str(table["value"])  # `equals: 42` in YAML is the text "42"
            left = sorted(set(item) - {"type", "value", "threshold"})
            if left:
                out.dropped.append(
                    f"{where}: '{kind}' settings not carried over: {', '.join(map(str, left))}"
                )
            kept.append(table)
    return kept


def _tomlable(value: Any) -> Any:
    """YAML values TOML can hold: nulls dropped, dates and other scalars as text."""
    if isinstance(value, Mapping):
        return {str(k): _tomlable(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_tomlable(v) for v in value if v is not None]
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str) if not isinstance(value, str) else value
    return text if len(text) <= 60 else text[:59] + "…"


def to_config(template: PromptTemplate) -> str:
    """A promptfooconfig.yaml for one template."""
    prompt: str = template.prompt
    if template.system:
        messages = [
            {"role": "system", "content": template.system},
            {"role": "user", "content": template.prompt},
        ]
        prompt = json.dumps(messages, ensure_ascii=False)
    config = {n: getattr(template.params, n) for n in PARAM_NAMES if getattr(template.params, n) is not None}
    providers = [
        {"id": f"openrouter:{m}", "config": config} if config else f"openrouter:{m}" for m in template.models
    ]
    data: dict[str, Any] = {"description": template.name, "prompts": [prompt], "providers": providers}
    if template.asserts:
        data["defaultTest"] = {"assert": [dict(a) for a in template.asserts]}
    tests = []
    for name, values in template.cases:
        test: dict[str, Any] = {"description": name, "vars": dict(values)}
        if template.case_asserts.get(name):
            test["assert"] = [dict(a) for a in template.case_asserts[name]]
        tests.append(test)
    if tests:
        data["tests"] = tests
    try:
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    except yaml.YAMLError as exc:  # a value YAML cannot hold
        raise TemplateError(f"'{template.name}' cannot be written as a promptfoo config: {exc}") from None
