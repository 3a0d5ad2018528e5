"""MatrixRun: a template test run for the window, on the network thread, drained by the FrameClock.

The runner (core) runs on the network thread; its events are queued and applied here on the
window's thread by the window's one FrameClock (within the frame's shared time budget, never once
per token), where each cell is saved to history as it ends; then, as a view of the clock, the run
tells the grid once per frame that cells changed. 900 answers stream without the window stalling.

Signals:
    changed(): cells changed since the last frame.
    finished(): the run ended (completed or stopped).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from playground.core.compare import ChatClient
from playground.core.evaluation import report
from playground.core.evaluation.cost import plan_cost
from playground.core.evaluation.runner import (
    BestJudged,
    Cell,
    CellDone,
    CellKey,
    CellStarted,
    CellText,
    RunnerEvent,
    TestPlan,
    TestRunner,
)
from playground.core.evaluation.store import Recorder
from playground.ui.net import frame_clock
from playground.ui.session import Session

log = logging.getLogger(__name__)
_END = object()


Share = tuple[int, int, Decimal, int]  # one cell's part of a Tally
_NOTHING: Share = (0, 0, Decimal(0), 0)


@dataclass
class Tally:
    """Running counts over a run's cells, kept as each cell changes: the progress, the summary line
    and Retry's button read them at once instead of walking every cell (900 of them) each time.

    What each cell added is kept, not worked out again: a cell object can change after it was
    counted (a select-best judge adds its verdict and cost to answers already done)."""

    finished: int = 0  # answered or failed (summarize's cells)
    passed: int = 0
    cost: Decimal = field(default_factory=lambda: Decimal(0))  # of the finished cells, judge included
    no_answer: int = 0  # errors and stops: what Retry failed sends again
    _shares: dict[CellKey, Share] = field(default_factory=dict)

    def count(self, cell: Cell) -> None:
        """``cell`` as it is now, in place of what its key added before."""
        old = self._shares.get(cell.key, _NOTHING)
        finished = cell.finished
        new: Share = (
            int(finished),
            int(cell.passed),  # passed only when done
            cell.total_cost if finished else Decimal(0),
            int(cell.state in ("error", "stopped")),
        )
        self._shares[cell.key] = new
        self.finished += new[0] - old[0]
        self.passed += new[1] - old[1]
        self.cost += new[2] - old[2]
        self.no_answer += new[3] - old[3]


class MatrixRun(QObject):
    """One test run's cells as the window sees them; Start, Stop and Retry failed act on it."""

    changed = Signal()
    finished = Signal()

    def __init__(self, session: Session, plan: TestPlan, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session, self.plan = session, plan
        self.cells: dict[CellKey, Cell] = {k: Cell(k) for k in plan.cell_keys()}
        self.tally = Tally()  # every cell is waiting: nothing counted yet
        self.texts: dict[CellKey, list[str]] = {}
        self.picks: list[BestJudged] = []
        self.running = False
        self.test_run: int | None = None
        self._recorder: Recorder | None = None
        self._runner: TestRunner | None = None
        self._events: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._batched: dict[CellKey, list[str]] = {}  # text the network thread has not queued yet
        self._touched = False  # cells changed since the grid was last told
        self._changed: set[CellKey] = set()  # which ones (take_changed)
        self._draining = False  # the clock still applies this run's events

    def estimate(self) -> tuple[Decimal, list[str]]:
        """The most the cells with no answer yet could cost. Repeats differ only in their seed, so each
        (version, case, model) is priced once and counted once per repeat: rendering the template for
        every one of 900 answers took ~150 ms of the window's thread at each change of the choices."""
        repeats: dict[CellKey, int] = {}  # repeat 1's key of each group: how many of it are missing
        for key, cell in self.cells.items():
            if cell.state != "done":
                first = CellKey(key.variant, key.case, key.model, 1)
                repeats[first] = repeats.get(first, 0) + 1
        total, unknown = Decimal(0), list[str]()
        catalog = self.session.models.catalog
        for key, count in repeats.items():
            cost, models = plan_cost(catalog, self.plan, [key])
            total += cost * count
            unknown += models * count
        return total, unknown

    def _client(self) -> ChatClient:
        """The session's client for every model of the plan and the judge (raises with the reason)."""
        models = [*self.plan.models, *([self.plan.judge] if self.plan.judge else [])]
        return self.session.runs.chat_client(models)

    def start(self, keys: Iterable[CellKey] | None = None) -> None:
        """Send every cell that has no answer yet (all of them the first time), or only ``keys``."""
        client = self._client()
        if self._recorder is None:
            self.test_run, self._recorder = self.session.runs.start_test_run(self.plan)
        done = [c for c in self.cells.values() if c.state == "done"]
        chosen = {k for k, c in self.cells.items() if c.state != "done" and (keys is None or k in set(keys))}
        for key in chosen:
            self._put(Cell(key))
            self.texts.pop(key, None)
        self._changed |= chosen
        runner = TestRunner(client, self.plan, done=done)
        runner.add_listener(self._from_network)
        self._runner, self.running = runner, True
        from playground.core.openrouter.pacing import unpaced  # (httpx: loaded by now)

        # answers there for their results: each read as it comes, none held for the next frame
        future = self.session.backend.net.submit(unpaced(runner.run(chosen)))
        future.add_done_callback(lambda f: self._from_network(_END))
        self._draining = True
        clock = frame_clock()
        clock.add_run(self, self._drain)
        clock.add_view(self, self._draw)
        self.changed.emit()

    def stop(self) -> None:
        if self._runner is not None and self.running:
            self.session.backend.net.call(self._runner.stop)

    def _from_network(self, event: object) -> None:
        """Network thread: a cell's text is batched (one event per cell per frame, not per token);
        anything else first queues the text before it, so the window sees every event in order."""
        with self._lock:
            if isinstance(event, CellText):
                self._batched.setdefault(event.key, []).append(event.text)
                return
            self._queue_batches()
        self._events.put(event)

    def _queue_batches(self) -> None:
        batches, self._batched = self._batched, {}
        for key, parts in batches.items():
            self._events.put(CellText(key, "".join(parts)))

    def _drain(self, deadline: float) -> bool:
        """The clock's run callback: apply what the network thread queued until ``deadline``.

        False once the run's end is applied (or the network thread stopped: nothing more comes)."""
        if self._events.empty():  # everything queued is applied: the text batched since is next
            with self._lock:
                self._queue_batches()
        while time.perf_counter() < deadline:
            try:
                event = self._events.get_nowait()
            except queue.Empty:
                break
            self._touched = True
            if event is _END:
                self._ended()
                break
            self._apply(event)  # type: ignore[arg-type]
        self._draining = self.running and self.session.backend.net.loop.is_running()
        return self._draining

    def _draw(self) -> bool:
        """The clock's view callback, after every run's events of the frame are applied: one
        ``changed`` per frame at most. False once the run has ended and its last change is told."""
        if self._touched:
            self._touched = False
            self.changed.emit()
        return self._draining

    def _apply(self, event: RunnerEvent) -> None:
        if self._recorder is not None:
            self._recorder(event)
        if isinstance(event, CellStarted):
            self.cells[event.key].state = "running"
            self.tally.count(self.cells[event.key])
            self.texts[event.key] = []
            self._changed.add(event.key)
        elif isinstance(event, CellText):
            self.texts.setdefault(event.key, []).append(event.text)
            self._changed.add(event.key)
        elif isinstance(event, CellDone):
            self._put(event.cell)
            self._changed.add(event.cell.key)
        elif isinstance(event, BestJudged):
            self.picks.append(event)

    def _put(self, cell: Cell) -> None:
        """A cell's new state: every one goes through here, so the tally stays true."""
        self.cells[cell.key] = cell
        self.tally.count(cell)

    def _ended(self) -> None:
        self.running = False
        for key, cell in list(self.cells.items()):
            if cell.state == "running" or (cell.state == "waiting" and self.test_run is not None):
                self._put(Cell(key, "stopped", error="stopped"))
                self._changed.add(key)
        if self._recorder is not None and self._recorder.warnings:
            self.session.notice.emit(self._recorder.warnings[0])
        self.session.runs.run_ended()
        self.finished.emit()

    def take_changed(self) -> set[CellKey]:
        """The cells changed since the last call: the grid redraws only those (and its summaries)."""
        changed, self._changed = self._changed, set()
        return changed

    def text(self, key: CellKey) -> str:
        return "".join(self.texts.get(key, []))

    @property
    def failed_cells(self) -> list[Cell]:
        """Cells with no answer (an error or a stop): what Retry failed sends again."""
        if not self.tally.no_answer:  # the usual case, known without walking every cell
            return []
        return [c for c in self.cells.values() if c.state in ("error", "stopped")]

    def export(self, path: Path, cells: Iterable[Cell] | None = None) -> None:
        """The grid as HTML (.html), JUnit XML (.xml) or CSV (anything else)."""
        chosen = list(cells if cells is not None else self.cells.values())
        suffix = path.suffix.lower()
        if suffix in (".html", ".htm"):
            body = report.html_report(self.plan, self.cells, f"{self.plan.name}: test run {self.test_run}")
        elif suffix == ".xml":
            body = report.junit_xml(self.plan, chosen, self.test_run)
        else:
            body = report.grid_csv(self.plan, self.cells)
        self.session.files.save_text(path, body)
