"""ModelInfo and ModelCatalog: the model list, parsed defensively, cached on disk, searched fast."""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from playground.core.atomic import atomic_write, quarantine, read_json

log = logging.getLogger(__name__)

MILLION = Decimal(1_000_000)
MAX_PRICE_PER_TOKEN = Decimal(1)  # $1,000,000 per million tokens: a larger price is a wrong figure
MAX_ID = 256  # characters of a model id; a longer "id" is not one
MAX_NAME = 300
MAX_DESCRIPTION = 20_000
MAX_CREATED = 2**40  # unix seconds, far in the future
CACHE_SCHEMA = 1
SORTS = ("name", "price", "context", "newest")


def _price(value: Any) -> tuple[Decimal | None, bool]:
    """(USD per token, variable?) from a pricing string; "-1" marks variable (router) pricing."""
    if value is None or isinstance(value, bool):
        return None, False
    try:
        price = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None, False
    if not price.is_finite():
        return None, False
    if price < 0:
        return None, True
    return (price, False) if price <= MAX_PRICE_PER_TOKEN else (None, False)


def _int(value: Any, high: int = 10**9) -> int | None:
    """A whole number from 0 to ``high``: a bigger one from a server is a wrong figure (None)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value if isinstance(value, int) and 0 <= value <= high else None


def _strs(value: Any) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


@dataclass(frozen=True)
class ModelInfo:
    """One model as a browser shows it. Prices are exact decimals in USD per token."""

    id: str
    name: str
    canonical_slug: str = ""
    created: int | None = None
    description: str = ""
    context_length: int | None = None
    input_modalities: tuple[str, ...] = ("text",)
    output_modalities: tuple[str, ...] = ("text",)
    prompt_price: Decimal | None = None
    completion_price: Decimal | None = None
    request_price: Decimal | None = None
    variable_pricing: bool = False
    max_completion_tokens: int | None = None
    supported_parameters: tuple[str, ...] = ()
    reasoning_efforts: tuple[str, ...] = ()
    haystack: str = field(default="", repr=False, compare=False)

    @property
    def is_free(self) -> bool:
        return self.id.endswith(":free") or (self.prompt_price == 0 and self.completion_price == 0)

    @property
    def prompt_per_million(self) -> Decimal | None:
        return None if self.prompt_price is None else self.prompt_price * MILLION

    @property
    def completion_per_million(self) -> Decimal | None:
        return None if self.completion_price is None else self.completion_price * MILLION

    def supports(self, parameter: str) -> bool:
        """True when the catalog lists the parameter (an empty list means "unknown": allow)."""
        return not self.supported_parameters or parameter in self.supported_parameters

    def cost(self, prompt_tokens: int, completion_tokens: int) -> Decimal | None:
        if self.prompt_price is None or self.completion_price is None:
            return None
        return self.prompt_price * prompt_tokens + self.completion_price * completion_tokens


def parse_model(raw: Any) -> ModelInfo | None:
    """A ModelInfo, or None (logged) when the entry has no usable id. Unknown fields are ignored."""
    if not isinstance(raw, Mapping) or not isinstance(raw.get("id"), str) or not raw["id"].strip():
        log.warning("skipped a model entry without an id")
        return None
    if len(raw["id"].strip()) > MAX_ID:
        log.warning("skipped a model entry with an id of %d characters", len(raw["id"]))
        return None
    arch, pricing = _section(raw, "architecture"), _section(raw, "pricing")
    top, reasoning = _section(raw, "top_provider"), _section(raw, "reasoning")
    prompt, var_p = _price(pricing.get("prompt"))
    completion, var_c = _price(pricing.get("completion"))
    model_id = raw["id"].strip()
    name = _text(raw.get("name"))[:MAX_NAME] or model_id
    description = _text(raw.get("description"))[:MAX_DESCRIPTION]
    inputs = _strs(arch.get("input_modalities")) or _modalities_from(_text(arch.get("modality")))
    return ModelInfo(
        id=model_id,
        name=name,
        canonical_slug=_text(raw.get("canonical_slug")),
        created=_int(raw.get("created"), MAX_CREATED),
        description=description,
        context_length=_int(raw.get("context_length")) or _int(top.get("context_length")),
        input_modalities=inputs or ("text",),
        output_modalities=_strs(arch.get("output_modalities")) or ("text",),
        prompt_price=prompt,
        completion_price=completion,
        request_price=_price(pricing.get("request"))[0],
        variable_pricing=var_p or var_c,
        max_completion_tokens=_int(top.get("max_completion_tokens")),
        supported_parameters=_strs(raw.get("supported_parameters")),
        reasoning_efforts=_strs(reasoning.get("supported_efforts")),
        haystack=f"{model_id} {name} {description}".lower(),
    )


def _section(raw: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = raw.get(name)
    return value if isinstance(value, Mapping) else {}


def _modalities_from(modality: str) -> tuple[str, ...]:
    inputs = modality.split("->")[0]
    return tuple(p for p in inputs.split("+") if p)


@dataclass(frozen=True)
class ModelFilter:
    """What a search asks for; None / empty means "any"."""

    query: str = ""
    free_only: bool = False
    max_prompt_per_million: Decimal | None = None
    max_completion_per_million: Decimal | None = None
    min_context: int | None = None
    input_modality: str | None = None
    parameter: str | None = None

    def matches(self, model: ModelInfo, words: Sequence[str]) -> bool:
        if any(word not in model.haystack for word in words):
            return False
        if self.free_only and not model.is_free:
            return False
        if not _within(model.prompt_per_million, self.max_prompt_per_million):
            return False
        if not _within(model.completion_per_million, self.max_completion_per_million):
            return False
        if self.min_context is not None and (model.context_length or 0) < self.min_context:
            return False
        if self.input_modality and self.input_modality not in model.input_modalities:
            return False
        return not (self.parameter and self.parameter not in model.supported_parameters)


def _within(price: Decimal | None, cap: Decimal | None) -> bool:
    return cap is None or (price is not None and price <= cap)


@dataclass(frozen=True)
class CatalogDiff:
    """What changed since the previous fetch."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    price_changed: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.price_changed)

    def to_json(self) -> dict[str, list[str]]:
        return {
            "added": list(self.added),
            "removed": list(self.removed),
            "price_changed": list(self.price_changed),
        }

    @classmethod
    def from_json(cls, data: Any) -> CatalogDiff:
        data = data if isinstance(data, Mapping) else {}
        return cls(_strs(data.get("added")), _strs(data.get("removed")), _strs(data.get("price_changed")))


