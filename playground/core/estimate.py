"""Cost estimates before sending: a worst case a user can weigh against a spend cap."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the catalog's module loads with the catalog, after the window's first frame
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
    *,
    extra_text: Sequence[str] | None = None,
    extra_tokens: Sequence[int] | None = None,
) -> CostEstimate:
    """Prompt tokens (estimated from length) x prompt price + max output tokens x completion price.

    ``extra_text[i]`` is more input for model ``i`` only - its own earlier turns in a follow-up."""
    prompt_tokens = estimate_tokens(prompt) + estimate_tokens(system or "")
    rows: list[tuple[str, Decimal | None]] = []
    total = Decimal(0)
    for index, model_id in enumerate(models):
        info = catalog.get(model_id) if catalog else None
        output = max_tokens or (info.max_completion_tokens if info else None) or DEFAULT_OUTPUT_TOKENS
        own = estimate_tokens(extra_text[index]) if extra_text and index < len(extra_text) else 0
        own += extra_tokens[index] if extra_tokens and index < len(extra_tokens) else 0  # attachments
        cost = info.cost(prompt_tokens + own, output) if info else None
        rows.append((model_id, cost))
        total += cost or 0
    unknown = tuple(m for m, c in rows if c is None)
    return CostEstimate(total, tuple(rows), prompt_tokens, unknown)
