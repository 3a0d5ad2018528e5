"""Preflight: every check made before a request is sent, in one place for the CLI and the window.

Each check returns typed findings; the CLI prints them (or refuses with exit code 2 when one blocks)
and the window shows them in the pane they concern, so both say the same words for the same problem.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from playground.core.attachments import Attachment, unreadable_by
from playground.core.capabilities import is_preset, preset_words, request_notes
from playground.core.conversation import ContextLevel, Message, check_context
from playground.core.request import ChatParams

if TYPE_CHECKING:
    from playground.core.catalog import ModelCatalog, ModelInfo
    from playground.core.compare import CompareRequest
    from playground.core.estimate import CostEstimate
    from playground.core.spend import Thresholds

# Which catalog parameter name each field needs, to flag unsupported ones per model (None: not a
# model parameter - a server tool, a cache mark, image output for models that have it).
PARAMETER_NAMES: dict[str, str | None] = {
    "temperature": "temperature",
    "top_p": "top_p",
    "max_tokens": "max_tokens",
    "seed": "seed",
    "stop": "stop",
    "reasoning_effort": "reasoning",
    "reasoning_max_tokens": "reasoning",
    "exclude_reasoning": "reasoning",
    "response_format": "response_format",
    "tools": "tools",
    "tool_choice": "tools",  # models that take tools take a choice among them
    "web_search": None,
    "cache_prompt": None,
    "modalities": None,
}

EMPTY_MODEL = "a model id cannot be empty"


class FindingKind(StrEnum):
    MISSING_MODEL = "missing_model"
    UNKNOWN_MODEL = "unknown_model"  # not in the catalog: a typo, or a withdrawn model
    PRESET = "preset"
    UNSUPPORTED = "unsupported"  # structured outputs, tools, a reasoning effort the model lacks
    IGNORED = "ignored"  # sampling parameters the model does not list
    UNREADABLE = "unreadable"  # attachments the model cannot read
    CONTEXT = "context"
    SPEND_CAP = "spend_cap"


@dataclass(frozen=True)
class Finding:
    """One thing to say before sending; ``blocks`` when sending would only come back as an error."""

    kind: FindingKind
    text: str
    blocks: bool = False


@dataclass(frozen=True)
class PaneDraft:
    """What one pane would send: its model, its merged parameters and the messages of its thread."""

    model: str
    params: ChatParams
    messages: tuple[Message, ...]
    system: str | None = None
    attachments: tuple[Attachment, ...] = ()
    require_parameters: bool = False


def request_drafts(request: CompareRequest) -> list[PaneDraft]:
    """Each pane of a comparison as the request would send it (its thread, merged parameters)."""
    return [
        PaneDraft(
            pane.model,
            request.params.merged(pane.params),
            request.pane_messages(index),
            request.system,
            request.attachments,
            request.pane_routing(index).require_parameters,
        )
        for index, pane in enumerate(request.panes)
    ]


def missing_model(model: str) -> Finding | None:
    """An empty model id: nothing could answer it."""
    return None if model.strip() else Finding(FindingKind.MISSING_MODEL, EMPTY_MODEL, blocks=True)


def is_unknown_model(model: str, catalog: ModelCatalog | None, *, demo: bool = False) -> bool:
    """A model id the loaded catalog does not list (a typo, or a model that was withdrawn);
    endpoint models and presets (``@...``) and routing variants (``:nitro``) are not judged."""
    if catalog is None or not model or model.startswith("@") or not len(catalog):
        return False
    if demo and model.startswith("fault/"):
        return False  # the demo's named faults answer though the catalog does not list them
    return catalog.get(model) is None and catalog.get(model.rsplit(":", 1)[0]) is None


def unknown_model_words(model: str) -> str:
    """What the CLI and a pane say of an id the catalog does not list (one wording for both)."""
    return f"Unknown model id '{model}' - not in OpenRouter's model list."


def unknown_model(model: str, catalog: ModelCatalog | None, *, demo: bool = False) -> Finding | None:
    """An id the catalog does not list, in the words the window's pane shows; it does not block
    (the catalog may be hours old and OpenRouter says so itself if the id is wrong)."""
    if not is_unknown_model(model, catalog, demo=demo):
        return None
    return Finding(FindingKind.UNKNOWN_MODEL, unknown_model_words(model))


def unreadable(model: str, info: ModelInfo | None, attachments: Iterable[Attachment]) -> Finding | None:
    """The attachments ``model`` cannot read (an image for a text-only model); it blocks sending."""
    if info is None:
        return None
    found = unreadable_by(attachments, info.input_modalities)
    if not found:
        return None
    names = ", ".join(a.name for a in found)
    return Finding(FindingKind.UNREADABLE, f"{model} cannot read images ({names})", blocks=True)


def unsupported(
    model: str, info: ModelInfo | None, params: ChatParams, require_parameters: bool, offer: str
) -> list[Finding]:
    """What ``model`` may not honour (a preset is named as such); ``offer`` says how to insist."""
    if is_preset(model):
        return [Finding(FindingKind.PRESET, preset_words(model))]
    notes = request_notes(model, info, params, require_parameters, offer)
    return [Finding(FindingKind.UNSUPPORTED, note) for note in notes]


def ignored(
    model: str, info: ModelInfo, params: ChatParams, names: Mapping[str, str | None] = PARAMETER_NAMES
) -> Finding | None:
    """The parameters set that the model's catalog entry does not list."""
    fields = [n for n in params.set_names() if not info.supports(names.get(n) or n)]
    fields = [n for n in fields if names.get(n, n) is not None]
    if not fields:
        return None
    return Finding(FindingKind.IGNORED, f"{model} ignores: {', '.join(fields)}")


