"""What an answer carries beside its text - tool calls, citations, images, the schema check and
the prompt cache figures - as history keeps it (one JSON text per answer) and as each export shows it.

Stored JSON is read back defensively (a hand-edited or damaged value reads as nothing, never an
error), and every exporter escapes it as it escapes answers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from playground.core.compare import PaneResult
from playground.core.events import Citation, Image, SchemaCheck, ToolCall


def extras_json(result: PaneResult) -> str | None:
    """The extras of a pane's answer as JSON for history; None when it has none."""
    data = extras_of(result)
    return json.dumps(data, ensure_ascii=False) if data else None


def extras_of(result: PaneResult) -> dict[str, Any]:
    """The extras of a pane's answer as plain data (what history stores and exports show)."""
    data: dict[str, Any] = {}
    if result.tool_calls:
        data["tool_calls"] = [
            {"id": c.call_id, "name": c.name, "arguments": c.arguments} for c in result.tool_calls
        ]
    if result.citations:
        data["citations"] = [{"number": c.number, "url": c.url, "title": c.title} for c in result.citations]
    if result.images:
        data["images"] = [i.url for i in result.images]
    if result.schema is not None:
        data["schema"] = {"valid": result.schema.valid, "message": result.schema.message}
    u = result.usage
    if u is not None and (u.cached_tokens or u.cache_write_tokens):
        data["cache"] = {
            "cached_tokens": u.cached_tokens or 0,
            "cache_write_tokens": u.cache_write_tokens or 0,
            "discount_usd": None if u.cache_discount is None else str(u.cache_discount),
        }
    return data


def read_extras(text: str | None) -> dict[str, Any]:
    """Stored extras, or {} for none or for a value that is not what this app writes."""
    if not text:
        return {}
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def _list(extras: Mapping[str, Any], key: str) -> list[Any]:
    value = extras.get(key)
    return value if isinstance(value, list) else []


def _items(extras: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    return [v for v in _list(extras, key) if isinstance(v, Mapping)]


def extras_markdown(extras: Mapping[str, Any]) -> list[str]:
    """Markdown lines under an answer (images named, not embedded: Markdown exports stay small)."""
    lines: list[str] = []
    for call in _items(extras, "tool_calls"):
        lines += [
            f"**Tool call:** `{call.get('name', '')}`",
            "",
            "```json",
            str(call.get("arguments", "")),
            "```",
            "",
        ]
    citations = _items(extras, "citations")
    if citations:
        lines += ["**Sources:**", ""]
        lines += [f"{c.get('number')}. [{c.get('title') or c.get('url')}]({c.get('url')})" for c in citations]
        lines.append("")
    images = _list(extras, "images")
    if images:
        lines += [f"_{len(images)} image(s) returned (kept in the JSON and HTML exports)_", ""]
    schema = extras.get("schema")
    if isinstance(schema, Mapping):
        lines += [f"_Schema check: {'valid JSON' if schema.get('valid') else schema.get('message')}_", ""]
    return lines


def extras_html(extras: Mapping[str, Any]) -> str:
    """HTML under an answer in a report: escaped, links only to http(s), images only as data URLs."""
    import html  # reports only: recording a run does not load it

    esc = html.escape
    parts: list[str] = []
    for call in _items(extras, "tool_calls"):
        parts.append(
            f'<div class="tool-call"><b>Tool call: {esc(str(call.get("name", "")))}</b>'
            f"<pre>{esc(str(call.get('arguments', '')))}</pre></div>"
        )
    citations = [
        c for c in _items(extras, "citations") if str(c.get("url", "")).startswith(("https://", "http://"))
    ]
    if citations:
        rows = "".join(
            f'<li value="{int(c.get("number") or 0)}"><a href="{esc(str(c["url"]))}" rel="noreferrer">'
            f"{esc(str(c.get('title') or c['url']))}</a></li>"
            for c in citations
        )
        parts.append(f'<div class="citations"><b>Sources</b><ol>{rows}</ol></div>')
    for url in _list(extras, "images"):
        if isinstance(url, str) and url.startswith("data:image/"):
            parts.append(f'<img class="answer-image" alt="image from the answer" src="{esc(url)}">')
    schema = extras.get("schema")
    if isinstance(schema, Mapping):
        words = "valid JSON" if schema.get("valid") else f"schema check failed: {schema.get('message')}"
        parts.append(f'<p class="muted">{esc(words)}</p>')
    return "".join(parts)


def extras_export(extras: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON export's fields for an answer's extras (only those it has)."""
    keys = ("tool_calls", "citations", "images", "schema", "cache")
    return {key: extras[key] for key in keys if key in extras}


def result_from_extras(model: str, extras: Mapping[str, Any]) -> PaneResult:
    """A stored answer's extras as a pane result, so a pane shows a history record as it showed
    the answer (what does not read back is left out)."""
    result = PaneResult(model)
    for index, call in enumerate(_items(extras, "tool_calls")):
        result.tool_calls.append(
            ToolCall(
                index, str(call.get("id", "")), str(call.get("name", "")), str(call.get("arguments", ""))
            )
        )
    for c in _items(extras, "citations"):
        url = str(c.get("url", ""))
        if url.startswith(("https://", "http://")) and isinstance(c.get("number"), int):
            result.citations.append(Citation(c["number"], url, str(c.get("title", ""))))
    images = [u for u in _list(extras, "images") if isinstance(u, str) and u.startswith("data:image/")]
    result.images.extend(Image(n, url) for n, url in enumerate(images, 1))
    schema = extras.get("schema")
    if isinstance(schema, Mapping):
        result.schema = SchemaCheck(bool(schema.get("valid")), str(schema.get("message", "")))
    return result
