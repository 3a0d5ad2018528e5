"""A template's ``[params]`` and ``[routing]`` tables: read with every value checked (a schema, a
tools list, a routing choice), written back as TOML - with the fields this version does not know
kept as they were, so a template from a newer app loses nothing when it is saved here."""

from __future__ import annotations

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
        return ChatParams(**known)
    except (TypeError, ConfigError) as exc:
        raise ConfigError(f"bad [params]: {exc}") from None


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
