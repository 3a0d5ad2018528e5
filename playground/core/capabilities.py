"""What a model's catalog entry says about a request before it is sent: structured outputs it
does not list, reasoning efforts it does not offer, image output it can give, presets."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from playground.core.modelref import preset_name
from playground.core.request import ChatParams

if TYPE_CHECKING:
    from playground.core.catalog import ModelCatalog, ModelInfo
    from playground.core.compare import CompareRequest

PRESET_PREFIX = "@preset/"
IMAGE_TEXT = ("image", "text")


def is_preset(model: str) -> bool:
    """``@preset/NAME``: an OpenRouter preset (its model and settings live on openrouter.ai)."""
    return preset_name(model) is not None


def preset_words(model: str) -> str:
    """What to say of a preset instead of "unknown model"."""
    return (
        f"{model} is an OpenRouter preset: its model and settings are kept on openrouter.ai, "
        "not in the catalog"
    )


def request_notes(
    model: str,
    info: ModelInfo | None,
    params: ChatParams,
    require_parameters: bool,
    offer: str = "add --require-parameters",
) -> list[str]:
    """Words for what ``model`` may not honour in this request (empty when all is well or unknown);
    ``offer`` says how to route only to providers that honour every parameter."""
    if info is None or not info.supported_parameters:
        return []
    notes: list[str] = []
    fmt = params.response_format or {}
    if fmt.get("type") == "json_schema" and "structured_outputs" not in info.supported_parameters:
        how = "" if require_parameters else f" - {offer} to use only providers that do"
        notes.append(f"{model} does not list structured outputs: the schema may be ignored{how}")
    elif fmt.get("type") == "json_object" and "response_format" not in info.supported_parameters:
        notes.append(f"{model} does not list response_format: the answer may not be JSON")
    if (params.tools or params.tool_choice) and "tools" not in info.supported_parameters:
        notes.append(f"{model} does not list tools: it will not call them")
    effort = params.reasoning_effort
    if effort and info.reasoning_efforts and effort not in info.reasoning_efforts:
        offered = ", ".join(info.reasoning_efforts)
        notes.append(f"{model} offers reasoning effort {offered}, not {effort}")
    return notes


def with_output_modalities(params: ChatParams, info: ModelInfo | None) -> ChatParams:
    """``modalities: ["image", "text"]`` for a model whose output includes images (unless set)."""
    if info is None or "image" not in info.output_modalities or params.modalities is not None:
        return params
    return replace(params, modalities=IMAGE_TEXT)


def with_image_output(request: CompareRequest, catalog: ModelCatalog | None) -> CompareRequest:
    """The request with ``modalities`` on each pane whose model can answer with images."""
    if catalog is None:
        return request
    panes = []
    for pane in request.panes:
        own = pane.params or ChatParams()
        wanted = with_output_modalities(own, catalog.get(pane.model))
        panes.append(pane if wanted == own else replace(pane, params=wanted))
    return replace(request, panes=tuple(panes))
