"""Cost estimates before sending: a worst case a user can weigh against a spend cap."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from playground.core.catalog import ModelCatalog

CHARS_PER_TOKEN = 4  # a rough average for English text; an estimate is labelled as such
DEFAULT_OUTPUT_TOKENS = 4096


def estimate_tokens(text: str) -> int:
    return max(1, (len(text) + CHARS_PER_TOKEN - 1) // CHARS_PER_TOKEN) if text else 0


@dataclass(frozen=True)
class CostEstimate:
    """The most a comparison could cost, and the models whose price is unknown."""

    total: Decimal
    per_model: tuple[tuple[str, Decimal | None], ...]
    prompt_tokens: int
    unknown: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.unknown


def estimate_cost(
    catalog: ModelCatalog | None,
    models: Sequence[str],
    prompt: str,
    system: str | None,
    max_tokens: int | None,
) -> CostEstimate:
    """Prompt tokens (estimated from length) x prompt price + max output tokens x completion price."""
    prompt_tokens = estimate_tokens(prompt) + estimate_tokens(system or "")
    rows: list[tuple[str, Decimal | None]] = []
    total = Decimal(0)
    for model_id in models:
        info = catalog.get(model_id) if catalog else None
        output = max_tokens or (info.max_completion_tokens if info else None) or DEFAULT_OUTPUT_TOKENS
        cost = info.cost(prompt_tokens, output) if info else None
        rows.append((model_id, cost))
        total += cost or 0
    unknown = tuple(m for m, c in rows if c is None)
    return CostEstimate(total, tuple(rows), prompt_tokens, unknown)
