"""The history package's schema: a database made by the code before the split opens with everything in
it; the search index follows every write; a follow-up is found and grouped with the run it continues."""

from __future__ import annotations

import shutil
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from playground.core.compare import CompareRequest, CompareRun, PaneResult, PaneSpec, PaneState
from playground.core.conversation import Message, extend
from playground.core.events import Finished, Usage
from playground.core.history import SCHEMA_VERSION, RunHistory
from playground.core.history.testruns import TestStore
from playground.core.library import record_run
from playground.simulator import Behaviour, Simulator
from tests.conftest import run
from tests.core.helpers import client_for

# Made by commit 3014e5b's core/history.py (before the package and the schema numbering): run 1 with
# two answers and a file, run 2 a follow-up of run 1's first pane, run 3 from a template (unfinished),
# a template version, a blind vote, and the evaluation code's test-run tables.
BEFORE_SPLIT = Path(__file__).parent / "data" / "history_before_split.sqlite3"


@pytest.fixture
def old_db(tmp_path: Path) -> Path:
    path = tmp_path / "history.sqlite3"
    shutil.copyfile(BEFORE_SPLIT, path)
    return path


def test_a_database_made_before_the_split_opens_with_everything_in_it(old_db: Path) -> None:
    assert sqlite3.connect(old_db).execute("PRAGMA user_version").fetchone()[0] == 0
    history = RunHistory(old_db)
    first = history.get_run(1)
    assert (first.prompt, first.system) == ("What is HTTP caching?", "Be brief")
    assert [a.answer for a in first.answers] == ["Caching stores responses.", "It keeps copies =SUM(A1)."]
    assert [a.name for a in first.attachments] == ["notes.txt"] and first.cost == Decimal("0.0002")
    assert history.get_run(3).answers[0].state == "incomplete"
    assert [v.hash for v in history.versions("summary")] == ["abc123def456"]
    assert history.vote_for(1) is not None and history.vote_for(1).ranking == ("sim/quick-mini",)  # type: ignore[union-attr]
    assert [r.id for r in history.list_runs(search="etag")] == [2]
    assert [r.id for r in history.list_runs(search="copies")] == [1]
    assert TestStore(history).judge_votes() == []  # the test-run tables are there
    assert history.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    history.close()


def test_the_migration_links_an_old_follow_up_to_its_run(old_db: Path) -> None:
    history = RunHistory(old_db)
    listed = history.list_runs(order="conversation")
    assert [(r.id, r.turn, r.turns) for r in listed] == [(3, 1, 1), (1, 1, 2), (2, 2, 2)]
    assert history.get_run(2).parent == 1 and history.get_run(2).conversation == 1
    history.close()


def test_an_up_to_date_database_is_only_read_when_opened(old_db: Path) -> None:
    RunHistory(old_db).close()
    before = old_db.read_bytes()
    reopened = RunHistory(old_db)
    assert reopened.count() == 3
    reopened.close()
    assert old_db.read_bytes() == before


def _answer(model: str, text: str) -> PaneResult:
    result = PaneResult(model, PaneState.DONE, [text])
    result.usage = Usage(prompt_tokens=3, completion_tokens=2, cost=Decimal("0.001"))
    result.finished = Finished(model, "stop", duration=0.2)
    return result


def test_the_search_index_follows_writes_retries_and_deletes(tmp_path: Path) -> None:
    history = RunHistory(tmp_path / "h.sqlite3")
    run_id = history.start_run(CompareRequest("Tell me about otters", (PaneSpec("a/b"),)))
    history.save_answer(run_id, 0, _answer("a/b", "Otters hold hands while sleeping."))
    assert [r.id for r in history.list_runs(search="sleeping")] == [run_id]
    history.save_answer(run_id, 0, _answer("a/b", "Sea otters float."))  # the pane retried
    assert history.list_runs(search="sleeping") == [] and len(history.list_runs(search="float")) == 1
    history.db.execute("INSERT INTO runs (created, prompt) VALUES (1, 'bulk imported beavers')")
    assert [r.prompt for r in history.list_runs(search="beaver")] == ["bulk imported beavers"]
    history.delete_run(run_id)
    assert history.list_runs(search="otters") == []
    assert history.db.execute("SELECT COUNT(*) FROM search").fetchone()[0] == 1


