"""A test run: every case x model x repeat (x version, with ``--against``), answers checked as they end.

A global concurrency limit bounds the requests in flight; a model that answers 429 is paused for as
long as the server asks and its cell sent again (rate limits are waited out, not failed). Listeners
see each cell start, its text as it streams, and its result; a recorder (store.py) saves each cell.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from playground.core.compare import ChatClient, CompareRequest, CompareRun, PaneEvent, PaneResult, PaneState
from playground.core.evaluation.assertions import Observation, Outcome, check_all
from playground.core.evaluation.judge import BestPick, Judge
from playground.core.evaluation.suite import TestCase
from playground.core.events import Delta
from playground.core.library import template_request
from playground.core.request import ChatParams
from playground.core.templates import PromptTemplate

log = logging.getLogger(__name__)

CURRENT, AGAINST = "current", "against"
MAX_RATE_WAITS = 8  # a cell rate-limited this many times in a row is given up (as failed)
MAX_RATE_PAUSE = 120.0  # seconds: the longest pause a 429 can ask of one model
NO_JUDGE = "{} needs a judge model (--judge MODEL)"


@dataclass(frozen=True)
class Variant:
    """A version of the template under test: ``current``, or the older one it is compared ``against``."""

    label: str
    template: PromptTemplate
    version: str  # the version hash in history


@dataclass(frozen=True)
class CellKey:
    """One answer of a test run: which version, case, model and repeat."""

    variant: str
    case: str
    model: str
    repeat: int  # 1..N


@dataclass(frozen=True)
class TestPlan:
    """What a test run sends; stored with the run so it can be resumed exactly."""

    __test__ = False

    name: str
    variants: tuple[Variant, ...]
    cases: tuple[TestCase, ...]
    models: tuple[str, ...]
    repeats: int = 1
    params: ChatParams = field(default_factory=ChatParams)
    seed: int = 0
    judge: str | None = None
    concurrency: int = 4

    def cell_keys(self) -> list[CellKey]:
        """Every cell, case by case, so the first rows fill in first."""
        return [
            CellKey(v.label, c.name, m, r)
            for v in self.variants
            for c in self.cases
            for r in range(1, self.repeats + 1)
            for m in self.models
        ]

    def case(self, name: str) -> TestCase:
        return next(c for c in self.cases if c.name == name)

    def variant(self, label: str) -> Variant:
        return next(v for v in self.variants if v.label == label)

    def request(self, key: CellKey) -> CompareRequest:
        """The cell's request; repeat r uses seed + r - 1 (the same in both versions)."""
        seed = (self.params.seed if self.params.seed is not None else self.seed) + key.repeat - 1
        params = replace(self.params, seed=seed)
        template = self.variant(key.variant).template
        return template_request(template, [key.model], self.case(key.case).variables, params)


@dataclass
class Cell:
    """One answer and its checks. ``state``: waiting, running, done, error or stopped."""

    key: CellKey
    state: str = "waiting"
    text: str = ""
    cost: Decimal | None = None
    judge_cost: Decimal = Decimal(0)
    latency_ms: float | None = None
    error: str | None = None
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return self.state in ("done", "error")

    @property
    def passed(self) -> bool:
        return self.state == "done" and all(o.passed for o in self.outcomes)

    @property
    def score(self) -> float:
        if self.state != "done":
            return 0.0
        return sum(o.score for o in self.outcomes) / len(self.outcomes) if self.outcomes else 1.0

    @property
    def failing(self) -> Outcome | None:
        return next((o for o in self.outcomes if not o.passed), None)

    @property
    def total_cost(self) -> Decimal:
        return (self.cost or Decimal(0)) + self.judge_cost

    @property
    def why(self) -> str:
        """Words for a cell that did not pass: its error, or its first failing assertion."""
        if self.state == "error":
            return self.error or "no answer"
        failing = self.failing
        return failing.reason if failing else ""


@dataclass(frozen=True)
class CellStarted:
    """A cell's request is about to be sent (it is recorded in history now)."""

    key: CellKey
    request: CompareRequest


