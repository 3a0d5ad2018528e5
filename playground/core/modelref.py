"""Model references: ``@ollama/llama3.2`` names another endpoint's model, ``@preset/NAME`` an
OpenRouter preset, anything else an OpenRouter model id. The one place these are taken apart
(light on imports, so widgets may use it before the network modules load)."""

from __future__ import annotations

PREFIX = "@"
PRESET = "preset"  # @preset/NAME is an OpenRouter preset, never an endpoint


def model_ref(endpoint: str, model_id: str) -> str:
    return f"{PREFIX}{endpoint}/{model_id}"


def split_ref(model: str) -> tuple[str, str] | None:
    """``@ollama/llama3.2`` -> (``ollama``, ``llama3.2``); None for an OpenRouter model id."""
    if not model.startswith(PREFIX) or "/" not in model:
        return None
    name, _, model_id = model[1:].partition("/")
    return (name, model_id) if name and model_id and name != PRESET else None


def endpoint_of(model: str) -> str | None:
    """Who serves ``@name/model`` when the answer names no provider: ``name`` (``preset`` for a
    preset); None for an OpenRouter model id."""
    if model.startswith(PREFIX) and "/" in model:
        return model[1:].split("/", 1)[0]
    return None


def preset_name(model: str) -> str | None:
    """``@preset/NAME`` -> ``NAME``; None for anything else."""
    prefix = f"{PREFIX}{PRESET}/"
    if not model.startswith(prefix):
        return None
    return model[len(prefix) :] or None
