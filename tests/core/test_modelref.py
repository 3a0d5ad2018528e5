"""core/modelref.py: the one parser of ``@endpoint/model`` the CLI's table and the window's panes use."""

from __future__ import annotations

from playground.core.modelref import endpoint_of, model_ref, split_ref


def test_an_endpoint_model_is_taken_apart_once_for_every_surface() -> None:
    ref = model_ref("ollama", "llama3.2:8b")
    assert ref == "@ollama/llama3.2:8b"
    assert split_ref(ref) == ("ollama", "llama3.2:8b")
    assert endpoint_of(ref) == "ollama"  # "via ollama" when the answer names no provider


def test_openrouter_ids_and_presets_are_not_endpoints() -> None:
    assert split_ref("openai/gpt-4o-mini") is None and endpoint_of("openai/gpt-4o-mini") is None
    assert split_ref("@preset/mine") is None  # a preset goes to OpenRouter
    assert endpoint_of("@preset/mine") == "preset"  # and is served "via preset"
    assert split_ref("@ollama") is None and endpoint_of("@ollama") is None
    assert split_ref("@/x") is None and split_ref("@ollama/") is None
