"""The simulator's answers to requests beyond plain chat, shaped as OpenRouter sends them:
structured outputs (JSON for the schema asked), function tools (arguments streamed in pieces),
web search citations, prompt caching figures, images out and presets."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import struct
import zlib
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from playground.simulator.models import SimModel, tokenize

if TYPE_CHECKING:
    from playground.simulator.chat import Answer, Streamer
    from playground.simulator.server import Simulator

PRESETS = {"demo": "sim/quick-mini", "reviewer": "sim/balanced-pro"}
ARGUMENT_PIECE = 7  # characters of tool-call arguments per chunk: clients must join them
CACHE_READ = Decimal("0.25")  # share of the prompt price a cached token costs
CACHE_WRITE = Decimal("1.25")  # share a token written to the cache costs


def _png(size: int, rgb: tuple[int, int, int]) -> bytes:
    """A square PNG of one colour: what an image model "draws"."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * size
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    pixels = zlib.compress(row * size)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


PIXEL_PNG = base64.b64encode(_png(16, (200, 40, 40))).decode()


@dataclass(frozen=True)
class ImageSimModel(SimModel):
    """A model whose output includes images (``modalities: ["image", "text"]``)."""

    def to_json(self, index: int) -> dict[str, Any]:
        entry = super().to_json(index)
        entry["architecture"]["output_modalities"] = ["image", "text"]
        entry["architecture"]["modality"] = "text->text+image"
        return entry


IMAGE_MODEL = ImageSimModel(
    "sim/pixel-painter",
    "Sim: Pixel Painter",
    "Pixel AI",
    80,
    0.4,
    "0.000001",
    "0.000004",
    32_000,
    "Answers with text and images.",
    length=40,
)


@dataclass
class Extras:
    """What an answer carries beside its text."""

    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    citations: list[dict[str, Any]] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    cached_tokens: int = 0
    cache_write_tokens: int = 0

    def patch_usage(self, usage: dict[str, Any], prices: tuple[Decimal, Decimal]) -> None:
        details = usage.setdefault("prompt_tokens_details", {})
        details["cached_tokens"] = self.cached_tokens
        if self.cache_write_tokens:
            details["cache_write_tokens"] = self.cache_write_tokens
        if "cost" in usage:  # a plain OpenAI-compatible server reports no cost
            usage["cost"] = float(Decimal(str(usage["cost"])) - self.discount(prices[0]))

    def discount(self, prompt_price: Decimal) -> Decimal:
        """USD saved by the cache: reads are cheaper, writes dearer (a negative discount)."""
        saved = prompt_price * self.cached_tokens * (1 - CACHE_READ)
        return saved - prompt_price * self.cache_write_tokens * (CACHE_WRITE - 1)


def preset_model(sim: Simulator, model_id: str) -> SimModel | None:
    """The model a ``@preset/NAME`` stands for; None when there is no such preset."""
    if not model_id.startswith("@preset/"):
        return None
    target = getattr(sim, "presets", PRESETS).get(model_id.removeprefix("@preset/"))
    return sim.models.get(target) if target else None


def shape(sim: Simulator, body: dict[str, Any], answer: Answer, *, scripted: bool) -> Answer:
    """The answer as the request's features make it (a scripted text is kept as it is)."""
    extras = Extras()
    tokens, finish = answer.tokens, answer.finish_reason
    calls = _tool_calls(sim, body)
    if calls:
        extras.tool_calls, tokens, finish = calls, [], "tool_calls"
    elif _last_role(body) == "tool" and not scripted:
        tokens = tokenize(f"The tool answered: {_last_content(body)[:200]}")
    elif not scripted:
        text = _structured_text(body, "".join(tokens))
        tokens = tokenize(text) if text is not None else tokens
    search = _web_search(body)
    if search is not None and not calls:
        extras.citations = _citations(_last_user(body), search)
        tokens = tokens + tokenize(" " + " ".join(f"[{i + 1}]" for i in range(len(extras.citations))))
    if "image" in (body.get("modalities") or []) and isinstance(sim.models.get(answer.served), ImageSimModel):
        extras.images = [f"data:image/png;base64,{PIXEL_PNG}"]
    _cache(sim, body, answer, extras)
    return replace(answer, tokens=tokens, finish_reason=finish, extras=extras)


async def stream_extras(streamer: Streamer) -> None:
    """Sends the tool calls (arguments in pieces), citations and images, before the finish chunk."""
    extras: Extras | None = streamer.answer.extras
    if extras is None:
        return
    for index, call in enumerate(extras.tool_calls):
        head = {
            "index": index,
            "id": call["id"],
            "type": "function",
            "function": {"name": call["function"]["name"], "arguments": ""},
        }
        await _delta(streamer, {"tool_calls": [head]})
        arguments = call["function"]["arguments"]
        for start in range(0, len(arguments), ARGUMENT_PIECE):
            piece = {"index": index, "function": {"arguments": arguments[start : start + ARGUMENT_PIECE]}}
            await _delta(streamer, {"tool_calls": [piece]})
    if extras.citations:
        await _delta(streamer, {"annotations": extras.citations})
    if extras.images:
        await _delta(streamer, {"images": _image_parts(extras.images)})


def patch_message(answer: Answer, message: dict[str, Any]) -> None:
    """A non-streamed answer's message with its tool calls, citations and images."""
    extras: Extras | None = answer.extras
    if extras is None:
        return
    if extras.tool_calls:
        message["tool_calls"] = extras.tool_calls
    if extras.citations:
        message["annotations"] = extras.citations
    if extras.images:
        message["images"] = _image_parts(extras.images)


