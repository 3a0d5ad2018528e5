"""The most a test run could cost before it starts: every missing answer, and the judge's calls."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from playground.core.catalog import ModelCatalog
from playground.core.estimate import DEFAULT_OUTPUT_TOKENS, estimate_cost
from playground.core.evaluation.judge import best_prompt, rubric_prompt
from playground.core.evaluation.runner import CellKey, TestPlan

JUDGE_TOKENS = 600  # the judge's own answer is short (the request asks for at most this)


def plan_cost(
    catalog: ModelCatalog | None, plan: TestPlan, keys: Iterable[CellKey]
) -> tuple[Decimal, list[str]]:
    """Worst-case USD for these cells (answers plus judging), and the models whose price is unknown."""
    total, unknown = Decimal(0), list[str]()
    for key in keys:
        request = plan.request(key)
        cost = estimate_cost(catalog, [key.model], request.prompt, request.system, request.params.max_tokens)
        total += cost.total
        unknown += cost.unknown
        answer = "x" * 4 * (request.params.max_tokens or DEFAULT_OUTPUT_TOKENS)  # as long as it may be
        for assertion in plan.case(key.case).assertions:
            if not plan.judge:
                break
            if assertion.kind == "llm-rubric":
                shown = rubric_prompt(str(assertion.value), request.prompt, answer)
                judged = estimate_cost(catalog, [plan.judge], shown, None, JUDGE_TOKENS)
            elif assertion.kind == "select-best" and key.model == plan.models[0]:  # once per case, twice
                shown = best_prompt(str(assertion.value or ""), request.prompt, [answer] * len(plan.models))
                judged = estimate_cost(catalog, [plan.judge, plan.judge], shown, None, JUDGE_TOKENS)
            else:
                continue
            total += judged.total
            unknown += judged.unknown
    return total, unknown
