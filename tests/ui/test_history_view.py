"""History at scale and in conversations: the list is a model read a page at a time, a burst of typing
is one indexed query (and no totals), selection follows the run, and a follow-up is listed indented
under the run it continues, with the turn count."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from playground.core.compare import CompareRequest, PaneResult, PaneSpec, PaneState
from playground.core.context import AppContext
from playground.core.conversation import Message
from playground.simulator import Behaviour
from playground.ui.history_model import PAGE
from playground.ui.history_view import HistoryView
from playground.ui.session import Session
from tests.ui.conftest import Harness, wait_until


def _view(home: Path, runs: int) -> HistoryView:
    ctx = AppContext.from_env({"PLAYGROUND_HOME": str(home)})
    history = ctx.history()
    for i in range(runs):
        prompt = f"run {i} about otters" if i % 10 == 0 else f"run {i} about beavers"
        history.start_run(CompareRequest(prompt, (PaneSpec("a/b"),)), now=1_700_000_000.0 + i)
    return HistoryView(Session(ctx))


def _prompts(view: HistoryView) -> list[str]:
    return [view.model.index(r, 6).data() for r in range(view.model.rowCount())]


def test_the_list_reads_a_page_and_more_as_it_scrolls(qtbot, qtmodeltester, home: Path) -> None:  # type: ignore[no-untyped-def]
    view = _view(home, PAGE * 2 + 50)
    qtbot.addWidget(view)
    view.show()
    assert view.model.rowCount() == PAGE and _prompts(view)[0] == f"run {PAGE * 2 + 49} about beavers"
    bar = view.table.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)  # laid out
    bar.setValue(bar.maximum())  # the user scrolls to the end: the next page is read
    qtbot.waitUntil(lambda: view.model.rowCount() > PAGE)
    assert view.model.rowCount() == PAGE * 2
    view.searchEdit.setText("beavers")
    view.apply_filters()  # a new search reads its first page only, however far the list was scrolled
    assert view.model.rowCount() == PAGE and view.model.canFetchMore()
    qtmodeltester.check(view.model)  # (it reads every page itself)


def test_selection_stays_on_a_run_loaded_by_scrolling_when_history_changes(qtbot, home: Path) -> None:  # type: ignore[no-untyped-def]
    view = _view(home, PAGE + 20)
    qtbot.addWidget(view)
    view.show()
    view.model.fetchMore()
    view.table.selectRow(PAGE + 5)
    chosen = view.selected()[0].id
    newest = view.model.runs[0].id
    with qtbot.waitSignal(view.model.modelReset, timeout=5000):
        view.session.runs.delete(newest)  # every row below moves up by one
    assert [r.id for r in view.selected()] == [chosen] and view.model.rowCount() == PAGE + 19
    assert view.table.currentIndex().row() == PAGE + 4


def test_a_burst_of_typing_is_one_indexed_query_and_no_totals(qtbot, home: Path) -> None:  # type: ignore[no-untyped-def]
    view = _view(home, 300)
    qtbot.addWidget(view)
    view.show()
    statements: list[str] = []
    db = view.session._ctx.history().db
    db.set_trace_callback(statements.append)
    with qtbot.waitSignal(view.model.modelReset, timeout=5000):
        QTest.keyClicks(view.searchEdit, "otter")  # five keys, five text changes
    db.set_trace_callback(None)
    searches = [s for s in statements if "MATCH" in s]
    assert len(searches) == 1 and '"otter"*' in searches[0]
    assert not [s for s in statements if "GROUP BY" in s]  # the totals are not read per keystroke
    assert view.model.rowCount() == 30 and all("otters" in p for p in _prompts(view))


def test_a_follow_up_is_listed_under_its_run_with_the_turn_count(
    aio, make_harness: Callable[..., Harness]
) -> None:
    h = make_harness()
    h.sim.script(
        "sim/quick-mini", Behaviour(text="Other."), Behaviour(text="Copies."), Behaviour(text="Tags.")
    )

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini")
        await h.send("Unrelated first")
        await h.finish()
        await h.send("What is caching?")
        await h.finish()
        window.promptEdit.setPlainText("And ETags?")
        window.follow_up()
        await wait_until(
            lambda: h.session.runs.list_runs()[0].prompt == "And ETags?", what="the follow-up recorded"
        )
        await h.finish()
        view = window.historyView
        view.show()
        await wait_until(lambda: view.model.rowCount() == 3, what="three runs listed")
        assert _prompts(view) == ["💬2 What is caching?", "    ↳ 2. And ETags?", "Unrelated first"]
        tip = view.model.index(1, 6).data(Qt.ItemDataRole.ToolTipRole)
        assert tip.startswith("Turn 2 of 2 of a conversation")
        view.table.selectRow(1)
        window.promptEdit.setPlainText("")
        view._open()
        assert window.promptEdit.toPlainText() == "And ETags?"
        await h.close()

    aio(go())


def test_a_list_that_cannot_be_read_says_so_and_keeps_its_rows(qtbot, home: Path) -> None:  # type: ignore[no-untyped-def]
    view = _view(home, PAGE + 5)
    qtbot.addWidget(view)
    view.show()
    view.session._ctx.history().db.execute("DROP TABLE answers")  # as a file broken by another program
    view.model.fetchMore()  # scrolling on: the next page fails
    assert "history unavailable (no such table: answers)" in view.totalsLabel.text()
    assert view.model.rowCount() == PAGE and not view.model.canFetchMore()
    view.searchEdit.setText("otters")
    view.apply_filters()
    assert view.model.rowCount() == PAGE and "history unavailable" in view.totalsLabel.text()


def test_follow_ups_can_be_folded_into_their_conversation(qtbot, home: Path) -> None:  # type: ignore[no-untyped-def]
    ctx = AppContext.from_env({"PLAYGROUND_HOME": str(home)})
    history = ctx.history()
    first = history.start_run(CompareRequest("What is caching?", (PaneSpec("a/b"),)))
    history.save_answer(first, 0, PaneResult("a/b", PaneState.DONE, ["Copies."]))
    thread = (Message("user", "What is caching?"), Message("assistant", "Copies."))
    history.start_run(CompareRequest("And ETags?", (PaneSpec("a/b", history=thread),)))
    view = HistoryView(Session(ctx))
    qtbot.addWidget(view)
    view.show()
    assert _prompts(view) == ["💬2 What is caching?", "    ↳ 2. And ETags?"]
    with qtbot.waitSignal(view.model.modelReset, timeout=5000):
        view.turnsBox.click()  # one row per conversation
    assert _prompts(view) == ["💬2 What is caching?"]
