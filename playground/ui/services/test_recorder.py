"""QueuedRecorder: a test run's recorder whose writes go through the window's HistoryWriter.

Its own module so that the window's start-up does not load the evaluation code (assertions,
jsonschema, the runner) with the HistoryWriter: it is imported when a test run starts.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from playground.core.evaluation.runner import CellText
from playground.core.evaluation.store import Recorder, TestStore
from playground.ui.services.history_writer import HistoryWriter, Write

if TYPE_CHECKING:
    from playground.core.evaluation.runner import RunnerEvent, TestPlan
    from playground.core.history import RunHistory


class QueuedRecorder(Recorder):
    """A test run's recorder whose writes go through the HistoryWriter: each event is recorded, in
    order, on the worker thread by a Recorder on the worker's own connection."""

    def __init__(self, store: TestStore, test_run: int, plan: TestPlan, writer: HistoryWriter, path: Path):
        super().__init__(store, test_run, plan)
        self._writer, self._path = writer, path
        self._worker_side: Recorder | None = None  # made, and used, on the worker thread only

    def __call__(self, event: RunnerEvent) -> None:
        if isinstance(event, CellText):
            return  # a Recorder saves nothing for streamed text: no write (and no trip to the worker)
        self._writer.submit(
            Write(self._path, lambda history: self._record_there(history, event), what="a test cell")
        )

    def _record_there(self, history: RunHistory, event: RunnerEvent) -> None:
        if self._worker_side is None or self._worker_side.store.history is not history:
            recorder = Recorder(TestStore(history), self.test_run, self.plan)
            if self._worker_side is not None:
                recorder.run_ids = self._worker_side.run_ids  # the same history runs, reopened
            self._worker_side = recorder
        self._worker_side.record(event)  # a failure is the writer's to wait out or report
