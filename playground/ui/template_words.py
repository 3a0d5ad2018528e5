"""Words of the templates panel: its empty states, and how a template is searched and listed."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playground.core.templates import TemplateEntry

NO_TEMPLATES = (
    'No templates yet - <a href="new">New</a> writes one: a prompt with {{variables}} you fill in and'
    " reuse, with test cases and versions."
)
NO_MATCH = "No template matches the search. Clear it to see them all."


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _haystack(entry: TemplateEntry) -> str:
    t = entry.template
    if t is None:
        return entry.path.name.lower()
    return " ".join([t.name, t.description, *t.tags]).lower()