class ModelCatalog:
    """The models of one fetch, with the time it was made and what changed since the one before."""

    def __init__(
        self,
        models: Iterable[ModelInfo],
        fetched_at: float | None = None,
        changes: CatalogDiff | None = None,
    ) -> None:
        self.models: list[ModelInfo] = list(models)
        self._by_id = {m.id: m for m in self.models}
        self.fetched_at = fetched_at
        self.changes = changes or CatalogDiff()

    @classmethod
    def from_raw(cls, raw: Iterable[Any], fetched_at: float | None = None) -> ModelCatalog:
        parsed = (parse_model(entry) for entry in raw)
        return cls([m for m in parsed if m is not None], fetched_at)

    def __len__(self) -> int:
        return len(self.models)

    def get(self, model_id: str) -> ModelInfo | None:
        return self._by_id.get(model_id)

    def search(self, flt: ModelFilter | None = None, sort: str = "name") -> list[ModelInfo]:
        flt = flt or ModelFilter()
        words = flt.query.lower().split()
        found = [m for m in self.models if flt.matches(m, words)]
        return sort_models(found, sort)

    def diff_from(self, previous: ModelCatalog) -> CatalogDiff:
        old, new = previous._by_id, self._by_id
        changed = [
            mid
            for mid in new.keys() & old.keys()
            if (new[mid].prompt_price, new[mid].completion_price)
            != (old[mid].prompt_price, old[mid].completion_price)
        ]
        return CatalogDiff(
            tuple(sorted(new.keys() - old.keys())),
            tuple(sorted(old.keys() - new.keys())),
            tuple(sorted(changed)),
        )