def stats(answer: Answer) -> dict[str, Any]:
    """Generation stats fields for the cache (``/generation``)."""
    extras: Extras | None = answer.extras
    if extras is None:
        return {}
    return {
        "native_tokens_cached": extras.cached_tokens,
        "cache_discount": float(extras.discount(answer.prices[0])),
    }


async def _delta(streamer: Streamer, delta: dict[str, Any]) -> None:
    choice = {"index": 0, "delta": {"role": "assistant", "content": "", **delta}, "finish_reason": None}
    await streamer.event(streamer.answer.chunk(choices=[choice]))


def _image_parts(urls: list[str]) -> list[dict[str, Any]]:
    return [{"type": "image_url", "image_url": {"url": url}} for url in urls]


# ----- what each feature answers ------------------------------------------------------------------


def _function_tools(body: dict[str, Any]) -> list[dict[str, Any]]:
    tools = body.get("tools") or []
    return [t["function"] for t in tools if isinstance(t, dict) and isinstance(t.get("function"), dict)]


def _tool_calls(sim: Simulator, body: dict[str, Any]) -> list[dict[str, Any]]:
    """A call to the chosen tool (or the first), unless tools are off or a tool just answered."""
    functions = _function_tools(body)
    choice = body.get("tool_choice", "auto")
    if not functions or choice == "none" or _last_role(body) == "tool":
        return []
    if isinstance(choice, dict):
        wanted = (choice.get("function") or {}).get("name")
        functions = [f for f in functions if f.get("name") == wanted] or functions
    function = functions[0]
    arguments = json.dumps(_instance(function.get("parameters") or {}, _last_user(body)))
    call_id = "call_" + hashlib.sha256(sim.next_id().encode()).hexdigest()[:16]
    call = {"name": function.get("name", ""), "arguments": arguments}
    return [{"id": call_id, "type": "function", "function": call}]


def _structured_text(body: dict[str, Any], text: str) -> str | None:
    fmt = body.get("response_format")
    if not isinstance(fmt, dict):
        return None
    if fmt.get("type") == "json_object":
        return json.dumps({"answer": " ".join(text.split()[:40])})
    schema = (fmt.get("json_schema") or {}).get("schema") if fmt.get("type") == "json_schema" else None
    return json.dumps(_instance(schema, _last_user(body)), indent=2) if isinstance(schema, dict) else None


def _instance(schema: dict[str, Any], prompt: str, depth: int = 0) -> Any:
    """A value that satisfies a (simple) JSON Schema, worded from the prompt."""
    if depth > 8:
        return None
    if schema.get("enum"):
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type", "object")
    kind = next((k for k in kind if k != "null"), "null") if isinstance(kind, list) else kind
    if kind == "object":
        props = schema.get("properties") or {}
        return {k: _instance(v, prompt, depth + 1) for k, v in props.items() if isinstance(v, dict)}
    if kind == "array":
        items: dict[str, Any] = schema["items"] if isinstance(schema.get("items"), dict) else {}
        return [_instance(items, prompt, depth + 1) for _ in range(max(1, int(schema.get("minItems", 1))))]
    return {"integer": 3, "number": 3.5, "boolean": True, "null": None}.get(kind, _words(prompt))


def _words(prompt: str) -> str:
    words = re.findall(r"[A-Za-z]{3,}", prompt)
    return " ".join(words[-3:]) or "example"


def _web_search(body: dict[str, Any]) -> int | None:
    for tool in body.get("tools") or []:
        if isinstance(tool, dict) and tool.get("type") == "openrouter:web_search":
            params = tool.get("parameters") or {}
            wanted = params.get("max_results") if isinstance(params, dict) else None
            return wanted if isinstance(wanted, int) and 0 < wanted <= 10 else 3
    return None


def _citations(prompt: str, count: int) -> list[dict[str, Any]]:
    slug = "-".join(re.findall(r"[a-z0-9]+", prompt.lower())[:4]) or "search"
    return [
        {
            "type": "url_citation",
            "url_citation": {
                "url": f"https://example.org/{slug}/{n}",
                "title": f"Source {n} on {slug.replace('-', ' ')}",
                "content": f"What source {n} says.",
                "start_index": 0,
                "end_index": 0,
            },
        }
        for n in range(1, count + 1)
    ]


def _cache(sim: Simulator, body: dict[str, Any], answer: Answer, extras: Extras) -> None:
    """Marked prompts are written to the cache the first time and read from it after."""
    if not any(_marked(m) for m in body.get("messages") or []):
        return
    store: set[str] = sim.__dict__.setdefault("prompt_cache", set())
    messages = list(body.get("messages") or [])
    key = hashlib.sha256(json.dumps([answer.served, messages[:-1] or messages]).encode()).hexdigest()
    if key in store:
        extras.cached_tokens = answer.prompt_tokens
    else:
        store.add(key)
        extras.cache_write_tokens = answer.prompt_tokens


def _marked(message: Any) -> bool:
    content = message.get("content") if isinstance(message, dict) else None
    return isinstance(content, list) and any(isinstance(p, dict) and "cache_control" in p for p in content)


def _last_role(body: dict[str, Any]) -> str:
    messages = body.get("messages") or []
    return str(messages[-1].get("role", "")) if messages and isinstance(messages[-1], dict) else ""


def _last_content(body: dict[str, Any]) -> str:
    content = (body.get("messages") or [{}])[-1].get("content")
    return content if isinstance(content, str) else ""


def _last_user(body: dict[str, Any]) -> str:
    for message in reversed(body.get("messages") or []):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, str):
                return content
            if isinstance(content, list):
                return " ".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""
