"""Test runs in the history database: the plan of each run, every cell as it ends, the judge's picks.

Their tables are part of the history schema (``schema.py``, version 4); ``playground.core.evaluation.store``
re-exports this module for the evaluation code.

Each cell's answer is also an ordinary history run (template, version, case, variables), so the
History view shows it; ``test_cells`` links it to its test run with the assertions' results.
A test run stores what it needs to be resumed: only the cells not yet finished are sent again.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from playground.core.compare import CompareRequest, PaneSpec
from playground.core.errors import ConfigError
from playground.core.evaluation.assertions import Assertion, Outcome
from playground.core.evaluation.runner import (
    BestJudged,
    Cell,
    CellDone,
    CellKey,
    CellStarted,
    RunnerEvent,
    TestPlan,
)
from playground.core.history.db import HistoryError
from playground.core.history.store import RunHistory
from playground.core.leaderboard import Vote
from playground.core.redact import redact


@dataclass(frozen=True)
class StoredRun:
    """A test run as saved: its id, the plan's description (JSON) and the cells that finished."""

    id: int
    created: float
    template: str
    plan: dict[str, Any]
    cells: tuple[Cell, ...]


class TestStore:
    """Test runs, in the same SQLite file as the rest of history."""

    __test__ = False

    def __init__(self, history: RunHistory) -> None:
        self.history = history
        self.db = history.db  # the tables are made by the history schema's migrations

    def _write(self, sql: str, params: Sequence[Any]) -> int:
        try:
            with self.history._write() as db:
                return int(db.execute(sql, params).lastrowid or 0)
        except HistoryError as exc:
            raise HistoryError(f"Could not write the test run to history: {exc}") from None

    def create(self, plan: TestPlan, *, now: float | None = None) -> int:
        return self._write(
            "INSERT INTO test_runs (created, template, plan) VALUES (?, ?, ?)",
            (now or time.time(), plan.name, json.dumps(plan_json(plan))),
        )

    def save_cell(self, test_run: int, cell: Cell, run_id: int | None) -> None:
        k = cell.key
        self._write(
            "INSERT INTO test_cells (test_run, variant, case_name, model, repeat, run_id, state, passed,"
            " score, cost, judge_cost, latency_ms, error, outcomes, created)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
            " ON CONFLICT (test_run, variant, case_name, model, repeat) DO UPDATE SET"
            " run_id = COALESCE(excluded.run_id, run_id), state = excluded.state, passed = excluded.passed,"
            " score = excluded.score, cost = excluded.cost, judge_cost = excluded.judge_cost,"
            " latency_ms = excluded.latency_ms, error = excluded.error, outcomes = excluded.outcomes",
            (
                test_run, k.variant, k.case, k.model, k.repeat, run_id, cell.state, int(cell.passed),
                cell.score, None if cell.cost is None else str(cell.cost), str(cell.judge_cost),
                cell.latency_ms, None if cell.error is None else redact(cell.error),
                json.dumps([_outcome_json(o) for o in cell.outcomes], default=str),
                time.time(),
            ),
        )  # fmt: skip

    def save_pick(self, test_run: int, judged: BestJudged, judge: str, template: str) -> None:
        pick = judged.pick
        if pick.error is not None or pick.first is None or pick.second is None:
            return
        models = list(judged.models) or list(dict.fromkeys([pick.first, pick.second]))
        # a "best" vote lists the winner first and then the others: the pair is what gets rated
        winner = pick.winner
        kind, ranking = ("best", [winner, *(m for m in models if m != winner)]) if winner else ("tie", models)
        self._write(
            "INSERT INTO judge_votes (test_run, created, judge, template, kind, ranking, flipped)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (test_run, time.time(), judge, template, kind, json.dumps(ranking), int(pick.flipped)),
        )

    def judge_votes(self, *, template: str | None = None) -> list[Vote]:
        """The judge's verdicts as votes, for the leaderboard's own "judge" scope."""
        rows = self.db.execute("SELECT * FROM judge_votes ORDER BY created").fetchall()
        return [
            Vote(r["kind"], tuple(json.loads(r["ranking"])), None, r["created"], r["template"])
            for r in rows
            if template is None or r["template"] == template
        ]

    def load(self, test_run: int) -> StoredRun:
        row = self.db.execute("SELECT * FROM test_runs WHERE id = ?", (test_run,)).fetchone()
        if row is None:
            raise ConfigError(f"No test run {test_run}. See `playground templates test` output for ids.")
        rows = self.db.execute("SELECT * FROM test_cells WHERE test_run = ?", (test_run,)).fetchall()
        cells = tuple(_cell(r) for r in rows)
        return StoredRun(row["id"], row["created"], row["template"], json.loads(row["plan"]), cells)


