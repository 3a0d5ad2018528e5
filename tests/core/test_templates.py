"""Templates: rendering, TOML round trip, the folder (broken files, duplicates, outside edits, undo)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from playground.core.request import ChatParams
from playground.core.templates import PromptTemplate, TemplateError, TemplateStore, parse_vars

T = PromptTemplate(
    name="summarise",
    system="You write for {{audience|busy engineers}}.",
    prompt="Summarise in {{ words | 50 }} words:\n\n{{text}}\n\nLiteral: \\{{not a var}}",
    description="d",
    tags=("writing",),
    models=("sim/quick-mini",),
    params=ChatParams(temperature=0.3, stop=("END",)),
    cases=(("short", {"text": "abc"}), ("students", {"text": "xyz", "audience": "students"})),
)


def test_variables_in_order_with_defaults() -> None:
    assert [(v.name, v.default) for v in T.variables()] == [
        ("audience", "busy engineers"),
        ("words", "50"),
        ("text", None),
    ]


def test_render_defaults_literals_and_unused() -> None:
    out = T.render({"text": "hello", "extra": "x"})
    assert out.system == "You write for busy engineers."
    assert out.prompt == "Summarise in 50 words:\n\nhello\n\nLiteral: {{not a var}}"
    assert out.unused == ("extra",)
    assert T.render({"text": "t", "words": "10", "audience": "kids"}).prompt.startswith(
        "Summarise in 10 words"
    )


def test_missing_variables_are_named() -> None:
    with pytest.raises(TemplateError, match="needs a value for: text"):
        T.render({})
    assert T.missing({}) == ["text"]


def test_toml_round_trip_keeps_everything() -> None:
    text = T.to_toml()
    assert "schema_version = 1" in text and '"""' in text
    assert PromptTemplate.from_toml(text) == T


def test_cases() -> None:
    assert T.case("students")["audience"] == "students"
    with pytest.raises(TemplateError, match="no test case 'nope'"):
        T.case("nope")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("name = 'x'", "no 'prompt'"),
        ("prompt = 'x'", "no 'name'"),
        ("name = 'x'\nprompt = 'y'\nschema_version = 99", "newer"),
        ("name = [", "not valid TOML"),
        ("name = 'x'\nprompt = 'y'\n[params]\ntemperature = 'hot'", "temperature must be a number"),
        ("name = 'x'\nprompt = 'y'\n[params]\ntop_p = 1.5", "top_p must be between 0 and 1"),
        ("name = 'x'\nprompt = 'y'\n[params]\ntemperature = 0.5\nbogus = 1", None),
    ],
)
def test_bad_files_give_a_typed_error(text: str, words: str | None) -> None:
    if words is None:
        assert PromptTemplate.from_toml(text).params.temperature == 0.5  # unknown keys ignored
        return
    with pytest.raises(TemplateError, match=words):
        PromptTemplate.from_toml(text)


def test_store_lists_broken_files_and_leaves_them_untouched(tmp_path: Path) -> None:
    store = TemplateStore(tmp_path)
    store.save(T)
    (tmp_path / "broken.toml").write_text("name = [")
    entries = store.entries()
    assert [e.name for e in entries] == ["broken", "summarise"]
    assert entries[0].template is None and "not valid TOML" in (entries[0].error or "")
    assert (tmp_path / "broken.toml").read_text() == "name = ["
    assert store.get("summarise") == T


def test_duplicate_names_refused_and_rename(tmp_path: Path) -> None:
    store = TemplateStore(tmp_path)
    store.save(T)
    other = PromptTemplate(name="other", prompt="p")
    store.save(other)
    with pytest.raises(TemplateError, match="already exists"):
        store.save(PromptTemplate(name="summarise", prompt="new"))
    with pytest.raises(TemplateError, match="already exists"):
        store.save(PromptTemplate(name="summarise", prompt="p"), replacing="other")
    store.save(PromptTemplate(name="renamed", prompt="p"), replacing="other")
    assert sorted(e.name for e in store.entries()) == ["renamed", "summarise"]
    assert not (tmp_path / "other.toml").exists()


def test_edits_outside_the_app_are_picked_up(tmp_path: Path) -> None:
    store = TemplateStore(tmp_path)
    path = store.save(T)
    assert store.get("summarise").description == "d"
    path.write_text(path.read_text().replace('description = "d"', 'description = "edited by hand"'))
    later = time.time() + 5
    os.utime(path, (later, later))
    assert store.get("summarise").description == "edited by hand"


def test_delete_and_undo(tmp_path: Path) -> None:
    store = TemplateStore(tmp_path)
    store.save(T)
    trashed = store.delete("summarise")
    assert store.entries() == [] and trashed.exists()
    store.undo_delete(trashed)
    assert store.get("summarise") == T


def test_unreadable_folder_reports_nothing_instead_of_crashing(tmp_path: Path) -> None:
    assert TemplateStore(tmp_path / "missing").entries() == []


def test_parse_vars() -> None:
    assert parse_vars(["a=1", "b=x=y", "c="]) == {"a": "1", "b": "x=y", "c": ""}
    with pytest.raises(Exception, match="KEY=VALUE"):
        parse_vars(["novalue"])


@settings(max_examples=200, deadline=None)
@given(
    st.text(max_size=80),
    st.dictionaries(st.from_regex(r"[a-z]{1,5}", fullmatch=True), st.text(max_size=10), max_size=4),
)
def test_rendering_only_ever_raises_its_typed_error(prompt: str, values: dict[str, str]) -> None:
    template = PromptTemplate(name="fuzz", prompt=prompt)
    try:
        template.render(values)
    except TemplateError:
        pass
