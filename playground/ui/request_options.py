"""The requests beyond plain chat - structured outputs, tools and tool choice, web search, reasoning
budget and exclusion, caching: which fields they are and how the Options button names them. The
dialog that edits them is request_options_dialog.py (loaded when it is first opened).
"""

from __future__ import annotations

from dataclasses import fields, replace

from playground.core.request import ChatParams

# The ChatParams fields the request options dialog owns (the params panel row owns the others).
SURFACE_FIELDS = (
    "response_format",
    "tools",
    "tool_choice",
    "web_search",
    "reasoning_max_tokens",
    "exclude_reasoning",
    "cache_prompt",
)
FORMATS = ("text", "JSON object", "JSON schema")


def surface_of(params: ChatParams) -> ChatParams:
    """Only the fields this dialog owns."""
    return ChatParams(**{name: getattr(params, name) for name in SURFACE_FIELDS})


def describe(params: ChatParams) -> str:
    """A few words for the button: what is on."""
    on = []
    fmt = (params.response_format or {}).get("type")
    if fmt:
        on.append("JSON schema" if fmt == "json_schema" else "JSON")
    if params.tools:
        on.append(f"{len(params.tools)} tool{'s' if len(params.tools) > 1 else ''}")
    if params.web_search is not None:
        on.append("web search")
    if params.reasoning_max_tokens is not None or params.exclude_reasoning:
        on.append("reasoning")
    if params.cache_prompt:
        on.append("cache")
    return ", ".join(on) or "none"


def with_options(params: ChatParams, options: ChatParams) -> ChatParams:
    """``params`` with the dialog's fields replaced by ``options`` (unset ones cleared)."""
    return replace(
        params, **{f.name: getattr(options, f.name) for f in fields(options) if f.name in SURFACE_FIELDS}
    )
