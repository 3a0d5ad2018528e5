"""``playground models``: the catalog from the cache or the network, searched and filtered."""

from __future__ import annotations

import argparse
import json
import sys
import time
from decimal import Decimal

from playground.commands.args import integer, price
from playground.commands.output import context, per_million, table
from playground.core.catalog import (
    SORTS,
    ModelCatalog,
    ModelFilter,
    ModelInfo,
    describe_age,
    refresh_catalog,
)
from playground.core.context import AppContext
from playground.core.errors import ApiError, ConfigError

STALE_AFTER = 6 * 3600  # a cache older than this is refreshed when online


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("models", help="list OpenRouter's models with prices and limits")
    p.add_argument("--search", default="", metavar="TEXT", help="words to find in id, name, description")
    p.add_argument("--free", action="store_true", help="only free models")
    p.add_argument(
        "--max-price", type=price, metavar="USD_PER_M", help="prompt and completion price at most this"
    )
    p.add_argument(
        "--min-context", type=integer(0, 10**9), metavar="N", help="context window of at least N tokens"
    )
    p.add_argument("--modality", metavar="KIND", help="accepts this input, e.g. image")
    p.add_argument("--param", metavar="NAME", help="supports this parameter, e.g. reasoning or tools")
    p.add_argument("--sort", choices=SORTS, default="name")
    p.add_argument("--refresh", action="store_true", help="fetch the list now instead of using the cache")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--demo", action="store_true", help="list the built-in simulator's models")


async def load_catalog(ctx: AppContext, *, refresh: bool) -> tuple[ModelCatalog, str]:
    """The catalog and a line saying how fresh it is; offline, the cache with its age."""
    cache = ctx.catalog_cache
    cached = cache.load()
    age = time.time() - cached.fetched_at if cached and cached.fetched_at else None
    if cached is not None and not refresh and age is not None and age < STALE_AFTER:
        return cached, f"cached {describe_age(age)}"
    async with ctx.client(None) as client:
        try:
            return await refresh_catalog(client, cache), "updated just now"
        except ApiError as exc:
            if cached is None:
                raise
            when = describe_age(age) if age is not None else "some time ago"
            return cached, f"offline - cached {when} ({exc})"


async def run(ctx: AppContext, args: argparse.Namespace) -> int:
    if args.demo:
        ctx.start_demo(time_scale=0)
    if args.min_context is not None and args.min_context < 0:
        raise ConfigError("--min-context must be zero or more.")
    catalog, freshness = await load_catalog(ctx, refresh=args.refresh)
    flt = ModelFilter(
        query=args.search,
        free_only=args.free,
        max_prompt_per_million=args.max_price,
        max_completion_per_million=args.max_price,
        min_context=args.min_context,
        input_modality=args.modality,
        parameter=args.param,
    )
    found = catalog.search(flt, args.sort)
    if args.json:
        json.dump([_as_json(m) for m in found], sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    rows = [
        [m.id, m.name, context(m.context_length), per_million(m, "prompt"), per_million(m, "completion")]
        for m in found
    ]
    table(["id", "name", "context", "prompt $/M", "completion $/M"], rows)
    print(f"\n{len(found)} of {len(catalog)} models - {freshness}", file=sys.stderr)
    return 0


def _plain(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.normalize():f}"


def _as_json(m: ModelInfo) -> dict[str, object]:
    return {
        "id": m.id,
        "name": m.name,
        "context_length": m.context_length,
        "prompt_per_million": _plain(m.prompt_per_million),
        "completion_per_million": _plain(m.completion_per_million),
        "variable_pricing": m.variable_pricing,
        "free": m.is_free,
        "input_modalities": list(m.input_modalities),
        "supported_parameters": list(m.supported_parameters),
        "created": m.created,
    }
