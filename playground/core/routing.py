"""How OpenRouter routes one request: fallback models, provider preferences, variants.

``Routing`` is what a pane (or a template's defaults) asks for; ``to_extra`` turns it into the
OpenRouter body fields (``models``, ``provider``) exactly as chosen, and nothing when nothing is set.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from playground.core.errors import ConfigError
from playground.core.modelref import preset_name, split_ref

SORTS = ("price", "throughput", "latency")
VARIANTS = {
    "nitro": "fastest providers first (sort by throughput)",
    "floor": "cheapest providers first (sort by price)",
    "free": "the free version, with its rate limits",
}
MAX_FALLBACKS = 3
AUTO_ROUTER = "openrouter/auto"


class RoutingError(ConfigError):
    """A routing choice that cannot be sent (bad sort, negative price, too many fallbacks)."""


@dataclass(frozen=True)
class Routing:
    """Routing choices. Empty / None fields are not sent, so OpenRouter's defaults apply."""

    fallbacks: tuple[str, ...] = ()  # OpenRouter's ``models`` list after the pane's own model
    order: tuple[str, ...] = ()  # provider.order
    only: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    allow_fallbacks: bool | None = None  # None: OpenRouter's default (true)
    sort: str | None = None
    deny_data_collection: bool = False
    max_price_prompt: Decimal | None = None  # USD per million tokens
    max_price_completion: Decimal | None = None
    quantizations: tuple[str, ...] = ()  # e.g. fp8, bf16: only providers serving these
    zdr: bool = False  # only providers with zero data retention
    require_parameters: bool = False  # only providers that honour every parameter sent
    preferred_min_throughput: int | None = None  # tokens per second; a preference, not a filter

    def __post_init__(self) -> None:
        if self.sort is not None and self.sort not in SORTS:
            raise RoutingError(f"Unknown provider sort {self.sort!r}: use one of {', '.join(SORTS)}.")
        if len(self.fallbacks) > MAX_FALLBACKS:
            raise RoutingError(f"At most {MAX_FALLBACKS} fallback models are allowed.")
        for price in (self.max_price_prompt, self.max_price_completion):
            if price is not None and price < 0:
                raise RoutingError("A maximum price cannot be negative.")
        if self.preferred_min_throughput is not None and not 0 < self.preferred_min_throughput <= 100_000:
            raise RoutingError("preferred_min_throughput must be tokens per second from 1 to 100000.")

    @property
    def empty(self) -> bool:
        return self == Routing()

    def provider_body(self) -> dict[str, Any]:
        provider: dict[str, Any] = {}
        if self.order:
            provider["order"] = list(self.order)
        if self.only:
            provider["only"] = list(self.only)
        if self.ignore:
            provider["ignore"] = list(self.ignore)
        if self.allow_fallbacks is not None:
            provider["allow_fallbacks"] = self.allow_fallbacks
        if self.sort:
            provider["sort"] = self.sort
        if self.deny_data_collection:
            provider["data_collection"] = "deny"
        max_price: dict[str, float] = {}
        if self.max_price_prompt is not None:
            max_price["prompt"] = float(self.max_price_prompt)
        if self.max_price_completion is not None:
            max_price["completion"] = float(self.max_price_completion)
        if max_price:
            provider["max_price"] = max_price
        if self.quantizations:
            provider["quantizations"] = list(self.quantizations)
        if self.zdr:
            provider["zdr"] = True
        if self.require_parameters:
            provider["require_parameters"] = True
        if self.preferred_min_throughput is not None:
            provider["preferred_min_throughput"] = self.preferred_min_throughput
        return provider

    def to_extra(self, model: str) -> dict[str, Any]:
        """The body fields for a request to ``model``: ``models`` and ``provider`` when set."""
        extra: dict[str, Any] = {}
        fallbacks = [m for m in dict.fromkeys(self.fallbacks) if m and m != model]
        if fallbacks:
            extra["models"] = [model, *fallbacks]
        provider = self.provider_body()
        if provider:
            extra["provider"] = provider
        return extra

    def merged(self, override: Routing | None) -> Routing:
        """These choices with every field ``override`` sets replaced (a pane over a template)."""
        if override is None:
            return self
        default = Routing()
        changes = {
            f.name: getattr(override, f.name)
            for f in fields(override)
            if getattr(override, f.name) != getattr(default, f.name)
        }
        return replace(self, **changes)

    def constraints(self) -> list[str]:
        """The choices that can leave a model with no provider, in words, strictest first."""
        found: list[str] = []
        if self.only:
            found.append(f"only providers {', '.join(self.only)}")
        if self.order and self.allow_fallbacks is False:
            found.append(f"providers {', '.join(self.order)} with fallbacks off")
        if self.max_price_prompt is not None or self.max_price_completion is not None:
            found.append(f"max price {self._price_words()}")
        if self.deny_data_collection:
            found.append("data collection: deny")
        if self.ignore:
            found.append(f"ignored providers {', '.join(self.ignore)}")
        if self.quantizations:
            found.append(f"quantizations {', '.join(self.quantizations)}")
        if self.zdr:
            found.append("zero data retention")
        if self.require_parameters:
            found.append("providers that honour every parameter")
        return found

    def _price_words(self) -> str:
        parts = []
        if self.max_price_prompt is not None:
            parts.append(f"${self.max_price_prompt}/M in")
        if self.max_price_completion is not None:
            parts.append(f"${self.max_price_completion}/M out")
        return ", ".join(parts)

    def describe(self) -> str:
        """One short line for a pane's note: what this routing asks for."""
        parts: list[str] = []
        if self.fallbacks:
            parts.append("fallbacks " + ", ".join(self.fallbacks))
        if self.order:
            parts.append("providers " + " > ".join(self.order))
        parts += [c for c in self.constraints() if not c.startswith("providers ")]
        if self.allow_fallbacks is False and not self.order:
            parts.append("no provider fallbacks")
        if self.sort:
            parts.append(f"sort by {self.sort}")
        if self.preferred_min_throughput is not None:
            parts.append(f"prefer {self.preferred_min_throughput}+ tokens/s")
        return "; ".join(parts)

    # ----- storage: template TOML ``[routing]``, window state -----------------------------------

    def to_mapping(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value in (None, (), False):
                continue
            data[f.name] = (
                list(value)
                if isinstance(value, tuple)
                else str(value)
                if isinstance(value, Decimal)
                else value
            )
        return data

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Routing:
        """Read choices written by ``to_mapping`` or by hand; a wrong value raises RoutingError."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise RoutingError(f"Unknown routing field {unknown[0]!r}; known: {', '.join(sorted(known))}.")
        values: dict[str, Any] = {}
        for name in ("fallbacks", "order", "only", "ignore", "quantizations"):
            if name in data:
                values[name] = _names(data[name], name)
        if data.get("preferred_min_throughput") is not None:
            values["preferred_min_throughput"] = _throughput(data["preferred_min_throughput"])
        for name in ("allow_fallbacks", "deny_data_collection", "zdr", "require_parameters"):
            if name in data:
                if not isinstance(data[name], bool):
                    raise RoutingError(f"Routing field {name!r} must be true or false.")
                values[name] = data[name]
        if "sort" in data:
            values["sort"] = None if data["sort"] in (None, "") else str(data["sort"])
        for name in ("max_price_prompt", "max_price_completion"):
            if name in data and data[name] is not None:
                values[name] = parse_price(data[name], name)
        return cls(**values)


def _names(value: Any, name: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise RoutingError(f"Routing field {name!r} must be a list of names.")
    return tuple(v.strip() for v in value if v.strip())


def _throughput(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RoutingError("preferred_min_throughput must be a whole number of tokens per second.")
    return value


def parse_price(value: Any, name: str = "max price") -> Decimal:
    try:
        price = Decimal(str(value).strip().lstrip("$"))
    except InvalidOperation:
        raise RoutingError(f"{name} must be a number of US dollars per million tokens.") from None
    if not price.is_finite() or price < 0:
        raise RoutingError(f"{name} must be a number of US dollars per million tokens.")
    return price


# ----- variants and what answered -----------------------------------------------------------------


def split_variant(model: str) -> tuple[str, str | None]:
    """``vendor/model:nitro`` -> (``vendor/model``, ``nitro``)."""
    base, sep, variant = model.rpartition(":")
    if sep and base and "/" not in variant:
        return base, variant
    return model, None


def variants_for(model: str, catalog_ids: Iterable[str]) -> list[str]:
    """The variant suffixes offered for ``model``: nitro and floor where the catalog lists the paid
    model, free only where it lists the free one."""
    base, _ = split_variant(model)
    if not base or base == AUTO_ROUTER or "/" not in base:
        return []
    ids = set(catalog_ids)
    offered = ["nitro", "floor"] if base in ids else []
    if f"{base}:free" in ids:
        offered.append("free")
    return offered


_DATED = re.compile(r"-(\d{4}-?\d{2}-?\d{2}|\d{4}|\d{6,8})$")


def same_model(asked: str, served: str) -> bool:
    """True when ``served`` is ``asked`` under another name: a variant suffix, a dated slug, or an
    endpoint model (``@ollama/llama3``) answering under its own id (``llama3``)."""
    ref = split_ref(asked)
    if ref is not None and split_ref(served) is None:
        asked = ref[1]
    a, _ = split_variant(asked)
    s, _ = split_variant(served)
    if a == s:
        return True
    return s.startswith(a + "-") and bool(_DATED.search(s[len(a) :]))


def routing_note(asked: str, served: str | None, routing: Routing | None = None) -> str | None:
    """Words for the pane when another model answered than the one asked; None when it is the same."""
    if not served or same_model(asked, served):
        return None
    preset = preset_name(asked)
    if preset is not None:
        return f"preset {preset}: {served} answered"
    if split_variant(asked)[0] == AUTO_ROUTER:
        return f"auto router chose {served}"
    fallbacks = routing.fallbacks if routing else ()
    if any(same_model(f, served) for f in fallbacks):
        return f"fallback taken: {served} answered, not {asked}"
    return f"answered by {served}, not {asked}"