@dataclass(frozen=True)
class CellText:
    """Answer text of a cell as it streams."""

    key: CellKey
    text: str


@dataclass(frozen=True)
class CellDone:
    """A cell ended, or its checks changed (a select-best pick)."""

    cell: Cell
    result: PaneResult | None  # the answer as received (None when the cell was judged again)


@dataclass(frozen=True)
class BestJudged:
    """The judge's select-best pick over one case's answers."""

    variant: str
    case: str
    repeat: int
    pick: BestPick
    models: tuple[str, ...] = ()  # the models whose answers were compared


RunnerEvent = CellStarted | CellText | CellDone | BestJudged
Listener = Callable[[RunnerEvent], None]


class TestRunner:
    """Runs a TestPlan's missing cells (``done``: the cells a resumed run already has)."""

    __test__ = False

    def __init__(
        self,
        client: ChatClient,
        plan: TestPlan,
        *,
        done: Iterable[Cell] = (),
        sleep: Callable[[float], object] | None = None,
    ) -> None:
        self.client, self.plan = client, plan
        self.cells: dict[CellKey, Cell] = {k: Cell(k) for k in plan.cell_keys()}
        for cell in done:  # answered cells are kept; failed and stopped ones are sent again
            if cell.key in self.cells and cell.state == "done":
                self.cells[cell.key] = cell
        self.judge = Judge(client, plan.judge) if plan.judge else None
        self.picks: list[BestJudged] = []
        self._listeners: list[Listener] = []
        self._paused: dict[str, float] = {}  # model -> loop time before which it is not sent to
        self._runs: set[CompareRun] = set()
        self._tasks: list[asyncio.Future[None]] = []
        self._sending: set[asyncio.Task[object] | None] = set()  # cells whose answer is streaming
        self._stopped = False
        self._sleep = sleep or asyncio.sleep

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _emit(self, event: RunnerEvent) -> None:
        for listener in self._listeners:
            listener(event)

    @property
    def stopped(self) -> bool:
        return self._stopped

    @property
    def missing(self) -> list[CellKey]:
        return [k for k, c in self.cells.items() if not c.finished]

    async def run(self, keys: Iterable[CellKey] | None = None) -> None:
        """Send every missing cell (or those of ``keys`` that are missing), at most ``concurrency`` at
        once; then judge the select-best cases."""
        gate = asyncio.Semaphore(max(1, self.plan.concurrency))
        wanted = set(keys) if keys is not None else None
        todo = [k for k in self.missing if wanted is None or k in wanted]
        self._tasks = [asyncio.ensure_future(self._guarded(gate, key)) for key in todo]
        await asyncio.gather(*self._tasks, return_exceptions=True)  # a stopped cell is a cancelled task
        if not self._stopped:
            await self._judge_best({(k.variant, k.case, k.repeat) for k in todo})

    def stop(self) -> None:
        """Stop every cell in flight, and those waiting out a rate limit; finished cells are kept.

        A cell whose answer is streaming is stopped through its run, not cancelled: it ends as
        "stopped" with the text that had streamed, which the listeners (history) keep."""
        self._stopped = True
        for run in list(self._runs):
            run.cancel_all()
        for task in self._tasks:
            if task not in self._sending:
                task.cancel()

    async def _guarded(self, gate: asyncio.Semaphore, key: CellKey) -> None:
        async with gate:
            if self._stopped:
                return
            try:
                await self._run_cell(key)
            except asyncio.CancelledError:
                if not self.cells[key].finished:  # it had started: say so, never leave it "running"
                    self.cells[key] = Cell(key, "stopped", error="stopped")
                raise
            except Exception as exc:  # one cell's bug must not end the others
                log.exception("cell %s failed unexpectedly", key)
                self._finish(Cell(key, "error", error=f"an internal error ({type(exc).__name__})"), None)

    async def _run_cell(self, key: CellKey) -> None:
        for attempt in range(1, MAX_RATE_WAITS + 1):
            await self._wait_for(key.model)
            result = await self._send(key)
            if self._stopped and result.state is PaneState.STOPPED:
                self._finish(cell_from(key, result), result)  # what streamed is kept, marked stopped
                return
            wait = _rate_wait(result, attempt)
            if wait is None or self._stopped:  # after Stop nothing is sent again
                break
            loop = asyncio.get_running_loop()
            self._paused[key.model] = max(self._paused.get(key.model, 0.0), loop.time() + wait)
        await self._check(key, result)

    async def _wait_for(self, model: str) -> None:
        until = self._paused.get(model)
        if until is not None:
            delay = until - asyncio.get_running_loop().time()
            if delay > 0:
                await self._sleep(delay)  # type: ignore[misc]

    async def _send(self, key: CellKey) -> PaneResult:
        request = self.plan.request(key)
        run = CompareRun(self.client, request)
        self.cells[key].state = "running"
        self._emit(CellStarted(key, request))
        run.add_listener(lambda e: self._on_pane(key, e))
        self._runs.add(run)
        task = asyncio.current_task()
        self._sending.add(task)
        try:
            run.start()
            await run.wait()
        finally:
            self._runs.discard(run)
            self._sending.discard(task)
        return run.results[0]

    def _on_pane(self, key: CellKey, event: PaneEvent) -> None:
        if isinstance(event.event, Delta):
            self._emit(CellText(key, event.event.text))

    async def _check(self, key: CellKey, result: PaneResult) -> None:
        cell = cell_from(key, result)
        if cell.state == "done":
            case = self.plan.case(key.case)
            seen = Observation(cell.text, cell.cost, cell.latency_ms)
            cell.outcomes = check_all(case.assertions, seen)
            await self._rubrics(cell, case, self.plan.request(key).prompt)
        self._finish(cell, result)

    async def _rubrics(self, cell: Cell, case: TestCase, question: str) -> None:
        for assertion in case.assertions:
            if assertion.kind != "llm-rubric":
                continue
            if self.judge is None:
                cell.outcomes.append(Outcome(assertion, False, NO_JUDGE.format(assertion.name), 0.0))
                continue
            verdict = await self.judge.rubric(str(assertion.value), question, cell.text)
            cell.judge_cost += verdict.cost
            if verdict.error is not None:
                cell.outcomes.append(Outcome(assertion, False, verdict.error, 0.0))
                continue
            judged = verdict.passed and (assertion.threshold is None or verdict.score >= assertion.threshold)
            passed = judged != assertion.negate
            score = verdict.score if not assertion.negate else 1.0 - verdict.score
            cell.outcomes.append(Outcome(assertion, passed, f"judge: {verdict.reason}", score))

    def _finish(self, cell: Cell, result: PaneResult | None) -> None:
        self.cells[cell.key] = cell
        self._emit(CellDone(cell, result))

    async def _judge_best(self, groups: set[tuple[str, str, int]]) -> None:
        for variant, case_name, repeat in sorted(groups):
            assertion = self.plan.case(case_name).select_best
            if assertion is None:
                continue
            keys = [CellKey(variant, case_name, m, repeat) for m in self.plan.models]
            cells = [self.cells[k] for k in keys]
            answers = {c.key.model: c.text for c in cells if c.state == "done"}
            if self.judge is None:
                why = NO_JUDGE.format("select-best")
                pick = BestPick(None, None, None, why, error=why)
            else:
                question = self.plan.request(keys[0]).prompt
                pick = await self.judge.select_best(str(assertion.value or ""), question, answers)
            self._apply_pick(cells, pick, assertion)
            event = BestJudged(variant, case_name, repeat, pick, tuple(answers))
            self.picks.append(event)
            self._emit(event)

    def _apply_pick(self, cells: Sequence[Cell], pick: BestPick, assertion: object) -> None:
        share = pick.cost / len(cells) if cells else Decimal(0)
        for cell in cells:
            if cell.state != "done":
                continue
            won = pick.winner == cell.key.model
            reason = f"judge picked this answer: {pick.reason}" if won else pick.reason
            if not won and pick.winner:
                reason = f"the judge preferred {pick.winner}: {pick.reason}"
            cell.outcomes.append(Outcome(assertion, won, reason, 1.0 if won else 0.0))  # type: ignore[arg-type]
            cell.judge_cost += share
            self._emit(CellDone(cell, None))


