"""Templates never hang, never stall on hostile text, and never lose what the user made on disk."""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from playground.core.history import RunHistory
from playground.core.library import TemplateLibrary
from playground.core.templates import (
    MAX_TEMPLATE_BYTES,
    PromptTemplate,
    TemplateConflict,
    TemplateError,
    TemplateStore,
    placeholders,
)

GOOD = 'name = "good"\nprompt = "Hi {{who}}"\n'


def _listed_within(store: TemplateStore, seconds: float = 20.0) -> list[str]:
    """``entries()`` on a worker thread: a hang fails the test instead of freezing the run."""
    names: list[str] = []
    worker = threading.Thread(target=lambda: names.extend(e.name for e in store.entries()), daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), "listing the templates folder hung"
    return names


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_in_the_folder_is_listed_as_broken_not_read(tmp_path: Path) -> None:
    (tmp_path / "good.toml").write_text(GOOD)
    os.mkfifo(tmp_path / "pipe.toml")
    store = TemplateStore(tmp_path)
    assert _listed_within(store) == ["good", "pipe"]
    broken = next(e for e in store.entries() if e.template is None)
    assert broken.error == "pipe.toml is not a regular file"


def test_a_huge_file_is_listed_as_too_large(tmp_path: Path) -> None:
    (tmp_path / "good.toml").write_text(GOOD)
    (tmp_path / "big.toml").write_text(GOOD + "# " + "x" * MAX_TEMPLATE_BYTES + "\n")
    entries = {e.name: e for e in TemplateStore(tmp_path).entries()}
    assert entries["good"].template is not None
    assert entries["big"].template is None and "larger than" in (entries["big"].error or "")


@pytest.mark.parametrize(
    "body",
    [
        "v = " + "[" * 50_000 + "]" * 50_000,  # deeper than the TOML reader goes
        "v = " + "{ a = " * 5_000 + "1" + " }" * 5_000,  # inline tables inside each other
    ],
)
def test_deep_nesting_is_broken_with_a_message_and_the_others_still_list(tmp_path: Path, body: str) -> None:
    (tmp_path / "good.toml").write_text(GOOD)
    (tmp_path / "deep.toml").write_text('name = "deep"\nprompt = "x"\n' + body)
    entries = {e.name: e for e in TemplateStore(tmp_path).entries()}
    assert entries["good"].template is not None
    assert entries["deep"].error == "nested too deeply to read (arrays or tables inside each other)"


def test_placeholders_parse_in_linear_time() -> None:
    # 200k unclosed defaults: the old lazy regex scanned to the end from every one (quadratic).
    hostile = "{{a|" * 200_000
    counted = 0

    class Counting(str):
        def find(self, sub: str, *args: int) -> int:  # type: ignore[override]
            nonlocal counted
            counted += 1
            return super().find(sub, *args)

    assert placeholders(Counting(hostile)) == []
    assert counted <= 200_000 + 2  # each "{{" is found once and "}}" searched for once, not per start
    template = PromptTemplate(name="t", prompt=hostile + "{{b|end}}")
    assert template.variables()[0].name == "a"  # through the public API, on the same text


def test_placeholders_keep_their_meaning() -> None:
    text = "{{a}} {{ b | two words }} \\{{c}} {{{d}} {{e|x}}}} {{1bad}} {{f|"
    assert [(n, d) for _s, _e, n, d in placeholders(text)] == [
        ("a", None),
        ("b", " two words "),
        ("d", None),
        ("e", "x"),
    ]
    template = PromptTemplate(name="t", prompt=text)
    assert template.render({"a": "A", "d": "D"}).prompt == "A two words {{c}} {D x}} {{1bad}} {{f|"


def test_save_over_a_file_broken_on_disk_is_refused_and_leaves_it(tmp_path: Path) -> None:
    store = TemplateStore(tmp_path)
    store.save(PromptTemplate(name="notes", prompt="v1"))
    path = tmp_path / "notes.toml"
    path.write_text('name = "notes"\nprompt = "half-typed')
    with pytest.raises(TemplateError, match=r"notes\.toml is broken on disk .* left alone"):
        store.save(PromptTemplate(name="notes", prompt="v2"), replacing="notes")
    assert path.read_text() == 'name = "notes"\nprompt = "half-typed'


def test_save_after_an_outside_edit_raises_a_conflict_with_their_version(tmp_path: Path) -> None:
    store = TemplateStore(tmp_path)
    store.save(PromptTemplate(name="notes", prompt="v1"))
    loaded = store.entry("notes")
    assert loaded is not None and loaded.template is not None
    path = tmp_path / "notes.toml"
    path.write_text(path.read_text().replace("v1", "edited by hand"))
    with pytest.raises(TemplateConflict) as caught:
        store.save(PromptTemplate(name="notes", prompt="mine"), replacing="notes", expected=loaded.digest)
    assert caught.value.theirs is not None and caught.value.theirs.prompt == "edited by hand"
    assert "edited by hand" in path.read_text()
    fresh = store.entry("notes")
    assert fresh is not None
    store.save(PromptTemplate(name="notes", prompt="mine"), replacing="notes", expected=fresh.digest)
    assert store.get("notes").prompt == "mine"


def test_restoring_a_version_keeps_the_test_cases(tmp_path: Path) -> None:
    history = RunHistory(tmp_path / "h.sqlite3")
    library = TemplateLibrary(TemplateStore(tmp_path / "t"), history)
    try:
        library.save(PromptTemplate(name="sum", prompt="Summarise {{text}}"))
        cases = (("short", {"text": "a"}), ("long", {"text": "b" * 50}))
        library.save(PromptTemplate(name="sum", prompt="Summarise {{text}}", cases=cases), replacing="sum")
        library.save(PromptTemplate(name="sum", prompt="TL;DR {{text}}", cases=cases), replacing="sum")
        library.restore("sum", "1")
        restored = library.store.get("sum")
        assert restored.prompt == "Summarise {{text}}" and restored.cases == cases
    finally:
        history.close()


_OLD = re.compile(r"(?<!\\)\{\{\s*([A-Za-z_][\w.-]*)\s*(?:\|(.*?))?\}\}", re.DOTALL)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="{}|a \\\n1.", max_size=30))
def test_the_linear_parser_finds_what_the_old_pattern_found(text: str) -> None:
    expected = [(m.start(), m.end(), m.group(1), m.group(2)) for m in _OLD.finditer(text)]
    assert placeholders(text) == expected


def test_a_version_saved_twice_is_still_found_by_its_hash(tmp_path: Path) -> None:
    history = RunHistory(tmp_path / "h.sqlite3")
    library = TemplateLibrary(TemplateStore(tmp_path / "t"), history)
    try:
        first = library.save(PromptTemplate(name="sum", prompt="one"))
        library.save(PromptTemplate(name="sum", prompt="two"), replacing="sum")
        library.restore("sum", first.hash)  # the same content again, so the same hash
        assert [v.hash for v in history.versions("sum")].count(first.hash) == 2
        assert library.version("sum", first.hash).content == first.content
        library.restore("sum", first.hash[:6])
        assert library.store.get("sum").prompt == "one"
    finally:
        history.close()
