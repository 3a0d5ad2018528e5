"""RunService: comparisons (their clients and their record in history), past runs (list, read,
delete, export), blind votes and the leaderboard, and recording a test matrix's cells."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from playground.core.compare import ChatClient, CompareRequest
from playground.core.context import AppContext
from playground.core.errors import ConfigError, NoKeyError, PlaygroundError
from playground.ui.net import ThreadedRun
from playground.ui.services.keys import NO_KEY_WORDS

if TYPE_CHECKING:
    from playground.core.compare import PaneEvent
    from playground.core.evaluation.runner import TestPlan
    from playground.core.evaluation.store import Recorder
    from playground.core.history import RunHistory, RunRecord
    from playground.core.leaderboard import Vote
    from playground.ui.services.history_writer import HistoryWriter
    from playground.ui.session import Session

NO_ENDPOINT = "no such endpoint - add it in Keys > Endpoints"


class RunService:
    """Runs and what is kept of them; ``historyChanged`` / ``votesChanged`` after each change."""

    def __init__(self, ctx: AppContext, session: Session) -> None:
        self._ctx = ctx
        self._session = session
        self._writer: HistoryWriter | None = None

    @property
    def writer(self) -> HistoryWriter:
        """Writes that never wait on the window's thread; made with the first write (its module and
        its thread pool load after the window's first frame)."""
        if self._writer is None:
            from playground.ui.services.history_writer import HistoryWriter

            self._writer = HistoryWriter(self._session.notice.emit)
        return self._writer

    # ----- comparisons ----------------------------------------------------------------------

    def new_compare(self, request: CompareRequest, **record: Any) -> ThreadedRun:
        """A comparison on the backend's clients, recorded to history as each answer ends."""
        from playground.core.capabilities import with_image_output

        session = self._session
        request = with_image_output(request, session.models.catalog)  # image models are asked for images
        client = self.chat_client(p.model for p in request.panes)
        comparison = ThreadedRun(session.backend.net, client, request)
        comparison.run_id = None
        self._record(comparison, record)
        return comparison

    def _record(self, comparison: ThreadedRun, record: dict[str, Any]) -> None:
        """The run and each answer as it ends, written off the window's thread (HistoryWriter):
        a database another program keeps locked makes them wait, never the window."""
        from playground.core.compare import Stopped
        from playground.core.events import Failed, Finished
        from playground.core.library import sent_thread
        from playground.ui.services.history_writer import Write

        path, request = self.history_path(), comparison.request
        # the callers use record_run's names
        fields = {"template_version" if k == "version" else k: v for k, v in record.items()}

        # The run's row as the writer's thread wrote it: an answer's write reads it there, after it
        # (writes run in order), even when both were queued before the window heard back - an answer
        # that ended at once used to find ``comparison.run_id`` still None and was not saved.
        written: list[int] = []

        def start(history: RunHistory) -> int:
            written.append(history.start_run(request, **fields))
            return written[0]

        def started(run_id: int) -> None:
            comparison.run_id = run_id
            self._session.historyChanged.emit()

        self.writer.submit(Write(path, start, started))

        def on_event(pane_event: PaneEvent) -> None:
            if not isinstance(pane_event.event, Finished | Failed | Stopped):
                return
            pane, result = pane_event.pane, comparison.results[pane_event.pane]
            thread = sent_thread(request, pane)

            def save(history: RunHistory) -> None:
                if written:  # empty: the run itself could not be saved (said so)
                    history.save_answer(written[0], pane, result, thread=thread)

            self.writer.submit(Write(path, save, lambda _: self._session.historyChanged.emit()))

        comparison.add_listener(on_event)

    def history_path(self) -> Path:
        """The database runs are written to (the demo has its own)."""
        paths = self._ctx.paths
        return paths.demo_history_db if self._ctx.demo is not None else paths.history_db

    def chat_client(self, models: Iterable[str]) -> ChatClient:
        """What a run on the network thread (``session.backend.net``) streams these models through:
        each answer leases the backend's client for its model. Raises NoKeyError / ConfigError, with
        the reason, when a model has no client (no key, an endpoint unknown or unreachable)."""
        from playground.core.endpoints import split_ref

        session, keys, catalog = self._session, self._session.keys, self._session.models
        refs = [split_ref(model) for model in models]
        if (not session.openrouter_ready or keys.active is None) and any(ref is None for ref in refs):
            raise NoKeyError(keys.key_problem or NO_KEY_WORDS)
        for ref in refs:
            if ref is not None and ref[0] not in catalog.endpoint_ready:
                problem = catalog.endpoint_problems.get(ref[0], NO_ENDPOINT)
                raise ConfigError(f"Endpoint '{ref[0]}': {problem}")
        return session.backend.chat_client()

    def run_ended(self) -> None:
        """After a comparison: the key's figures changed, and maybe an alert's threshold was reached
        (counted once the run's last answers are written)."""
        self._session.keys.refresh_after_run()
        self.writer.then(self._written)

    def _written(self) -> None:
        self._session.historyChanged.emit()
        self._session.spend.refresh_alerts()

    async def close(self) -> None:
        """Write what is still queued (see HistoryWriter.close)."""
        if self._writer is not None:
            await self._writer.close()

    def start_test_run(self, plan: TestPlan) -> tuple[int, Recorder]:
        """A test run in history for ``plan`` (its version recorded too) and the recorder of its cells,
        which writes each cell off the window's thread (see HistoryWriter)."""
        from playground.core.evaluation.store import TestStore
        from playground.ui.services.test_recorder import QueuedRecorder

        history = self._ctx.history()
        current = plan.variants[0]  # the version under test is a saved version too
        history.record_version(plan.name, current.template.to_toml(), current.version)
        store = TestStore(history)
        test_run = store.create(plan)
        return test_run, QueuedRecorder(store, test_run, plan, self.writer, self.history_path())

    # ----- past runs ------------------------------------------------------------------------

    def list_runs(self, **filters: Any) -> list[RunRecord]:
        """Past runs, newest first (see RunHistory.list_runs for the filters)."""
        return self._ctx.history().list_runs(**filters)

    def get(self, run_id: int) -> RunRecord:
        """One run with its answers' texts and attachments."""
        return self._ctx.history().get_run(run_id)

    def delete(self, run_id: int) -> None:
        self._ctx.history().delete_run(run_id)
        self._session.historyChanged.emit()

    def totals_per_day(self, days: int) -> list[tuple[str, Decimal]]:
        return self._ctx.history().totals_per_day(days)

    def totals_per_model(self) -> list[tuple[str, Decimal]]:
        return self._ctx.history().totals_per_model()

    def templates_used(self) -> list[str]:
        return self._ctx.history().templates_used()

    def export(self, path: Path, runs: Sequence[RunRecord], fmt: str) -> None:
        """Runs through the one exporter ``history export`` uses, saved to ``path``."""
        from playground.core.history.export import export_from

        text = export_from(self._ctx.history(), runs, fmt, settings=self._ctx.settings.load())
        self._session.files.save_text(path, text)

    # ----- blind votes ------------------------------------------------------------------------

    def save_vote(self, run_id: int | None, kind: str, ranking: list[str]) -> bool:
        """Store a blind vote with its run (tagged with the run's template's tags)."""
        if run_id is None:
            self._session.notice.emit("This run is not in history, so the vote cannot be kept.")
            return False
        try:
            history = self._ctx.history()
            template = history.get_run(run_id).template
            history.save_vote(run_id, kind, ranking, tags=self._tags(template))
        except PlaygroundError as exc:
            self._session.notice.emit(f"The vote was not saved: {exc}")
            return False
        self._session.votesChanged.emit()
        return True

    def _tags(self, template: str | None) -> tuple[str, ...]:
        if not template:
            return ()
        try:
            return self._ctx.templates.get(template).tags
        except PlaygroundError:
            return ()  # the template was renamed or deleted since: keep the vote untagged

    def leaderboard_votes(self, *, template: str | None = None, tag: str | None = None) -> list[Vote]:
        return self._ctx.history().votes(template=template, tag=tag)

    def judge_votes(self, *, template: str | None = None) -> list[Vote]:
        """A judge's select-best picks from template tests: the leaderboard's own scope."""
        from playground.core.evaluation.store import TestStore

        return TestStore(self._ctx.history()).judge_votes(template=template)
