"""Run history in real SQLite: writes as answers end, queries, totals, export, versions, damage."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from playground.core.compare import CompareRequest, CompareRun, PaneSpec
from playground.core.history import HistoryError, RunHistory, export_runs
from playground.core.library import TemplateLibrary, record_run, template_request
from playground.core.templates import PromptTemplate, TemplateError, TemplateStore
from playground.simulator import Behaviour, Simulator
from tests.conftest import run
from tests.core.helpers import client_for


def _compare(sim: Simulator, history: RunHistory, request: CompareRequest, **meta: object) -> int:
    async def go() -> int:
        async with client_for(sim) as client:
            comparison = CompareRun(client, request)
            run_id = record_run(history, comparison, **meta)  # type: ignore[arg-type]
            comparison.start()
            await comparison.wait()
            return run_id

    return run(go())


def test_a_run_and_its_answers_are_stored(sim: Simulator, tmp_path: Path) -> None:
    history = RunHistory(tmp_path / "h.sqlite3")
    sim.script("sim/quick-mini", Behaviour(text="first answer"))
    request = CompareRequest("Hello", (PaneSpec("sim/quick-mini"), PaneSpec("fault/402")), system="Sys")
    run_id = _compare(sim, history, request)
    record = history.get_run(run_id)
    assert (record.prompt, record.system) == ("Hello", "Sys")
    good, bad = record.answers
    assert good.answer == "first answer" and good.state == "done" and good.provider == "Simulated Labs"
    assert good.cost is not None and good.cost > 0 and good.tokens_out == 2 and good.generation_id
    assert bad.state == "failed" and "not enough credits" in (bad.error or "")
    assert record.outcome == "failed" and record.cost == good.cost
    assert sqlite3.connect(tmp_path / "h.sqlite3").execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_queries_filters_and_totals(sim: Simulator, tmp_path: Path) -> None:
    history = RunHistory(tmp_path / "h.sqlite3")
    _compare(sim, history, CompareRequest("about cats", (PaneSpec("sim/quick-mini"),)))
    _compare(sim, history, CompareRequest("about dogs", (PaneSpec("sim/balanced-pro"),)), template="pets")
    assert [r.prompt for r in history.list_runs()] == ["about dogs", "about cats"]
    assert [r.prompt for r in history.list_runs(search="cats")] == ["about cats"]
    assert [r.prompt for r in history.list_runs(model="sim/balanced-pro")] == ["about dogs"]
    assert [r.prompt for r in history.list_runs(template="pets")] == ["about dogs"]
    assert [r.prompt for r in history.list_runs(outcome="complete", limit=1)] == ["about dogs"]
    per_model = dict(history.totals_per_model())
    assert set(per_model) == {"sim/quick-mini", "sim/balanced-pro"} and all(v > 0 for v in per_model.values())
    ((_day, total),) = history.totals_per_day()
    assert total == sum(per_model.values(), Decimal(0))


def test_export_formats(sim: Simulator, tmp_path: Path) -> None:
    history = RunHistory(tmp_path / "h.sqlite3")
    sim.script("sim/quick-mini", Behaviour(text='an, answer with "quotes"\nand lines'))
    _compare(sim, history, CompareRequest("Q?", (PaneSpec("sim/quick-mini"),)))
    runs = history.list_runs()
    data = json.loads(export_runs(runs, "json"))
    assert data[0]["answers"][0]["answer"] == 'an, answer with "quotes"\nand lines'
    rows = list(csv.DictReader(io.StringIO(export_runs(runs, "csv"))))
    assert rows[0]["answer"] == 'an, answer with "quotes"\nand lines' and rows[0]["model"] == "sim/quick-mini"
    assert "## sim/quick-mini (done" in export_runs(runs, "md")


def test_a_damaged_database_is_set_aside_and_a_new_one_started(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    history = RunHistory(path)
    assert history.count() == 0 and "damaged" in history.warnings[0]
    kept = list(tmp_path.glob("h.sqlite3.corrupt-*"))
    assert len(kept) == 1 and kept[0].read_bytes().startswith(b"this is not a database")


def test_unknown_run_is_a_typed_error(tmp_path: Path) -> None:
    with pytest.raises(HistoryError, match="No run with id 7"):
        RunHistory(tmp_path / "h.sqlite3").get_run(7)


def test_versions_diff_and_restore(tmp_path: Path) -> None:
    library = TemplateLibrary(TemplateStore(tmp_path / "t"), RunHistory(tmp_path / "h.sqlite3"))
    v1 = library.save(PromptTemplate(name="t", prompt="Say {{x}}"), note="first")
    again = library.save(PromptTemplate(name="t", prompt="Say {{x}}"), replacing="t")
    assert again.hash == v1.hash and len(library.history.versions("t")) == 1
    v2 = library.save(PromptTemplate(name="t", prompt="Shout {{x}}"), replacing="t", note="louder")
    assert [v.note for v in library.history.versions("t")] == ["louder", "first"]
    diff = library.diff("t", "1", "2")
    assert '-prompt = "Say {{x}}"' in diff and '+prompt = "Shout {{x}}"' in diff
    assert library.diff("t", v1.hash[:6], v2.hash) == diff
    library.restore("t", "1")
    assert library.store.get("t").prompt == "Say {{x}}"
    assert library.history.versions("t")[0].note.startswith("restored version")
    with pytest.raises(TemplateError):
        library.version("t", "99")


def test_template_request_uses_template_models_and_params() -> None:
    template = PromptTemplate(name="t", prompt="Hi {{who}}", models=("a/b",), system="S {{who}}")
    from playground.core.request import ChatParams

    request = template_request(
        template.__class__(**{**template.__dict__, "params": ChatParams(temperature=0.2)}),
        [],
        {"who": "you"},
        ChatParams(max_tokens=9),
    )
    assert request.prompt == "Hi you" and request.system == "S you" and request.panes[0].model == "a/b"
    assert (request.params.temperature, request.params.max_tokens) == (0.2, 9)
    with pytest.raises(TemplateError, match="names no models"):
        template_request(PromptTemplate(name="n", prompt="x"), [], {})


def test_write_failures_are_typed_and_keep_earlier_runs(tmp_path: Path) -> None:
    history = RunHistory(tmp_path / "h.sqlite3")
    first = history.start_run(CompareRequest("kept", (PaneSpec("a/b"),)))
    history.db.execute("PRAGMA query_only = ON")  # every write now fails, as on a read-only disk
    with pytest.raises(HistoryError, match="history unavailable"):
        history.start_run(CompareRequest("lost", (PaneSpec("a/b"),)))
    history.db.execute("PRAGMA query_only = OFF")
    assert [r.id for r in history.list_runs()] == [first]


def test_template_save_failure_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno
    import os

    store = TemplateStore(tmp_path)
    store.save(PromptTemplate(name="t", prompt="old"))

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(TemplateError, match=r"No space left on device\. Nothing was changed"):
        store.save(PromptTemplate(name="t", prompt="new"), replacing="t")
    monkeypatch.undo()
    assert store.get("t").prompt == "old" and [p.name for p in tmp_path.iterdir()] == ["t.toml"]


def test_search_uses_word_prefixes_and_indexes_older_runs(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    history = RunHistory(path)
    history.start_run(CompareRequest("How does caching work?", (PaneSpec("a/b"),)))
    history.db.execute("INSERT INTO runs (created, prompt) VALUES (1, 'an old run about otters')")
    history.db.execute("DELETE FROM search WHERE rowid = 2")  # as a database from before the index
    history.db.execute("PRAGMA user_version = 0")  # (which had no schema number)
    history.close()
    reopened = RunHistory(path)
    assert [r.prompt for r in reopened.list_runs(search="cach")] == ["How does caching work?"]
    assert [r.prompt for r in reopened.list_runs(search="otter old")] == ["an old run about otters"]
    assert reopened.list_runs(search="caching otters") == []
    assert len(reopened.list_runs(search="  ,;  ")) == 2
