"""The simulated model catalog and the Markdown answers each model gives."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from playground.simulator.answers import write_answer

CREATED_BASE = 1_760_000_000


@dataclass(frozen=True)
class SimModel:
    """A simulated model: its catalog entry and how fast it talks."""

    id: str
    name: str
    provider: str
    tokens_per_second: float
    ttft: float
    prompt_price: str  # USD per token, as OpenRouter sends it (a string)
    completion_price: str
    context_length: int
    description: str
    reasoning: bool = False
    input_modalities: tuple[str, ...] = ("text",)
    max_completion_tokens: int | None = 16384
    answers_as: str | None = None  # routers: the model that really answers
    length: int = 260  # words in a typical answer
    style: str = "terse"  # how it writes: terse | thorough | code | table (see answers.py)

    def to_json(self, index: int) -> dict[str, Any]:
        params = [
            "temperature",
            "top_p",
            "max_tokens",
            "stop",
            "seed",
            "frequency_penalty",
            "presence_penalty",
            "response_format",
            "tools",
        ]
        if self.reasoning:
            params += ["reasoning", "include_reasoning"]
        if not self.id.endswith(":free"):  # a free model without strict schemas, to flag
            params.append("structured_outputs")
        entry: dict[str, Any] = {
            "id": self.id,
            "canonical_slug": self.id.split(":")[0] + "-20260901",
            "name": self.name,
            "created": CREATED_BASE + index * 86400,
            "description": self.description,
            "context_length": self.context_length,
            "architecture": {
                "modality": "+".join(self.input_modalities) + "->text",
                "input_modalities": list(self.input_modalities),
                "output_modalities": ["text"],
                "tokenizer": "Other",
                "instruct_type": None,
            },
            "pricing": {
                "prompt": self.prompt_price,
                "completion": self.completion_price,
                "request": "0",
                "image": "0",
            },
            "top_provider": {
                "context_length": self.context_length,
                "max_completion_tokens": self.max_completion_tokens,
                "is_moderated": False,
            },
            "per_request_limits": None,
            "supported_parameters": params,
            "default_parameters": {"temperature": None, "top_p": None, "frequency_penalty": None},
            "supported_voices": None,
            "links": {"details": f"/api/v1/models/{self.id}/endpoints"},
            "expiration_date": None,
            "some_future_field": {"ignored": True},
        }
        if self.reasoning:
            entry["reasoning"] = {
                "mandatory": False,
                "supported_efforts": ["low", "medium", "high"],
                "default_effort": "medium",
            }
        return entry


DEFAULT_MODELS: tuple[SimModel, ...] = (
    SimModel(
        "sim/quick-mini",
        "Sim: Quick Mini",
        "Simulated Labs",
        220,
        0.25,
        "0.00000015",
        "0.0000006",
        128_000,
        "A small, fast model for everyday prompts.",
        length=180,
    ),
    SimModel(
        "sim/balanced-pro",
        "Sim: Balanced Pro",
        "Simulated Labs",
        90,
        0.6,
        "0.0000025",
        "0.00001",
        200_000,
        "A careful general model with long, structured answers.",
        length=320,
        style="thorough",
    ),
    SimModel(
        "sim/deep-reasoner",
        "Sim: Deep Reasoner",
        "Thinking Co",
        60,
        1.1,
        "0.0000011",
        "0.0000044",
        128_000,
        "Thinks step by step before answering.",
        reasoning=True,
        length=240,
        style="code",
    ),
    SimModel(
        "sim/open-llama:free",
        "Sim: Open Llama (free)",
        "Community Cloud",
        45,
        0.8,
        "0",
        "0",
        32_768,
        "An open-weights model, free with rate limits.",
        length=200,
        style="code",
    ),
    SimModel(
        "sim/vision-large",
        "Sim: Vision Large",
        "Pixel AI",
        70,
        0.7,
        "0.000003",
        "0.000015",
        256_000,
        "Reads images as well as text.",
        input_modalities=("text", "image"),
        length=260,
        style="table",
    ),
    SimModel(
        "sim/long-context",
        "Sim: Long Context",
        "Simulated Labs",
        120,
        0.9,
        "0.0000004",
        "0.0000016",
        1_000_000,
        "A million tokens of context.",
        max_completion_tokens=None,
        style="table",
    ),
    SimModel(
        "openrouter/auto",
        "Auto Router",
        "OpenRouter",
        150,
        0.5,
        "-1",
        "-1",
        2_000_000,
        "Picks a model for each prompt.",
        answers_as="sim/quick-mini",
    ),
)

_TOKEN_RE = re.compile(r"\s*\S+|\s+")


def tokenize(text: str) -> list[str]:
    """Split text into word-sized tokens that join back to the same text."""
    return _TOKEN_RE.findall(text)


def generate_answer(model: SimModel, prompt: str) -> str:
    """A deterministic Markdown answer in the model's own style (see ``answers``)."""
    return write_answer(model.id, model.style, prompt)