def sort_models(models: list[ModelInfo], sort: str) -> list[ModelInfo]:
    if sort == "price":  # cheapest first; unknown and variable prices last
        return sorted(
            models,
            key=lambda m: (
                m.prompt_price is None,
                m.prompt_price or 0,
                m.completion_price or 0,
                m.name.lower(),
            ),
        )
    if sort == "context":
        return sorted(models, key=lambda m: (-(m.context_length or 0), m.name.lower()))
    if sort == "newest":
        return sorted(models, key=lambda m: (-(m.created or 0), m.name.lower()))
    return sorted(models, key=lambda m: m.name.lower())


def describe_age(seconds: float) -> str:
    """'just now', '3 min ago', '5 h ago', '2 days ago'."""
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400 * 2:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86400)} days ago"


@dataclass
class CatalogCache:
    """The catalog on disk: the raw entries and the time they were fetched."""

    path: Path
    warnings: list[str] = field(default_factory=list)

    def load(self) -> ModelCatalog | None:
        try:
            data = read_json(self.path)  # untrusted: UTF-8, no NaN, bounded, a regular file
            if not isinstance(data, dict) or not isinstance(data.get("models"), list):
                raise ValueError("no model list")
        except FileNotFoundError:
            return None
        except OSError as exc:  # unreadable, not damaged: the list is fetched again
            log.warning("could not read the model cache: %s", exc.strerror or exc)
            return None
        except ValueError:
            self.warnings.append(f"The model cache was damaged; {self._set_aside()}.")
            return None
        fetched = data.get("fetched_at")
        catalog = ModelCatalog.from_raw(data["models"], fetched if isinstance(fetched, int | float) else None)
        catalog.changes = CatalogDiff.from_json(data.get("changes"))
        return catalog

    def _set_aside(self) -> str:
        try:
            return f"it was set aside as {quarantine(self.path).name}"
        except OSError as exc:
            return f"it could not be set aside ({exc.strerror or exc}) and is fetched again"

    def save(self, raw: list[Any], fetched_at: float, changes: CatalogDiff) -> None:
        payload = {
            "schema_version": CACHE_SCHEMA,
            "fetched_at": fetched_at,
            "changes": changes.to_json(),
            "models": storable(raw),
        }
        atomic_write(self.path, json.dumps(payload, ensure_ascii=False))


MAX_STORED_DEPTH = 16  # a model entry is a few levels deep; deeper parts are of no use to the browser


def storable(raw: list[Any]) -> list[Any]:
    """``raw`` as the cache can read it back: a number the reader refuses (infinity, more than 30
    digits) becomes null and anything nested deeper than ``MAX_STORED_DEPTH`` is dropped - else one
    odd figure from a server made the cache "damaged" on every start and set a copy aside each time."""
    out: list[Any] = []
    stack: list[tuple[Any, Any, Any, int]] = [(None, None, raw, 0)]
    while stack:
        parent, key, value, depth = stack.pop()
        if isinstance(value, dict | list):
            copy: Any = {} if isinstance(value, dict) else [None] * len(value)
            items = value.items() if isinstance(value, dict) else enumerate(value)
            if depth < MAX_STORED_DEPTH:
                stack.extend((copy, k, v, depth + 1) for k, v in items)
            value = copy
        elif _unreadable_number(value):
            value = None
        if parent is None:
            out = value
        else:
            parent[key] = value
    return out


def _unreadable_number(value: Any) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**30


async def refresh_catalog(client: Any, cache: CatalogCache, *, now: float | None = None) -> ModelCatalog:
    """Fetch the list, compare it with the cached one, cache it; raises ApiError when offline."""
    raw = await client.models()
    fetched_at = time.time() if now is None else now
    catalog = ModelCatalog.from_raw(raw, fetched_at)
    previous = cache.load()
    catalog.changes = catalog.diff_from(previous) if previous is not None else CatalogDiff()
    try:
        cache.save(raw, fetched_at, catalog.changes)
    except OSError as exc:
        log.warning("could not write the model cache: %s", exc.strerror)
    return catalog