def plan_json(plan: TestPlan) -> dict[str, Any]:
    return {
        "variants": [{"label": v.label, "version": v.version} for v in plan.variants],
        "cases": [c.name for c in plan.cases],
        "models": list(plan.models),
        "repeats": plan.repeats,
        "params": {n: _plain(getattr(plan.params, n)) for n in plan.params.set_names()},
        "seed": plan.seed,
        "judge": plan.judge,
        "concurrency": plan.concurrency,
    }


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _outcome_json(o: Outcome) -> dict[str, Any]:
    return {"assertion": o.assertion.to_data(), "pass": o.passed, "reason": o.reason, "score": o.score}


def _cell(r: sqlite3.Row) -> Cell:
    outcomes = []
    for item in json.loads(r["outcomes"] or "[]"):
        data = item["assertion"]
        name = str(data.get("type", ""))
        assertion = Assertion(
            name.removeprefix("not-"), data.get("value"), data.get("threshold"), name.startswith("not-")
        )
        outcomes.append(Outcome(assertion, bool(item["pass"]), str(item["reason"]), float(item["score"])))
    key = CellKey(r["variant"], r["case_name"], r["model"], r["repeat"])
    cost = Decimal(r["cost"]) if r["cost"] is not None else None
    return Cell(key, r["state"], "", cost, Decimal(r["judge_cost"]), r["latency_ms"], r["error"], outcomes)


class Recorder:
    """Saves a test run as it goes: each case's answers (one per model, per repeat and version) as one
    history run with a pane per model, like a comparison; then each cell's results, linked to it."""

    def __init__(self, store: TestStore, test_run: int, plan: TestPlan) -> None:
        self.store, self.test_run, self.plan = store, test_run, plan
        self.run_ids: dict[tuple[str, str, int], int] = {}
        self.warnings: list[str] = []

    def __call__(self, event: RunnerEvent) -> None:
        try:
            self.record(event)
        except HistoryError as exc:  # the results are still shown; only their record is missing
            if not self.warnings:
                self.warnings.append(f"Some results were not saved to history: {exc}")

    def _run_id(self, key: CellKey, request: CompareRequest) -> int:
        group = (key.variant, key.case, key.repeat)
        if group not in self.run_ids:
            case = self.plan.case(key.case)
            every_model = replace(request, panes=tuple(PaneSpec(m) for m in self.plan.models))
            self.run_ids[group] = self.store.history.start_run(
                every_model,
                template=self.plan.name,
                template_version=self.plan.variant(key.variant).version,
                case_name=case.name,
                variables=case.variables,
            )
        return self.run_ids[group]

    def record(self, event: RunnerEvent) -> None:
        """Save what ``event`` changed; a failure raises HistoryError (``__call__`` keeps it as a warning)."""
        if isinstance(event, CellStarted):
            self._run_id(event.key, event.request)
        elif isinstance(event, CellDone):
            key = event.cell.key
            run_id = self.run_ids.get((key.variant, key.case, key.repeat))
            if event.result is not None and run_id is not None:
                self.store.history.save_answer(run_id, self.plan.models.index(key.model), event.result)
            self.store.save_cell(self.test_run, event.cell, run_id)
        elif isinstance(event, BestJudged) and self.plan.judge:
            self.store.save_pick(self.test_run, event, self.plan.judge, self.plan.name)
