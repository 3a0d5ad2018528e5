"""The README's sample template parses and renders as the README says."""

from __future__ import annotations

import re
from pathlib import Path

from playground.core.templates import PromptTemplate

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_sample_template_is_valid() -> None:
    block = re.search(r"```toml\n(.*?)```", README.read_text("utf-8"), re.DOTALL)
    assert block is not None
    template = PromptTemplate.from_toml(block.group(1))
    assert template.name == "summarise" and [c for c, _ in template.cases] == ["short", "students"]
    rendered = template.render(dict(template.case("short")))
    assert rendered.system == "You write for busy engineers."
    assert "in 50 words" in rendered.prompt and "Write {{ for a literal {{." in rendered.prompt


def test_readme_sample_routing_is_what_gets_sent() -> None:
    from playground.core.routing import Routing

    block = re.search(r"```toml\n(.*?)```", README.read_text("utf-8"), re.DOTALL)
    assert block is not None
    template = PromptTemplate.from_toml(block.group(1))
    assert template.routing == Routing(
        fallbacks=("sim/long-context",), sort="price", deny_data_collection=True
    )
    extra = template.routing.to_extra("sim/balanced-pro")
    assert extra == {
        "models": ["sim/balanced-pro", "sim/long-context"],
        "provider": {"sort": "price", "data_collection": "deny"},
    }
