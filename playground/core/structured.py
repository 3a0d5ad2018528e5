"""Structured outputs: the ``response_format`` sent, and checking an answer against it.

A schema comes from a file or a template and is checked to be a JSON Schema before it is sent;
an answer is checked once it is complete: "valid JSON", or the first error with its path.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from playground.core.atomic import read_json_file
from playground.core.errors import ConfigError
from playground.core.events import SchemaCheck

MAX_SCHEMA_FILE = 256 * 1024
_NAME = re.compile(r"[^A-Za-z0-9_-]+")


class SchemaError(ConfigError):
    """A schema file or response format that cannot be sent."""


def load_schema(path: Path) -> dict[str, Any]:
    """The JSON Schema in a file (or an OpenAI ``json_schema`` object holding one)."""
    data = read_json_file(path, MAX_SCHEMA_FILE, "schema", SchemaError)
    return check_schema(data, path.name)


def check_schema(data: Any, where: str = "schema") -> dict[str, Any]:
    """A JSON Schema as a dict; an OpenAI ``{name, schema}`` wrapper is unwrapped."""
    if isinstance(data, Mapping) and isinstance(data.get("schema"), Mapping) and "name" in data:
        data = data["schema"]
    if not isinstance(data, Mapping):
        raise SchemaError(f"{where}: a JSON Schema must be a JSON object.")
    from jsonschema import exceptions, validators

    try:
        validators.validator_for(data).check_schema(dict(data))
    except exceptions.SchemaError as exc:
        raise SchemaError(f"{where}: not a valid JSON Schema: {exc.message[:200]}") from None
    return dict(data)


def json_schema_format(schema: Mapping[str, Any], name: str = "answer") -> dict[str, Any]:
    """``response_format`` for a strict schema (the name as OpenAI allows it)."""
    safe = _NAME.sub("_", name).strip("_")[:64] or "answer"
    return {"type": "json_schema", "json_schema": {"name": safe, "strict": True, "schema": dict(schema)}}


JSON_OBJECT: dict[str, Any] = {"type": "json_object"}


def schema_of(response_format: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """The schema a ``response_format`` asks for; ``{}`` (any JSON) for json_object; None for none."""
    if not response_format:
        return None
    if response_format.get("type") == "json_object":
        return {}
    if response_format.get("type") == "json_schema":
        inner = response_format.get("json_schema")
        schema = inner.get("schema") if isinstance(inner, Mapping) else None
        return schema if isinstance(schema, Mapping) else {}
    return None


def validate_answer(text: str, schema: Mapping[str, Any]) -> SchemaCheck:
    """ "valid JSON" or what is wrong: not JSON (with where), or the first schema error with its path."""
    try:
        value = json.loads(_unfenced(text))
    except json.JSONDecodeError as exc:
        return SchemaCheck(False, f"not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})")
    except (ValueError, RecursionError):  # a number too long to read, or nested too deeply
        return SchemaCheck(False, "not JSON (too long a number or nested too deeply)")
    if not schema:
        return SchemaCheck(True, "valid JSON")
    import referencing
    import referencing.exceptions
    from jsonschema import validators

    # An empty registry: a "$ref" URL is never fetched (jsonschema would, from the user's machine).
    validator = validators.validator_for(schema)(schema, registry=referencing.Registry())
    try:
        errors = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
    except referencing.exceptions.Unresolvable as exc:
        return SchemaCheck(False, f"the schema refers to {str(exc.ref)[:80]!r}, which is never fetched")
    except RecursionError:
        return SchemaCheck(False, "nested too deeply to check against the schema")
    if not errors:
        return SchemaCheck(True, "valid JSON")
    first = errors[0]
    return SchemaCheck(False, f"{json_path(first.absolute_path)}: {first.message[:300]}")


def json_path(parts: Any) -> str:
    """``$.items[2].name`` for a jsonschema error path."""
    path = "$"
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def pretty_json(text: str) -> str | None:
    """The answer indented when it is JSON; None when it is not."""
    try:
        return json.dumps(json.loads(_unfenced(text)), indent=2, ensure_ascii=False)
    except (ValueError, RecursionError):
        return None


def _unfenced(text: str) -> str:
    """The answer without a surrounding ```json fence, which some models add anyway."""
    stripped = text.strip()
    if stripped.startswith("```") and stripped.endswith("```") and stripped.count("\n") >= 1:
        return stripped.split("\n", 1)[1].rsplit("```", 1)[0]
    return stripped


def check_response_format(value: Any) -> dict[str, Any]:
    """A ``response_format`` read from a file: json_object, or json_schema with a valid schema."""
    if not isinstance(value, Mapping) or value.get("type") not in ("json_object", "json_schema"):
        raise SchemaError('response_format must be {type = "json_object"} or {type = "json_schema", ...}')
    if value["type"] == "json_object":
        return dict(JSON_OBJECT)
    inner = value.get("json_schema")
    if not isinstance(inner, Mapping):
        raise SchemaError("response_format json_schema needs a json_schema table with name and schema")
    name = inner.get("name") if isinstance(inner.get("name"), str) else "answer"
    return json_schema_format(check_schema(inner.get("schema"), "response_format"), str(name))


def surface_params(values: Mapping[str, Any]) -> dict[str, Any]:
    """The request-surface fields of a parameter table read from a file, checked and typed
    (tuples for lists); a wrong one raises ConfigError naming it."""
    from playground.core.tools import check_tools

    out: dict[str, Any] = {}
    if values.get("response_format") is not None:
        out["response_format"] = check_response_format(values["response_format"])
    if values.get("tools") is not None:
        out["tools"] = check_tools(values["tools"], "tools")
    if values.get("modalities") is not None:
        modalities = values["modalities"]
        if not isinstance(modalities, list | tuple) or not all(isinstance(m, str) for m in modalities):
            raise SchemaError('modalities must be a list such as ["image", "text"]')
        out["modalities"] = tuple(modalities)
    for name in ("web_search", "reasoning_max_tokens"):
        value = values.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise SchemaError(f"{name} must be a whole number")
    for name in ("exclude_reasoning", "cache_prompt"):
        if values.get(name) is not None and not isinstance(values[name], bool):
            raise SchemaError(f"{name} must be true or false")
    choice = values.get("tool_choice")
    if choice is not None and not isinstance(choice, str):
        raise SchemaError("tool_choice must be auto, none, required or a tool's name")
    return out
