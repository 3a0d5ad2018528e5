"""``playground templates test``: every case x model (x repeat) checked by the template's assertions.

Exit codes: 0 every assertion passed (and, with ``--against``, nothing regressed); 1 otherwise or
stopped; 2 bad usage or configuration (invalid assertions, unknown template, cost above --max-cost).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from playground.commands.args import integer, number
from playground.core.atomic import atomic_write
from playground.core.context import AppContext
from playground.core.errors import ConfigError, PlaygroundError
from playground.core.evaluation import report
from playground.core.evaluation.runner import (
    AGAINST,
    CURRENT,
    BestJudged,
    Cell,
    CellDone,
    RunnerEvent,
    TestPlan,
    TestRunner,
    compare_versions,
    summarize,
)
from playground.core.evaluation.store import Recorder, TestStore
from playground.core.format import usd


def _count(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text} is out of range ({low} to {high})")
        return value

    return parse


def _usd(text: str) -> Decimal:
    try:
        value = Decimal(text.strip().lstrip("$"))
    except ArithmeticError:
        raise argparse.ArgumentTypeError(f"not an amount in USD: {text!r}") from None
    if not value.is_finite() or value < 0:
        raise argparse.ArgumentTypeError(f"{text} is not an amount of 0 or more")
    return value


def add_parser(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = actions.add_parser(
        "test",
        help="check every case x model with the template's assertions (exit 0 when all pass)",
        description="Send every test case to every model and check each answer with the template's "
        "[[assert]] tables. Exit 0 when every assertion passed (and nothing regressed with --against), "
        "1 otherwise, 2 for usage or configuration errors.",
    )
    p.add_argument("name")
    p.add_argument(
        "-m", "--model", action="append", default=[], metavar="MODEL", help="default: the template's"
    )
    p.add_argument("--case", action="append", default=[], metavar="NAME", help="only this case (repeatable)")
    p.add_argument(
        "--repeat", type=_count(1, 100), default=1, metavar="N", help="answers per cell (default 1)"
    )
    p.add_argument(
        "--against", metavar="VERSION", help="also run an older version (number or hash) and compare"
    )
    p.add_argument("--judge", metavar="MODEL", help="the model that grades llm-rubric and select-best")
    p.add_argument("--concurrency", type=_count(1, 64), default=4, metavar="N", help="requests at once (4)")
    p.add_argument("--max-cost", type=_usd, metavar="USD", help="refuse to start when the estimate is higher")
    p.add_argument(
        "--resume", type=_count(1, 2**62), metavar="RUN", help="send only the missing cells of RUN"
    )
    p.add_argument("--temperature", type=number(0, 2), metavar="T", help="0 to 2")
    p.add_argument("--max-tokens", type=_count(1, 1_000_000), metavar="N")
    # The last repeat's seed (first + repeats - 1) must still fit a 64-bit integer.
    seeds = integer(-(2**63), 2**63 - 100)
    p.add_argument("--seed", type=seeds, metavar="N", help="seed of the first repeat (each repeat adds 1)")
    from playground.commands.request_flags import add_request_arguments

    add_request_arguments(p)
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="one JSON document at the end")
    out.add_argument("--jsonl", action="store_true", help="one JSON object per assertion and per cell")
    p.add_argument("--junit", type=Path, metavar="FILE", help="write JUnit XML (one testcase per cell)")
    p.add_argument("--html", type=Path, metavar="FILE", help="write a self-contained HTML report")
    p.add_argument("--demo", action="store_true", help="use the built-in simulator: no key, no network")


async def run(ctx: AppContext, args: argparse.Namespace) -> int:
    if args.demo:
        ctx.start_demo(time_scale=0)
    from playground.commands.templates_plan import build_plan, estimate

    store = TestStore(ctx.history())
    plan, resumed, done = build_plan(ctx, store, args)
    runner_cells = {c.key for c in done if c.state == "done"}
    missing = [k for k in plan.cell_keys() if k not in runner_cells]
    cost, unknown = await estimate(ctx, plan, missing)
    _check_budget(args.max_cost, cost, unknown)
    test_run = resumed if resumed is not None else store.create(plan)
    view = _View(args, plan, test_run)
    view.start(len(plan.cell_keys()), len(missing), cost, unknown)
    runner = await _execute(ctx, plan, done, [Recorder(store, test_run, plan), view.on_event])
    return view.finish(runner, stopped=runner.stopped)


def _check_budget(limit: Decimal | None, cost: Decimal, unknown: list[str]) -> None:
    if limit is None:
        return
    if unknown:
        raise ConfigError(
            f"Cannot check --max-cost: the price of {', '.join(sorted(set(unknown)))} is unknown. "
            "Nothing was sent."
        )
    if cost > limit:
        raise ConfigError(
            f"The estimated maximum cost {usd(cost)} is above --max-cost "
            f"{usd(limit)}. Nothing was sent: use fewer cases, models or repeats, "
            "or a lower --max-tokens."
        )


async def _execute(
    ctx: AppContext, plan: TestPlan, done: list[Cell], listeners: list[Callable[[RunnerEvent], None]]
) -> TestRunner:
    from playground.core.endpoints import split_ref

    models = [*plan.models, *([plan.judge] if plan.judge else [])]
    key = await ctx.active_key() if any(split_ref(m) is None for m in models) else None
    async with await ctx.chat_client(key, models) as client:
        runner = TestRunner(client, plan, done=done)
        for listener in listeners:
            runner.add_listener(listener)
        from playground.commands.compare import stop_on_signals

        # what finished is kept, the summary still prints and the run can be resumed
        with stop_on_signals(runner.stop):
            await runner.run()
    return runner


@dataclass
class _View:
    """What the terminal shows: a line per cell as it ends (or JSON lines), then the matrix."""

    args: argparse.Namespace
    plan: TestPlan
    test_run: int
    shown: dict[Any, Cell] = field(default_factory=dict)  # the cells reported so far, for the progress

    def emit(self, data: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")
        sys.stdout.flush()

    def start(self, cells: int, missing: int, cost: Decimal, unknown: list[str]) -> None:
        version = self.plan.variant(CURRENT).version
        if self.args.jsonl:
            self.emit(
                {"type": "start", "test_run": self.test_run, "template": self.plan.name, "version": version,
                 "cells": cells, "to_send": missing, "estimated_cost": str(cost), "unpriced": unknown}
            )  # fmt: skip
            return
        if self.args.json:
            return
        priced = f"estimated maximum cost {usd(cost)}"
        if unknown:
            priced += f" (+ {len(set(unknown))} unpriced model(s))"
        print(
            f"Test run {self.test_run}: '{self.plan.name}' @ {version}, "
            f"{missing} of {cells} answers to send, {priced}.",
            file=sys.stderr,
        )

    def on_event(self, event: RunnerEvent) -> None:
        if isinstance(event, BestJudged) and self.args.jsonl:
            pick = event.pick
            self.emit(
                {"type": "judge", "variant": event.variant, "case": event.case, "repeat": event.repeat,
                 "winner": pick.winner, "first": pick.first, "second": pick.second,
                 "flipped": pick.flipped, "reason": pick.reason}
            )  # fmt: skip
        if not isinstance(event, CellDone):
            return
        cell = event.cell
        if cell.state == "done" and event.result is not None and self.plan.case(cell.key.case).select_best:
            return  # reported once the judge has picked the best answer of the case
        if self.args.jsonl:
            for line in report.assertion_events(cell):
                self.emit(line)
            self.emit(report.cell_event(cell))
        elif not self.args.json and cell.state != "stopped":
            self._line(cell)

    def _line(self, cell: Cell) -> None:
        """``PASS  case x model`` (or FAIL/ERROR with why), then the progress so far on stderr."""
        k = cell.key
        word = "PASS" if cell.passed else "FAIL" if cell.state == "done" else "ERROR"
        where = f"{k.case} x {k.model}" + (f" #{k.repeat}" if self.plan.repeats > 1 else "")
        where += " (older version)" if k.variant == AGAINST else ""
        why = f" - {report.printable(cell.why)}" if cell.why else ""
        if sys.stderr.isatty():
            sys.stderr.write("\r\x1b[K")  # the progress line gives way to the result line
            sys.stderr.flush()
        print(f"{word:<5} {where}{why}", flush=True)
        self.shown[k] = cell
        if sys.stderr.isatty():
            failed = sum(not c.passed for c in self.shown.values())
            spent = usd(sum((c.total_cost for c in self.shown.values()), Decimal(0)))
            total = len(self.plan.cell_keys())
            sys.stderr.write(f"\r{len(self.shown)}/{total} answers, {failed} failed, {spent} spent ")
            sys.stderr.flush()

    def finish(self, runner: TestRunner, *, stopped: bool) -> int:
        cells = list(runner.cells.values())
        total = summarize(report.current(cells))
        marks = compare_versions(runner.cells, self.plan) if len(self.plan.variants) > 1 else {}
        regressed = any(m == "regressed" for m in marks.values())
        ok = not stopped and total.cells == len(report.current(cells)) and total.passed == total.cells
        self._files(runner)
        if self.args.jsonl or self.args.json:
            self._json_end(runner, total, marks, stopped)
        else:
            self._text_end(runner, total, marks, stopped)
        return 0 if ok and not regressed else 1

    def _files(self, runner: TestRunner) -> None:
        try:
            if self.args.junit:
                atomic_write(
                    self.args.junit, report.junit_xml(self.plan, list(runner.cells.values()), self.test_run)
                )
            if self.args.html:
                title = f"{self.plan.name}: test run {self.test_run}"
                atomic_write(self.args.html, report.html_report(self.plan, runner.cells, title))
        except OSError as exc:
            raise PlaygroundError(f"Could not write the report: {exc.strerror}") from None

    def _versions(self, marks: dict[tuple[str, str], str]) -> str:
        old = self.plan.variant(AGAINST)
        return report.versions_line(marks, self.plan.variant(CURRENT).version, old.version)

    def _json_end(
        self, runner: TestRunner, total: Any, marks: dict[tuple[str, str], str], stopped: bool
    ) -> None:
        summary: dict[str, Any] = {
            "test_run": self.test_run,
            "stopped": stopped,
            **report.summary_json(total),
        }
        if marks:
            summary["versions"] = [{"case": c, "model": m, "change": w} for (c, m), w in marks.items()]
            summary["versions_summary"] = self._versions(marks)
        picks = runner.picks
        if picks:
            summary["judge_position_bias"] = sum(p.pick.flipped for p in picks) / len(picks)
        if self.args.jsonl:
            self.emit({"type": "summary", **summary})
            return
        summary["template"] = self.plan.name
        summary["version"] = self.plan.variant(CURRENT).version
        summary["cells"] = [
            {**report.cell_event(c), "assertions": report.assertion_events(c)} for c in runner.cells.values()
        ]
        print(json.dumps(summary, indent=2, ensure_ascii=False, default=str))

    def _text_end(
        self, runner: TestRunner, total: Any, marks: dict[tuple[str, str], str], stopped: bool
    ) -> None:
        from playground.commands.output import table

        if sys.stderr.isatty() and self.shown:
            sys.stderr.write("\n")  # end the progress line
        print()
        table(["case", *self.plan.models, "pass rate"], report.matrix_rows(self.plan, runner.cells))
        print()
        print(report.summary_line(total))
        if marks:
            print(self._versions(marks) + ".")
            for (case, model), word in marks.items():
                if word != "unchanged":
                    print(f"  {word}: {case} x {model}")
        if runner.picks:
            flipped = sum(p.pick.flipped for p in runner.picks)
            cases = len(runner.picks)
            print(f"Judge: changed its pick when the order was swapped in {flipped} of {cases} cases.")
        if stopped:
            print(
                f"Stopped. Resume with: playground templates test {self.plan.name} --resume {self.test_run}"
            )
