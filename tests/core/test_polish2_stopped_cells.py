"""A test-run cell stopped mid-answer keeps the text that streamed, marked stopped, in history too."""

from __future__ import annotations

import asyncio
from pathlib import Path

from playground.core.evaluation.runner import CURRENT, CellKey, CellText, RunnerEvent, TestPlan, TestRunner
from playground.core.evaluation.store import Recorder, TestStore
from playground.core.history import RunHistory
from playground.simulator import Simulator
from playground.simulator.behaviour import Behaviour
from tests.conftest import run
from tests.core.helpers import client_for
from tests.core.test_eval_runner import A, plan_for, template

STREAMED = "One two three"


def test_a_cell_stopped_mid_answer_keeps_its_partial_text_in_history(sim: Simulator, tmp_path: Path) -> None:
    sim.set_default(A, Behaviour(text=STREAMED + " four five six", end="stall", end_after=3, ttft=0))
    whole = plan_for(template([]), models=(A,))
    plan = TestPlan(whole.name, whole.variants, whole.cases[:1], whole.models)
    key = CellKey(CURRENT, "short", A, 1)
    history = RunHistory(tmp_path / "history.sqlite3")
    store = TestStore(history)
    test_run = store.create(plan)
    recorder = Recorder(store, test_run, plan)

    async def go() -> TestRunner:
        streamed: list[str] = []
        stalled = asyncio.Event()  # every token before the stall has arrived

        def listen(event: RunnerEvent) -> None:
            recorder(event)
            if isinstance(event, CellText):
                streamed.append(event.text)
                if "".join(streamed).strip() == STREAMED:
                    stalled.set()

        async with client_for(sim) as client:
            runner = TestRunner(client, plan)
            runner.add_listener(listen)
            task = asyncio.ensure_future(runner.run())
            await stalled.wait()
            runner.stop()  # the user presses Stop (or Ctrl+C in `templates test`)
            await task
            return runner

    try:
        runner = run(go())
        cell = runner.cells[key]
        assert (cell.state, cell.text.strip()) == ("stopped", STREAMED)
        [stored] = store.load(test_run).cells
        assert stored.state == "stopped"
        [listed] = history.list_runs()
        [answer] = history.get_run(listed.id).answers
        assert (answer.state, answer.answer.strip()) == ("stopped", STREAMED)
        assert recorder.warnings == []
    finally:
        history.close()
