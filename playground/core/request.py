"""What one chat request asks for: model, messages and the parameters the user set."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from playground.core.routing import Routing

REASONING_EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh")
TOOL_CHOICES = ("auto", "none", "required")
WEB_SEARCH_TOOL = "openrouter:web_search"
ONLINE = ":online"  # the deprecated web search suffix of a model id
CACHE_CONTROL = {"type": "ephemeral"}
MAX_CACHE_BREAKPOINTS = 4  # Anthropic's limit on cache_control marks in one request
# Body fields built from several ChatParams fields, never copied as they are.
_COMPOSED = frozenset(
    {"reasoning_effort", "reasoning_max_tokens", "exclude_reasoning", "tool_choice", "web_search"}
    | {"cache_prompt", "tools"}
)


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
    reasoning_max_tokens: int | None = None  # a reasoning budget, instead of an effort
    exclude_reasoning: bool | None = None  # think, but leave the reasoning out of the answer
    response_format: Mapping[str, Any] | None = None  # OpenAI's shape: json_object or json_schema
    tools: tuple[Mapping[str, Any], ...] | None = None  # function tools, OpenAI's shape
    tool_choice: str | None = None  # auto, none, required or a tool's name
    web_search: int | None = None  # max results of OpenRouter's web search tool (0: its default)
    cache_prompt: bool | None = None  # cache_control on the system prompt and attachments
    modalities: tuple[str, ...] | None = None  # ("image", "text") for image output

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
            if value is None or f.name in _COMPOSED:
                continue
            body[f.name] = list(value) if isinstance(value, tuple) else _plain(value)
        reasoning = self._reasoning()
        if reasoning:
            body["reasoning"] = reasoning
        tools = self._tools()
        if tools:
            body["tools"] = tools
            if self.tool_choice:
                body["tool_choice"] = tool_choice_body(self.tool_choice)
        return body

    def _reasoning(self) -> dict[str, Any]:
        reasoning: dict[str, Any] = {}
        if self.reasoning_effort:
            reasoning["effort"] = self.reasoning_effort
        elif self.reasoning_max_tokens is not None:  # one of the two: effort wins
            reasoning["max_tokens"] = self.reasoning_max_tokens
        if self.exclude_reasoning:
            reasoning["exclude"] = True
        return reasoning

    def _tools(self) -> list[dict[str, Any]]:
        tools = [_plain(t) for t in self.tools or ()]
        if self.web_search is not None:
            search: dict[str, Any] = {"type": WEB_SEARCH_TOOL}
            if self.web_search > 0:
                search["parameters"] = {"max_results": self.web_search}
            tools.append(search)
        return tools

    def openai_compatible(self) -> ChatParams:
        """These parameters without OpenRouter's own (its web search tool, cache marks), for an
        OpenAI-compatible server that would refuse or ignore them."""
        return replace(self, web_search=None, cache_prompt=None)

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
        messages = [dict(m) for m in self.messages]
        if self.params.cache_prompt:
            messages = mark_cache(messages)
        model, params = self.model, self.params
        if model.endswith(ONLINE):  # deprecated: sent as the web search server tool instead
            model = model.removesuffix(ONLINE)
            params = params if params.web_search is not None else replace(params, web_search=0)
        body: dict[str, Any] = {"model": model, "messages": messages}
        body.update(params.to_body())
        if self.routing is not None:
            body.update(self.routing.to_extra(model))
            if "models" in body:
                body["models"] = [m.removesuffix(ONLINE) for m in body["models"]]
        body.update(self.extra)
        body["stream"] = stream
        return body


def tool_choice_body(choice: str) -> str | dict[str, Any]:
    """``auto`` / ``none`` / ``required`` as they are; any other word names the function to call."""
    if choice in TOOL_CHOICES:
        return choice
    return {"type": "function", "function": {"name": choice}}


def _plain(value: Any) -> Any:
    """Mappings and tuples as plain dicts and lists, so the body is JSON as written."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def mark_cache(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The messages with ``cache_control`` on the system prompt and on attachments (the last ones
    first), within the providers' limit of four marks."""
    marks = MAX_CACHE_BREAKPOINTS
    out: list[dict[str, Any]] = []
    for message in messages:
        content = message.get("content")
        if message.get("role") == "system" and isinstance(content, str) and marks:
            part = {"type": "text", "text": content, "cache_control": CACHE_CONTROL}
            message = {**message, "content": [part]}
            marks -= 1
        out.append(message)
    for i in range(len(out) - 1, -1, -1):
        content = out[i].get("content")
        if not isinstance(content, list) or out[i].get("role") == "system":
            continue
        parts = [dict(p) if isinstance(p, Mapping) else p for p in content]
        for j in range(len(parts) - 1, -1, -1):
            part = parts[j]
            if marks and isinstance(part, dict) and part.get("type") in ("image_url", "file"):
                part["cache_control"] = CACHE_CONTROL
                marks -= 1
        out[i] = {**out[i], "content": parts}
    return out