def _rate_wait(result: PaneResult, attempt: int) -> float | None:
    """Seconds to pause the model when the cell was refused for its rate limit (429), else None.

    The client has already waited what the server asked (Retry-After) and retried; this waits longer
    each time, doubling from one second."""
    failed = result.failed
    if failed is None or failed.status != 429 or attempt >= MAX_RATE_WAITS:
        return None
    return min(MAX_RATE_PAUSE, 2.0 ** (attempt - 1))


def cell_from(key: CellKey, result: PaneResult) -> Cell:
    """A finished pane as a cell: its answer and figures, or why there is none."""
    finished, failed = result.finished, result.failed
    latency = finished.duration * 1000 if finished else None
    if result.state is PaneState.DONE:
        return Cell(key, "done", result.text, result.cost, latency_ms=latency)
    if result.state is PaneState.TRUNCATED:
        return Cell(
            key, "error", result.text, result.cost, latency_ms=latency, error="the answer was cut off"
        )
    if result.state is PaneState.STOPPED:
        return Cell(key, "stopped", result.text, result.cost, error="stopped")
    return Cell(key, "error", result.text, result.cost, error=failed.message if failed else "no answer")


# ----- summaries -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """Pass rate, cost and median latency over a set of cells (a row, a column, or the whole run)."""

    cells: int
    passed: int
    errors: int
    cost: Decimal
    median_ms: float | None

    @property
    def rate(self) -> float:
        return self.passed / self.cells if self.cells else 0.0