def generate_reasoning(prompt: str) -> str:
    subject = " ".join(prompt.split()[:6]) or "the question"
    return (
        f"The user asks about {subject}. First, what do they actually need - an explanation, a decision, "
        "or working code? Probably a short explanation with one concrete example. I should name the "
        "key parts, show how they fit together, and check the edge cases before answering."
    )


@dataclass(frozen=True)
class SimEndpoint:
    """One provider serving a model: how its price and speed compare, and whether it keeps data."""

    provider: str
    price_factor: float = 1.0
    speed_factor: float = 1.0
    latency_factor: float = 1.0
    collects_data: bool = False
    quantization: str = "bf16"


def endpoints_for(model: SimModel) -> list[SimEndpoint]:
    """Every simulated model has three providers: its own, a cheap slow one that keeps prompts for
    training, and a fast expensive one. Routing preferences choose among them."""
    return [
        SimEndpoint(model.provider),
        SimEndpoint(
            "Budget Cloud",
            price_factor=0.6,
            speed_factor=0.6,
            latency_factor=1.6,
            collects_data=True,
            quantization="fp8",
        ),
        SimEndpoint("Fast Lane", price_factor=1.8, speed_factor=2.0, latency_factor=0.5, quantization="fp8"),
    ]


def choose_endpoint(model: SimModel, prefs: Any, variant: str | None = None) -> SimEndpoint | None:
    """The provider OpenRouter's routing would pick, or None when the preferences exclude them all."""
    prefs = prefs if isinstance(prefs, dict) else {}
    candidates = endpoints_for(model)

    def names(key: str) -> set[str]:
        value = prefs.get(key)
        return {str(v).lower() for v in value} if isinstance(value, list) else set()

    only, ignore = names("only"), names("ignore")
    if only:
        candidates = [e for e in candidates if e.provider.lower() in only]
    candidates = [e for e in candidates if e.provider.lower() not in ignore]
    if prefs.get("data_collection") == "deny":
        candidates = [e for e in candidates if not e.collects_data]
    max_price = prefs.get("max_price")
    if isinstance(max_price, dict):
        candidates = [e for e in candidates if _within(model, e, max_price)]
    sort = prefs.get("sort") or {"nitro": "throughput", "floor": "price"}.get(variant or "")
    if sort == "price":
        candidates.sort(key=lambda e: e.price_factor)
    elif sort == "throughput":
        candidates.sort(key=lambda e: -e.speed_factor)
    elif sort == "latency":
        candidates.sort(key=lambda e: e.latency_factor)
    order = [str(v).lower() for v in prefs.get("order") or [] if isinstance(v, str)]
    if order:
        ranked = [e for o in order for e in candidates if e.provider.lower() == o]
        rest = [e for e in candidates if e not in ranked]
        candidates = ranked + ([] if prefs.get("allow_fallbacks") is False else rest)
    return candidates[0] if candidates else None


def _within(model: SimModel, endpoint: SimEndpoint, max_price: dict[str, Any]) -> bool:
    """``max_price`` is USD per million tokens; prices in the catalog are USD per token."""
    for key, price in (("prompt", model.prompt_price), ("completion", model.completion_price)):
        limit = max_price.get(key)
        if isinstance(limit, int | float) and float(price) * endpoint.price_factor * 1e6 > limit + 1e-9:
            return False
    return True
