"""What ``templates test`` will send: the plan from the flags (or the run it resumes) and its cost."""

from __future__ import annotations

import argparse
import random
from decimal import Decimal
from typing import Any

from playground.commands.request_flags import with_request_options
from playground.core.context import AppContext
from playground.core.errors import ConfigError, PlaygroundError
from playground.core.evaluation.cost import plan_cost
from playground.core.evaluation.runner import AGAINST, CURRENT, Cell, CellKey, TestPlan, Variant
from playground.core.evaluation.store import TestStore
from playground.core.evaluation.suite import build_cases, template_file
from playground.core.request import ChatParams
from playground.core.templates import PromptTemplate

PLAN_FLAGS = ("model", "case", "against", "judge")


def build_plan(
    ctx: AppContext, store: TestStore, args: argparse.Namespace
) -> tuple[TestPlan, int | None, list[Cell]]:
    """The plan, the test run it resumes (or None) and the cells that run already has."""
    if args.resume is not None:
        given = [f"--{f}" for f in PLAN_FLAGS if getattr(args, f)]
        if given:
            raise ConfigError(
                f"--resume keeps the cases, models and judge of the run it resumes; drop {given[0]}."
            )
        return _resumed(ctx, store, args.name, args.resume)
    library = ctx.library()
    template = ctx.templates.get(args.name)
    cases = build_cases(template, template_file(ctx.templates, template.name), args.case)
    models = tuple(dict.fromkeys(args.model or template.models))
    if not models:
        raise ConfigError(f"Template '{template.name}' names no models: pass -m MODEL.")
    variants = [Variant(CURRENT, template, library.current_version(template).hash)]
    if args.against:
        old = library.version(template.name, args.against)
        variants.append(Variant(AGAINST, _template(old.content, args.against), old.hash))
    params = ChatParams(temperature=args.temperature, max_tokens=args.max_tokens, seed=args.seed)
    params = with_request_options(params, args)
    seed = args.seed if args.seed is not None else random.randrange(1_000_000)
    plan = TestPlan(
        template.name, tuple(variants), cases, models, args.repeat, params, seed, args.judge, args.concurrency
    )
    return plan, None, []


def _template(content: str, ref: str) -> PromptTemplate:
    try:
        return PromptTemplate.from_toml(content)
    except PlaygroundError as exc:
        raise ConfigError(f"Version {ref} cannot be read: {exc}") from None


def _resumed(ctx: AppContext, store: TestStore, name: str, test_run: int) -> tuple[TestPlan, int, list[Cell]]:
    stored = store.load(test_run)
    if stored.template != name:
        raise ConfigError(f"Test run {test_run} tested '{stored.template}', not '{name}'.")
    data: dict[str, Any] = stored.plan
    library = ctx.library()
    variants = tuple(
        Variant(
            v["label"], _template(library.version(name, v["version"]).content, v["version"]), v["version"]
        )
        for v in data["variants"]
    )
    cases = build_cases(variants[0].template, template_file(ctx.templates, name), data["cases"])
    params = dict(data.get("params") or {})
    if isinstance(params.get("stop"), list):
        params["stop"] = tuple(params["stop"])
    plan = TestPlan(
        name, variants, cases, tuple(data["models"]), int(data["repeats"]), ChatParams(**params),
        int(data["seed"]), data.get("judge"), int(data.get("concurrency") or 4),
    )  # fmt: skip
    return plan, test_run, list(stored.cells)


async def estimate(ctx: AppContext, plan: TestPlan, keys: list[CellKey]) -> tuple[Decimal, list[str]]:
    """The most the missing cells (and their judging) could cost, and the models with no known price."""
    from playground.commands.models import load_catalog

    try:
        catalog, _ = await load_catalog(ctx, refresh=False)
    except PlaygroundError:
        catalog = None  # offline with no cache: every model is unpriced
    return plan_cost(catalog, plan, keys)
