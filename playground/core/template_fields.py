"""A template's ``[params]`` and ``[routing]`` tables: read with every value checked (a schema, a
tools list, a routing choice), written back as TOML - with the fields this version does not know
kept as they were, so a template from a newer app loses nothing when it is saved here."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from playground.core.errors import ConfigError
from playground.core.request import ChatParams
from playground.core.routing import Routing, RoutingError
from playground.core.structured import surface_params

KNOWN_FIELDS = frozenset(
    {"schema_version", "name", "prompt", "system", "description", "tags", "models", "params", "cases"}
    | {"routing", "assert"}
)


def toml_value(value: Any) -> Any:
    """A parameter as TOML holds it: tuples as arrays, mappings as tables."""
    if isinstance(value, Mapping):
        return {k: toml_value(v) for k, v in value.items()}
    return [toml_value(v) for v in value] if isinstance(value, tuple | list) else value


def unknown_params(value: Any) -> dict[str, Any]:
    """The ``[params]`` entries this version does not know, to write back unchanged."""
    if not isinstance(value, Mapping):
        return {}
    return {k: v for k, v in value.items() if k not in ChatParams.__dataclass_fields__}


def params_table(value: Any) -> ChatParams:
    """``[params]`` as ChatParams; a wrong value raises ConfigError naming the table."""
    if not isinstance(value, Mapping):
        return ChatParams()
    known = {k: v for k, v in value.items() if k in ChatParams.__dataclass_fields__}
    if isinstance(known.get("stop"), list):
        known["stop"] = tuple(str(s) for s in known["stop"])
    try:
        known.update(surface_params(known))
        _check_ranges(known)
        return ChatParams(**known)
    except (TypeError, ConfigError) as exc:
        raise ConfigError(f"bad [params]: {exc}") from None


# What a [params] number may be; outside it, the template is reported as broken before anything is sent.
PARAM_RANGES: dict[str, tuple[float, float]] = {
    "temperature": (0, 2),
    "top_p": (0, 1),
    "frequency_penalty": (-2, 2),
    "presence_penalty": (-2, 2),
    "repetition_penalty": (0, 2),
    "max_tokens": (1, 10_000_000),
    "reasoning_max_tokens": (0, 10_000_000),
    "seed": (-(2**63), 2**63 - 1),
}


def _check_ranges(known: Mapping[str, Any]) -> None:
    for name, (low, high) in PARAM_RANGES.items():
        value = known.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{name} must be a number")
        if not (isinstance(value, int) or math.isfinite(value)) or not low <= value <= high:
            raise ConfigError(f"{name} must be between {low:g} and {high:g}")
        if name in ("max_tokens", "reasoning_max_tokens", "seed") and not isinstance(value, int):
            raise ConfigError(f"{name} must be a whole number")


def routing_table(value: Any) -> Routing:
    """``[routing]`` as Routing; a wrong value raises ConfigError naming the table."""
    if value is None:
        return Routing()
    if not isinstance(value, Mapping):
        raise ConfigError("[routing] must be a table")
    try:
        return Routing.from_mapping(value)
    except RoutingError as exc:
        raise ConfigError(f"bad [routing]: {exc}") from None
