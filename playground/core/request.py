"""What one chat request asks for: model, messages and the parameters the user set."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from playground.core.routing import Routing

REASONING_EFFORTS = ("minimal", "low", "medium", "high")


@dataclass(frozen=True)
class ChatParams:
    """Sampling parameters. ``None`` means "not set": only set parameters are sent."""

    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    max_tokens: int | None = None
    seed: int | None = None
    stop: tuple[str, ...] | None = None
    frequency_penalty: float | None = None
    presence_penalty: float | None = None
    repetition_penalty: float | None = None
    reasoning_effort: str | None = None

    def merged(self, override: ChatParams | None) -> ChatParams:
        """These parameters with every field that ``override`` sets replaced."""
        if override is None:
            return self
        changes = {f.name: getattr(override, f.name) for f in fields(override)}
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def to_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or f.name == "reasoning_effort":
                continue
            body[f.name] = list(value) if f.name == "stop" else value
        if self.reasoning_effort:
            body["reasoning"] = {"effort": self.reasoning_effort}
        return body

    def set_names(self) -> list[str]:
        return [f.name for f in fields(self) if getattr(self, f.name) is not None]


@dataclass(frozen=True)
class ChatRequest:
    """One request to one model. ``extra`` carries OpenRouter routing fields (provider, models)."""

    model: str
    messages: tuple[Mapping[str, Any], ...]
    params: ChatParams = field(default_factory=ChatParams)
    extra: Mapping[str, Any] = field(default_factory=dict)
    routing: Routing | None = None
    label: str | None = None  # how messages name the model when it is not ``model`` (``@name/id``)

    @classmethod
    def simple(
        cls, model: str, prompt: str, system: str | None = None, params: ChatParams | None = None
    ) -> ChatRequest:
        messages: list[Mapping[str, Any]] = []
        if system:
            messages.append({"role": "system", "content": system})
        messages.append({"role": "user", "content": prompt})
        return cls(model=model, messages=tuple(messages), params=params or ChatParams())

    def body(self, *, stream: bool) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.model, "messages": [dict(m) for m in self.messages]}
        body.update(self.params.to_body())
        if self.routing is not None:
            body.update(self.routing.to_extra(self.model))
        body.update(self.extra)
        body["stream"] = stream
        return body
