"""Routing notes read ``@endpoint/model`` and ``@preset/NAME`` through the one parser (core/modelref)."""

from __future__ import annotations

from playground.core.modelref import preset_name
from playground.core.routing import routing_note, same_model


def test_endpoint_models_and_presets_are_told_apart_by_the_one_parser() -> None:
    assert same_model("@ollama/llama3", "llama3")  # an endpoint model under its own id
    assert same_model("@lm/meta/llama-3-8b", "meta/llama-3-8b")
    # a preset is never an endpoint: the note says which model it chose, even one of the same name
    assert not same_model("@preset/llama3", "llama3")
    assert routing_note("@preset/llama3", "llama3") == "preset llama3: llama3 answered"
    assert routing_note("@ollama/llama3", "llama3") is None


def test_preset_names() -> None:
    assert preset_name("@preset/summary") == "summary"
    assert preset_name("@preset/") is None and preset_name("@ollama/x") is None
