"""Test runs against the simulator: checks per cell, repeats, concurrency, 429s, the judge, resume."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from playground.core.evaluation.runner import (
    AGAINST,
    CURRENT,
    BestJudged,
    CellDone,
    CellKey,
    CellStarted,
    RunnerEvent,
    TestPlan,
    TestRunner,
    Variant,
    compare_versions,
    group_repeats,
    summarize,
)
from playground.core.evaluation.store import Recorder, TestStore
from playground.core.evaluation.suite import build_cases
from playground.core.history import RunHistory
from playground.core.request import ChatParams
from playground.core.templates import PromptTemplate
from playground.simulator import Simulator
from playground.simulator.behaviour import Behaviour
from tests.conftest import run
from tests.core.helpers import SleepRecorder, client_for

A, B = "sim/quick-mini", "sim/balanced-pro"


def template(
    asserts: Sequence[dict[str, Any]], prompt: str = "Explain {{text}}", **kw: Any
) -> PromptTemplate:
    return PromptTemplate(
        name="explain",
        prompt=prompt,
        cases=(("short", {"text": "caching"}), ("long", {"text": "ETags"})),
        asserts=tuple(asserts),
        **kw,
    )


def plan_for(
    t: PromptTemplate, models: Sequence[str] = (A, B), *, old: PromptTemplate | None = None, **kw: Any
) -> TestPlan:
    variants = [Variant(CURRENT, t, t.content_hash)]
    if old is not None:
        variants.append(Variant(AGAINST, old, old.content_hash))
    return TestPlan(t.name, tuple(variants), build_cases(t, "explain.toml"), tuple(models), **kw)


def execute(sim: Simulator, plan: TestPlan, *, listener: Any = None, done: Any = (), **kw: Any) -> TestRunner:
    async def go() -> TestRunner:
        async with client_for(sim, **kw) as client:
            runner = TestRunner(client, plan, done=done, sleep=SleepRecorder())
            if listener is not None:
                runner.add_listener(listener)
            await runner.run()
            return runner

    return run(go())


def test_each_cell_passes_or_fails_with_the_failing_assertion(sim: Simulator) -> None:
    sim.set_default(A, Behaviour(text="Caching keeps an ETag per response."))
    sim.set_default(B, Behaviour(text="It depends."))
    runner = execute(sim, plan_for(template([{"type": "icontains", "value": "etag"}])))
    cells = runner.cells
    assert all(cells[CellKey(CURRENT, c, A, 1)].passed for c in ("short", "long"))
    failed = cells[CellKey(CURRENT, "short", B, 1)]
    assert not failed.passed and failed.why == "'etag' not found"
    total = summarize(cells.values())
    assert (total.cells, total.passed, total.errors) == (4, 2, 0)
    assert total.cost > 0 and total.median_ms is not None


def test_a_failed_answer_is_an_error_cell_not_a_pass(sim: Simulator) -> None:
    runner = execute(sim, plan_for(template([]), models=("fault/500",)), retry=None)
    cell = runner.cells[CellKey(CURRENT, "short", "fault/500", 1)]
    assert cell.state == "error" and not cell.passed and cell.why


def test_repeats_collapse_identical_answers_and_give_a_pass_rate(sim: Simulator) -> None:
    sim.script(A, Behaviour(text="one ETag"), Behaviour(text="no tag"), Behaviour(text="one ETag"))
    plan = plan_for(template([{"type": "contains", "value": "ETag"}]), models=(A,), repeats=3, concurrency=1)
    plan = TestPlan(plan.name, plan.variants, plan.cases[:1], plan.models, repeats=3, concurrency=1)
    runner = execute(sim, plan)
    repeats = group_repeats([runner.cells[CellKey(CURRENT, "short", A, r)] for r in (1, 2, 3)])
    assert (repeats.passed, repeats.total) == (2, 3)
    assert repeats.distinct == (("one ETag", 2), ("no tag", 1))
    seeds = [r.json()["seed"] for r in sim.chat_requests(A)]
    assert seeds == [0, 1, 2]  # each repeat its own seed, the same in every version


def test_concurrency_limit_is_respected(sim: Simulator) -> None:
    in_flight, peak = 0, 0

    def watch(event: RunnerEvent) -> None:
        nonlocal in_flight, peak
        if isinstance(event, CellStarted):
            in_flight += 1
            peak = max(peak, in_flight)
        elif isinstance(event, CellDone) and event.result is not None:
            in_flight -= 1

    sim.set_default(A, Behaviour(ttft=0.05, tokens_per_second=0))
    plan = plan_for(template([]), models=(A,), repeats=4, concurrency=2)
    execute(sim, plan, listener=watch)
    assert len(sim.chat_requests(A)) == 8
    assert peak == 2


def test_rate_limits_are_waited_out_not_failed(sim: Simulator) -> None:
    limited = Behaviour(status=429, error_message="Rate limit exceeded", headers=(("Retry-After", "0"),))
    sim.script(A, *[limited] * 4)  # more 429s than the client's own retries
    plan = plan_for(template([]), models=(A,))
    plan = TestPlan(plan.name, plan.variants, plan.cases[:1], plan.models)
    runner = execute(sim, plan, sleep=SleepRecorder())
    assert runner.cells[CellKey(CURRENT, "short", A, 1)].state == "done"
    assert len(sim.chat_requests(A)) == 5


def test_llm_rubric_asks_the_judge_for_a_strict_verdict(sim: Simulator) -> None:
    sim.set_default(A, Behaviour(text="Use ETags and Last-Modified."))
    sim.set_default(B, Behaviour(text="Use timestamps."))
    t = template([{"type": "llm-rubric", "value": "Mentions ETags"}])
    runner = execute(sim, plan_for(t, judge="judge/fair"))
    good, bad = runner.cells[CellKey(CURRENT, "short", A, 1)], runner.cells[CellKey(CURRENT, "short", B, 1)]
    assert good.passed and good.outcomes[0].score == 1.0
    assert not bad.passed and "judge: Misses: ETags" in bad.why
    assert good.judge_cost > 0 and good.total_cost > (good.cost or 0)
    asked = sim.chat_requests("judge/fair")[0].json()
    assert asked["response_format"]["type"] == "json_schema"
    assert asked["response_format"]["json_schema"]["strict"] is True
    assert set(asked["response_format"]["json_schema"]["schema"]["required"]) == {"pass", "score", "reason"}


def test_llm_rubric_without_a_judge_fails_with_a_clear_reason(sim: Simulator) -> None:
    t = template([{"type": "llm-rubric", "value": "Mentions ETags"}])
    runner = execute(sim, plan_for(t, models=(A,)))
    assert (
        runner.cells[CellKey(CURRENT, "short", A, 1)].why == "llm-rubric needs a judge model (--judge MODEL)"
    )


def _best(sim: Simulator, judge: str) -> TestRunner:
    sim.set_default(A, Behaviour(text="Short."))
    sim.set_default(B, Behaviour(text="A longer answer that mentions ETags and caching."))
    t = template([{"type": "select-best", "value": "Mentions ETags"}])
    plan = plan_for(t, judge=judge)
    return execute(sim, TestPlan(plan.name, plan.variants, plan.cases[:1], plan.models, judge=judge))


def test_select_best_win_survives_the_order_swap(sim: Simulator) -> None:
    runner = _best(sim, "judge/fair")
    (judged,) = runner.picks
    assert judged.pick.winner == B and not judged.pick.flipped
    assert runner.cells[CellKey(CURRENT, "short", B, 1)].passed
    assert not runner.cells[CellKey(CURRENT, "short", A, 1)].passed
    prompts = [r.json()["messages"][-1]["content"] for r in sim.chat_requests("judge/fair")]
    assert prompts[0].index("Short.") < prompts[0].index("A longer") and prompts[1].index(
        "A longer"
    ) < prompts[1].index("Short.")


def test_a_judge_that_prefers_the_first_answer_is_neutralised(sim: Simulator) -> None:
    runner = _best(sim, "judge/biased")
    (judged,) = runner.picks
    assert judged.pick.winner is None and judged.pick.flipped
    assert "tie" in judged.pick.reason
    assert not any(c.passed for c in runner.cells.values())


def test_cells_are_saved_as_they_finish_and_a_run_resumes_only_what_is_missing(
    sim: Simulator, tmp_path: Path
) -> None:
    history = RunHistory(tmp_path / "history.db")
    try:
        store = TestStore(history)
        plan = plan_for(template([{"type": "contains", "value": "ETag"}]), judge=None)
        test_run = store.create(plan)
        recorder = Recorder(store, test_run, plan)
        sim.script(B, Behaviour(status=500, error_message="boom"))  # one cell fails (no retries)
        sim.set_default(A, Behaviour(text="ETag"))
        execute(sim, plan, listener=recorder, retry=_no_retry())
        stored = store.load(test_run)
        assert len(stored.cells) == 4
        assert sum(c.state == "error" for c in stored.cells) == 1
        runs = history.list_runs()  # each case is an ordinary history run too, a pane per model
        assert sorted(r.case_name for r in runs) == ["long", "short"]
        assert {a.requested_model for r in runs for a in history.get_run(r.id).answers} == {A, B}
        sim.clear_log()
        runner = execute(sim, plan, done=stored.cells, listener=recorder)
        assert [r.json()["model"] for r in sim.chat_requests()] == [B]  # only the failed cell again
        assert all(c.state == "done" for c in store.load(test_run).cells)
        assert len(runner.cells) == 4
    finally:
        history.close()


def _no_retry() -> Any:
    from playground.core.retry import RetryPolicy

    return RetryPolicy(max_attempts=1)


def test_against_an_older_version_marks_each_cell(sim: Simulator) -> None:
    sim.set_default(A, Behaviour(text="ok"))
    old = template([{"type": "contains", "value": "ETag"}], prompt="Old {{text}}")
    new = template([{"type": "contains", "value": "ETag"}], prompt="New {{text}}")
    sim.set_default(B, None)
    plan = plan_for(new, models=(A,), old=old)
    sim.script(
        A, Behaviour(text="ETag"), Behaviour(text="none"), Behaviour(text="none"), Behaviour(text="ETag")
    )
    runner = execute(sim, TestPlan(plan.name, plan.variants, plan.cases, plan.models, concurrency=1))
    marks = compare_versions(runner.cells, plan)
    assert marks == {("short", A): "improved", ("long", A): "regressed"}
    sent = [r.json()["messages"][-1]["content"] for r in sim.chat_requests(A)]
    assert sent == ["New caching", "New ETags", "Old caching", "Old ETags"]


def test_judge_picks_are_recorded_as_their_own_votes(sim: Simulator, tmp_path: Path) -> None:
    history = RunHistory(tmp_path / "history.db")
    try:
        store = TestStore(history)
        sim.set_default(A, Behaviour(text="Short."))
        sim.set_default(B, Behaviour(text="Longer, with ETags."))
        t = template([{"type": "select-best"}])
        plan = plan_for(t, judge="judge/fair")
        test_run = store.create(plan)
        events: list[RunnerEvent] = []
        recorder = Recorder(store, test_run, plan)
        execute(sim, plan, listener=lambda e: (events.append(e), recorder(e)))
        assert sum(isinstance(e, BestJudged) for e in events) == 2
        votes = store.judge_votes()
        # the winner first, then the model it beat: a vote with the winner alone has no pair to rate
        assert [v.kind for v in votes] == ["best", "best"] and votes[0].ranking == (B, A)
        from playground.core.leaderboard import leaderboard

        assert [s.model for s in leaderboard(votes)] == [B, A]
        assert history.votes() == []  # never mixed with the user's blind votes
    finally:
        history.close()


def test_params_of_the_plan_are_sent(sim: Simulator) -> None:
    plan = plan_for(template([]), models=(A,), params=ChatParams(temperature=0.3, seed=40))
    execute(sim, TestPlan(plan.name, plan.variants, plan.cases[:1], plan.models, params=plan.params))
    body = sim.chat_requests(A)[0].json()
    assert body["temperature"] == 0.3 and body["seed"] == 40


def test_stop_ends_a_cell_waiting_out_a_rate_limit(sim: Simulator) -> None:
    limited = Behaviour(status=429, error_message="Rate limit exceeded", headers=(("Retry-After", "0"),))
    sim.set_default(A, limited)
    plan = plan_for(template([]), models=(A,))
    plan = TestPlan(plan.name, plan.variants, plan.cases[:1], plan.models)

    async def go() -> TestRunner:
        waiting = asyncio.Event()

        async def long_pause(delay: float) -> None:
            waiting.set()
            await asyncio.Event().wait()  # a pause that would never end by itself

        async with client_for(sim, retry=_no_retry()) as client:
            runner = TestRunner(client, plan, sleep=long_pause)
            task = asyncio.ensure_future(runner.run())
            await waiting.wait()
            runner.stop()
            await task
            return runner

    runner = run(go())
    assert runner.cells[CellKey(CURRENT, "short", A, 1)].state == "stopped"
    assert runner.stopped