def context(draft: PaneDraft, info: ModelInfo) -> Finding | None:
    """A thread near or over the model's context; over it blocks sending."""
    check = check_context(
        draft.messages, draft.system, info.context_length, draft.params.max_tokens, info.max_completion_tokens
    )
    words = check.words(draft.model)
    if not words:
        return None
    return Finding(FindingKind.CONTEXT, words, blocks=check.level is ContextLevel.OVER)


def check_pane(
    draft: PaneDraft, info: ModelInfo | None, *, offer: str, all_notes: bool = True
) -> list[Finding]:
    """Every finding for one pane; without ``all_notes`` only those that block sending."""
    findings: list[Finding] = []
    if all_notes:
        findings += unsupported(draft.model, info, draft.params, draft.require_parameters, offer)
    if info is None:
        return findings
    found = [ignored(draft.model, info, draft.params)] if all_notes else []
    found += [unreadable(draft.model, info, draft.attachments), context(draft, info)]
    findings += [f for f in found if f is not None]
    return findings if all_notes else [f for f in findings if f.blocks]


def spend_cap(thresholds: Thresholds, estimate: Decimal | None) -> Finding | None:
    """A comparison estimated at or above the user's per-comparison alert: ask before sending."""
    from playground.core.spend import check_alerts

    alerts = check_alerts(thresholds, estimate=estimate)
    return Finding(FindingKind.SPEND_CAP, alerts[0].message) if alerts else None


def request_estimate(catalog: ModelCatalog | None, request: CompareRequest) -> CostEstimate:
    """The most ``request`` could cost, counted as the window's estimate next to Send counts it."""
    models = [pane.model for pane in request.panes]
    return max_cost(
        catalog, models, request.prompt, request.system, request.params.max_tokens, request.attachments
    )


def max_cost(
    catalog: ModelCatalog | None,
    models: Sequence[str],
    prompt: str,
    system: str | None,
    max_tokens: int | None,
    attachments: Sequence[Attachment] = (),
    threads: Sequence[Sequence[Message]] | None = None,
) -> CostEstimate:
    """The most sending ``prompt`` (with ``system`` and ``attachments``) to each model could cost: its
    input and its maximum output. ``threads``: each model's conversation so far, input too (a
    follow-up). The one count for the window's estimate next to Send and the CLI's spend check."""
    from playground.core.conversation import input_tokens
    from playground.core.estimate import estimate_cost

    attached = input_tokens([Message("user", "", tuple(attachments))])
    inputs = [input_tokens(thread) for thread in threads] if threads else [0] * len(models)
    extra = [attached + tokens for tokens in inputs]
    return estimate_cost(catalog, list(models), prompt, system, max_tokens, extra_tokens=extra)


def request_spend_cap(
    thresholds: Thresholds, catalog: ModelCatalog | None, request: CompareRequest
) -> Finding | None:
    """``spend_cap`` for a whole request (nothing to say when no model has a known price)."""
    if thresholds.estimate_above is None:
        return None
    estimate = request_estimate(catalog, request)
    return spend_cap(thresholds, estimate.total) if estimate.per_model else None
