"""How ``compare`` shows what an answer carries beside its text: tool calls, citations, images,
the schema check and the prompt cache - as ``--jsonl`` events and as lines under the answer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from playground.core.compare import PaneResult
from playground.core.events import Citation, Image, SchemaCheck, ToolCall
from playground.core.tools import pretty_arguments


def extra_json(event: object) -> dict[str, Any] | None:
    """The ``--jsonl`` fields of a tool call, citation, image or schema check; None for others."""
    if isinstance(event, ToolCall):
        return {
            "type": "tool_call",
            "index": event.index,
            "id": event.call_id,
            "name": event.name,
            "arguments": event.arguments,
        }
    if isinstance(event, Citation):
        return {"type": "citation", "number": event.number, "url": event.url, "title": event.title}
    if isinstance(event, Image):
        return {"type": "image", "number": event.number, "url": event.url}
    if isinstance(event, SchemaCheck):
        return {"type": "schema", "valid": event.valid, "message": event.message}
    return None


def extra_lines(result: PaneResult) -> list[str]:
    """Lines under an answer: each tool call with its arguments, the sources, images, the check."""
    lines: list[str] = []
    for call in result.tool_calls:
        lines.append(f"[tool call {call.index + 1}] {call.name} (id {call.call_id})")
        lines += ["  " + line for line in pretty_arguments(call.arguments).splitlines()]
    if result.citations:
        lines.append("Sources:")
        lines += [f"  [{c.number}] {c.title + ' - ' if c.title else ''}{c.url}" for c in result.citations]
    for image in result.images:
        shown = image.url if image.url.startswith("https://") else image.url.split(",", 1)[0] + ",..."
        lines.append(f"[image {image.number}] {shown} ({len(image.url) * 3 // 4 // 1024} KB)")
    if result.schema is not None:
        mark = "valid JSON" if result.schema.valid else f"schema check failed: {result.schema.message}"
        lines.append(f"[{mark}]")
    return lines


def cache_lines(results: Sequence[PaneResult]) -> list[str]:
    """One line per model that read or wrote the prompt cache."""
    lines = []
    for r in results:
        u = r.usage
        if u is None or not (u.cached_tokens or u.cache_write_tokens):
            continue
        words = f"{r.model}: {u.cached_tokens or 0} prompt tokens from the cache"
        if u.cache_write_tokens:
            words += f", {u.cache_write_tokens} written to it"
        if u.cache_discount is not None:
            words += f", discount ${u.cache_discount:.6f}"
        lines.append(words)
    return lines
