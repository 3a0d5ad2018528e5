"""promptfoo configs in and out: ``promptfooconfig.yaml`` <-> templates with cases and assertions.

Import reads YAML with ``safe_load`` only (no tags, no code) and says what it could not carry over:
file references, code assertions, non-OpenRouter providers, list-valued vars. Export writes one
config per template: its prompt (with the system prompt, as promptfoo's chat JSON), OpenRouter
providers with the template's parameters, ``defaultTest`` assertions and one test per case.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from playground.core.errors import ConfigError
from playground.core.evaluation.assertions import CODE_TYPES, TEXT_TYPES, TYPES
from playground.core.request import ChatParams
from playground.core.templates import PromptTemplate, TemplateError

MAX_CONFIG = 5_000_000  # bytes of YAML read at all
MAX_EXPANDED = 2 * MAX_CONFIG  # values and characters once aliases are expanded
MAX_DEPTH = 64  # a promptfoo config is a few levels deep; the importer's walks stay well off the stack limit
TEXT_VALUED = (*TEXT_TYPES, "llm-rubric")
# name: (lowest, highest, whole numbers only) - the command line's ranges for the same flags.
PARAM_RANGES: dict[str, tuple[float, float, bool]] = {
    "temperature": (0, 2, False),
    "top_p": (0, 1, False),
    "max_tokens": (1, 2**31 - 1, True),
    "seed": (-(2**63), 2**63 - 1, True),
    "frequency_penalty": (-2, 2, False),
    "presence_penalty": (-2, 2, False),
}
PARAM_NAMES = tuple(PARAM_RANGES)


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
    data = _safe_yaml(text, source)
    if not isinstance(data, Mapping):
        raise ConfigError(f"{source} is not a promptfoo config (expected a mapping with 'prompts').")
    return from_config(data, source)


def _safe_yaml(text: str, source: str) -> Any:
    """``yaml.safe_load`` with the document's shape checked before any Python object is built: a
    few KB of anchors and aliases can stand for billions of values ("billion laughs"), an alias can
    point at its own parent, and deep nesting exhausts the stack."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _check_shape(node, source)
        return loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source} is not valid YAML: {str(exc).splitlines()[0]}") from None
    except RecursionError:
        raise ConfigError(f"{source} is nested too deeply to read") from None
    finally:
        loader.dispose()


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def _check_shape(root: yaml.Node, source: str) -> None:
    """Refuse a document that, with every alias expanded, holds more than ``MAX_EXPANDED`` values
    and characters, nests deeper than ``MAX_DEPTH`` or contains itself. Iterative, and each node is
    sized once, so the check is linear in the file even when the expansion is not."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, finished = stack.pop()
        key = id(node)
        if finished:
            on_path.discard(key)
            own = len(node.value) if isinstance(node, yaml.ScalarNode) else 0
            sizes[key] = 1 + own + sum(sizes[id(child)] for child in _children(node))
            if sizes[key] > MAX_EXPANDED:
                too_big = f"expands to more than {MAX_EXPANDED:,} values (aliases)"
                raise ConfigError(f"{source} {too_big}; not read.")
        elif key not in sizes:
            if key in on_path:
                raise ConfigError(f"{source} has an alias that contains itself; not read.")
            if depth > MAX_DEPTH:
                raise ConfigError(f"{source} is nested more than {MAX_DEPTH} levels deep; not read.")
            on_path.add(key)
            stack.append((node, depth, True))
            stack.extend((child, depth + 1, False) for child in _children(node))


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
            settings.update(_params(config, out))
    return list(dict.fromkeys(models)), ChatParams(**settings)


def _params(config: Mapping[str, Any], out: Imported) -> dict[str, Any]:
    """The sampling parameters of a provider's config that are numbers in their range (as the
    command line's flags check them); the others are named as not carried over."""
    kept: dict[str, Any] = {}
    for name, value in config.items():
        if name not in PARAM_RANGES:
            continue
        low, high, whole = PARAM_RANGES[name]
        number = not isinstance(value, bool) and isinstance(value, int if whole else int | float)
        if number and math.isfinite(value) and low <= value <= high:
            kept[name] = value
        else:
            out.dropped.append(f"provider config: {name} {_short(value)} (a number from {low} to {high})")
    return kept


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