def summarize(cells: Iterable[Cell]) -> Summary:
    chosen = [c for c in cells if c.finished]
    latencies = [c.latency_ms for c in chosen if c.latency_ms is not None]
    return Summary(
        len(chosen),
        sum(c.passed for c in chosen),
        sum(c.state == "error" for c in chosen),
        sum((c.total_cost for c in chosen), Decimal(0)),
        statistics.median(latencies) if latencies else None,
    )


@dataclass(frozen=True)
class Repeats:
    """A cell's repeats together: pass rate (4/5), distinct answers, the spread of latency and cost."""

    passed: int
    total: int
    distinct: tuple[tuple[str, int], ...]  # each different answer once, with how often it came back
    latency: tuple[float, float] | None  # min, max ms
    cost: tuple[Decimal, Decimal] | None


def group_repeats(cells: Sequence[Cell]) -> Repeats:
    done = [c for c in cells if c.finished]
    counts: dict[str, int] = {}
    for cell in done:
        if cell.state == "done":  # a failed request's partial text is not an answer
            counts[cell.text] = counts.get(cell.text, 0) + 1
    latencies = [c.latency_ms for c in done if c.latency_ms is not None]
    costs = [c.cost for c in done if c.cost is not None]
    return Repeats(
        sum(c.passed for c in done),
        len(done),
        tuple(sorted(counts.items(), key=lambda kv: -kv[1])),
        (min(latencies), max(latencies)) if latencies else None,
        (min(costs), max(costs)) if costs else None,
    )


def compare_versions(cells: Mapping[CellKey, Cell], plan: TestPlan) -> dict[tuple[str, str], str]:
    """Per (case, model): ``improved``, ``regressed`` or ``unchanged`` (mean score over the repeats)."""
    marks: dict[tuple[str, str], str] = {}
    for case in plan.cases:
        for model in plan.models:
            scores = {}
            for label in (CURRENT, AGAINST):
                picked = [cells[CellKey(label, case.name, model, r)] for r in range(1, plan.repeats + 1)]
                scores[label] = sum(c.score for c in picked) / len(picked)
            delta = scores[CURRENT] - scores[AGAINST]
            marks[(case.name, model)] = (
                "improved" if delta > 1e-9 else "regressed" if delta < -1e-9 else "unchanged"
            )
    return marks