def test_outcome_filter_pages_in_sql(tmp_path: Path) -> None:
    history = RunHistory(tmp_path / "h.sqlite3")
    ids = [history.start_run(CompareRequest(f"p{i}", (PaneSpec("a/b"),)), now=1000.0 + i) for i in range(5)]
    for run_id in ids[:4]:
        history.save_answer(run_id, 0, _answer("a/b", "fine"))
    complete = history.list_runs(outcome="complete", limit=2, offset=1)
    assert [r.id for r in complete] == [ids[2], ids[1]]
    assert [r.id for r in history.list_runs(outcome="incomplete")] == [ids[4]]


def _compare(sim: Simulator, history: RunHistory, request: CompareRequest) -> CompareRun:
    async def go() -> CompareRun:
        async with client_for(sim) as client:
            comparison = CompareRun(client, request)
            record_run(history, comparison)
            comparison.start()
            await comparison.wait()
            return comparison

    return run(go())


def _next_turn(done: CompareRun, prompt: str) -> CompareRequest:
    """What the window sends for a follow-up: each pane its own thread, then the new prompt."""
    request = done.request
    panes = tuple(
        PaneSpec(p.model, history=extend(p.history, request.pane_prompt(i), done.results[i].text))
        for i, p in enumerate(request.panes)
    )
    return CompareRequest(prompt, panes)


def test_follow_ups_are_grouped_under_their_first_run(sim: Simulator, tmp_path: Path) -> None:
    history = RunHistory(tmp_path / "h.sqlite3")
    sim.script("sim/quick-mini", Behaviour(text="Caching keeps copies."), Behaviour(text="ETags check them."))
    first = _compare(sim, history, CompareRequest("What is caching?", (PaneSpec("sim/quick-mini"),)))
    _compare(sim, history, CompareRequest("Unrelated question", (PaneSpec("sim/balanced-pro"),)))
    second = _compare(sim, history, _next_turn(first, "And ETags?"))
    _compare(sim, history, _next_turn(second, "Thanks"))
    listed = history.list_runs(order="conversation")
    assert [(r.prompt, r.turn, r.turns) for r in listed] == [
        ("What is caching?", 1, 3),  # the conversation went on last, so it is listed first
        ("And ETags?", 2, 3),
        ("Thanks", 3, 3),
        ("Unrelated question", 1, 1),
    ]
    assert listed[2].parent == listed[1].id and listed[1].parent == listed[0].id
    assert history.list_runs(limit=1)[0].prompt == "Thanks"  # the CLI's list stays newest first


def test_an_edited_earlier_turn_branches_from_the_turn_before_it(tmp_path: Path) -> None:
    history = RunHistory(tmp_path / "h.sqlite3")
    root = history.start_run(CompareRequest("Q1", (PaneSpec("a/b"),)))
    history.save_answer(root, 0, _answer("a/b", "A1"))
    thread = (Message("user", "Q1"), Message("assistant", "A1"))
    second = history.start_run(CompareRequest("Q2", (PaneSpec("a/b", history=thread),)))
    history.save_answer(second, 0, _answer("a/b", "A2"), thread=(*thread, Message("user", "Q2")))
    branch = history.start_run(CompareRequest("Q2 edited", (PaneSpec("a/b", history=thread),)))
    record = history.get_run(branch)
    assert (record.parent, record.conversation, record.turn) == (root, root, 2)
    fresh = history.start_run(CompareRequest("Q1", (PaneSpec("a/b", history=(Message("user", "x"),)),)))
    assert history.get_run(fresh).parent is None  # earlier turns no stored answer ends with


def test_first_turns_list_a_conversation_once_found_by_any_turn(tmp_path: Path) -> None:
    history = RunHistory(tmp_path / "h.sqlite3")
    root = history.start_run(CompareRequest("Q1 about caching", (PaneSpec("a/b"),)), now=1.0)
    history.save_answer(root, 0, _answer("a/b", "A1"))
    thread = (Message("user", "Q1 about caching"), Message("assistant", "A1"))
    history.start_run(CompareRequest("Q2 about etags", (PaneSpec("a/b", history=thread),)), now=3.0)
    other = history.start_run(CompareRequest("Unrelated", (PaneSpec("a/b"),)), now=2.0)
    collapsed = history.list_runs(order="conversation", first_turns=True)
    assert [(r.id, r.turns) for r in collapsed] == [(root, 2), (other, 1)]  # by the latest turn
    assert [r.id for r in history.list_runs(search="etags", first_turns=True)] == [root]
