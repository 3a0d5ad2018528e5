"""Session: the window's link to the core. Widgets call it; it does the I/O and emits signals.

Signals:
    keyChanged(str): a sentence naming the key in use and its source (never the key).
    keysChanged(): the saved keys or the key in use changed (the key dialog lists them again).
    creditChanged(str): remaining credit / usage for the status bar, "" when unknown.
    catalogChanged(): the model catalog was loaded or refreshed.
    catalogStatus(str): "updated 3 min ago", "offline - cached 2 days ago", "refreshing...".
    notice(str): a transient message for the status bar.
    templatesChanged(): a template was saved, renamed, deleted or restored.
    historyChanged(): a run was added or deleted.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine, Iterable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from playground.core.account import KeyInfo
from playground.core.atomic import atomic_write
from playground.core.attachments import Attachment, load_attachment
from playground.core.catalog import ModelCatalog, ModelInfo, describe_age
from playground.core.compare import ChatClient, CompareRequest
from playground.core.context import AppContext
from playground.core.errors import ApiError, ConfigError, NoKeyError, PlaygroundError
from playground.ui.backend import OPENROUTER, BackendConfig, StreamBackend
from playground.ui.net import ThreadedRun
from playground.ui.session_keys import NO_KEY_WORDS, SessionKeys

# httpx, SQLite and the TOML modules load on first use, after the window is on screen.
if TYPE_CHECKING:
    from playground.core.context import ClientSpec
    from playground.core.endpoints import Endpoint
    from playground.core.history import RunRecord, TemplateVersion
    from playground.core.leaderboard import Vote
    from playground.core.library import TemplateLibrary
    from playground.core.preflight import PaneDraft
    from playground.core.spend import Alert, SpendReport, Thresholds
    from playground.core.templates import PromptTemplate, TemplateEntry

log = logging.getLogger(__name__)

KEY_REFRESH_DELAY = 2.0  # seconds after a comparison before the key's figures are read again
ROUTING_OFFER = "tick 'honour every parameter' in the pane's Routing"
UNREADABLE_REMEDY = "remove them or pick a model with image input"


class Session(SessionKeys, QObject):
    """Key, clients and catalog for one window; every network or keyring call goes through here.
    The key's part (which key, the keyring's states, the key dialog's actions) is in SessionKeys.

    The HTTP clients belong to the StreamBackend on the network thread: the session hands it plain
    client specs (``_configure_backend``) and asks it for one-off calls; it never holds a client.
    """

    keyChanged = Signal(str)
    keysChanged = Signal()  # the saved keys or the key in use changed
    creditChanged = Signal(str)
    catalogChanged = Signal()
    catalogStatus = Signal(str)
    notice = Signal(str)
    templatesChanged = Signal()
    historyChanged = Signal()
    votesChanged = Signal()
    alertsChanged = Signal(list)  # list[Alert]: the spend alerts at or past their threshold now

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._init_keys(ctx)
        self.openrouter_ready = False  # the backend has an OpenRouter client (with or without a key)
        self.catalog: ModelCatalog | None = None
        self.key_info: KeyInfo | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self.closed = False
        self._backend: StreamBackend | None = None  # the network thread; started on first use
        self.started_at = time.time()  # "this session" in the spend figures
        self.endpoint_models: list[ModelInfo] = []  # other endpoints' models, merged into the catalog
        self.endpoint_specs: dict[str, ClientSpec] = {}  # what each endpoint's client is built from
        self.endpoint_ready: set[str] = set()  # endpoints the backend has a client for
        self.endpoint_problems: dict[str, str] = {}
        self.alerts: list[Alert] = []
        self._key_refresh: asyncio.Task[Any] | None = None

    # ----- background work -----------------------------------------------------------------

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str = "") -> asyncio.Task[Any]:
        """Run in the background; the task is kept referenced until done and errors are logged."""
        task = asyncio.get_event_loop().create_task(coro, name=name or None)
        if self.closed:
            task.cancel()  # asked for while closing (a dialog refreshing, say): nothing may start now
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            log.error("background task %s failed: %s", task.get_name(), type(exc).__name__, exc_info=exc)
            self.notice.emit(f"Something went wrong in the background ({type(exc).__name__}); see the log.")

    async def start(self) -> None:
        """Catalog from the cache at once, then the key, then a refresh in the background."""
        cached = self.ctx.catalog_cache.load()
        self.catalog = self._with_endpoints(cached) if cached is not None else None
        try:
            self.ctx.history()  # opened now, so a damaged database is set aside (and reported) at start
        except PlaygroundError as exc:
            self.ctx.warnings.append(str(exc))
        if self.catalog is not None:
            self.catalogChanged.emit()
            self._emit_catalog_age()
        self.spawn(self.refresh_catalog(), "catalog-refresh")
        self.spawn(self.refresh_endpoints(), "endpoints")
        await self.load_key()
        self.watch_key_settings()

    async def close(self) -> None:
        self.closed = True
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._backend is not None:
            await self._backend.close()
            self._backend = None

    # ----- the network thread's clients --------------------------------------------------------

    @property
    def backend(self) -> StreamBackend:
        """The network thread and its clients (started on first use, after the window is up)."""
        if self._backend is None:
            self._backend = StreamBackend()
        return self._backend

    def _backend_config(self) -> BackendConfig:
        """The clients wanted now, from the key in use, the settings and the endpoints."""
        clients = {OPENROUTER: self.ctx.client_spec(self.active)}
        for name, spec in self.endpoint_specs.items():  # the settings (prompt logging) may have changed
            config = self.ctx.client_config(spec.config.base_url, key_required=False)
            clients[name] = replace(spec, config=config)
        return BackendConfig(clients)

    async def _configure_backend(self) -> dict[str, str]:
        """Hand the backend the clients wanted now; running answers keep the clients they have."""
        problems = await self.backend.configure(self._backend_config())
        self.openrouter_ready = OPENROUTER not in problems
        self.endpoint_ready = {name for name in self.endpoint_specs if name not in problems}
        return problems

    # ----- catalog --------------------------------------------------------------------------

    async def refresh_catalog(self) -> None:
        from playground.core.catalog import refresh_catalog

        self.catalogStatus.emit("refreshing...")
        problem = (await self._configure_backend()).get(OPENROUTER)  # the base URL may have changed
        if problem is not None:
            self.catalogStatus.emit(problem)
            return
        try:
            source = _ModelList(self.backend, OPENROUTER)
            self.catalog = self._with_endpoints(await refresh_catalog(source, self.ctx.catalog_cache))
        except (ApiError, PlaygroundError) as exc:
            log.info("catalog refresh failed: %s", exc)
            self._emit_catalog_age(offline=True)
            return
        self.catalogChanged.emit()
        self.catalogStatus.emit("updated just now")

    def _with_endpoints(self, catalog: ModelCatalog) -> ModelCatalog:
        """OpenRouter's models and the endpoints' ones, in one list for the panes and the browser."""
        from playground.core.endpoints import split_ref

        own = [m for m in catalog.models if split_ref(m.id) is None]
        return ModelCatalog([*own, *self.endpoint_models], catalog.fetched_at, catalog.changes)

    # ----- other endpoints ------------------------------------------------------------------

    async def refresh_endpoints(self) -> None:
        """List each endpoint's models (with its own key) and prepare its client for comparisons."""
        from playground.core.endpoints import catalog_entries

        endpoints = self.ctx.endpoints.load()
        specs: dict[str, ClientSpec] = {}
        problems: dict[str, str] = {}
        for endpoint in endpoints:
            try:
                specs[endpoint.name] = await self.ctx.endpoint_spec(endpoint)
            except PlaygroundError as exc:
                problems[endpoint.name] = str(exc)
        self.endpoint_specs = specs
        problems |= {k: v for k, v in (await self._configure_backend()).items() if k != OPENROUTER}
        models: list[ModelInfo] = []
        for endpoint in (e for e in endpoints if e.name in self.endpoint_ready):
            try:
                models += catalog_entries(endpoint, await _ModelList(self.backend, endpoint.name).models())
            except ApiError as exc:
                problems[endpoint.name] = f"could not list its models: {exc}"
        self.endpoint_problems = problems
        self.endpoint_models = models
        for name, problem in self.endpoint_problems.items():
            self.notice.emit(f"Endpoint '{name}': {problem}")
        if self.catalog is None and not models:
            return  # nothing to show yet: OpenRouter's list is still on its way
        self.catalog = self._with_endpoints(self.catalog or ModelCatalog([]))
        self.catalogChanged.emit()

    def endpoints(self) -> list[Endpoint]:
        return self.ctx.endpoints.load()

    async def add_endpoint(self, name: str, url: str, key: str | None) -> Endpoint:
        """Add or replace an endpoint (its key to the keyring, bound to it), then list its models."""
        endpoint = await self.ctx.add_endpoint(name, url, key)
        await self.refresh_endpoints()
        return endpoint

    async def remove_endpoint(self, name: str) -> None:
        await self.ctx.remove_endpoint(name)
        await self.refresh_endpoints()

    def _emit_catalog_age(self, *, offline: bool = False) -> None:
        if self.catalog is None or self.catalog.fetched_at is None:
            self.catalogStatus.emit("offline - no model list yet" if offline else "")
            return
        age = describe_age(time.time() - self.catalog.fetched_at)
        self.catalogStatus.emit(f"offline - cached {age}" if offline else f"updated {age}")

    # ----- comparisons ----------------------------------------------------------------------

    def new_compare(self, request: CompareRequest, **record: Any) -> ThreadedRun:
        """A comparison on the backend's clients, recorded to history as each answer ends."""
        from playground.core.capabilities import with_image_output
        from playground.core.library import record_run

        request = with_image_output(request, self.catalog)  # image models are asked for images
        client = self.chat_client(p.model for p in request.panes)
        comparison = ThreadedRun(self.backend.net, client, request)
        comparison.run_id = None
        try:
            comparison.run_id = record_run(self.ctx.history(), comparison, **record)
        except PlaygroundError as exc:
            self.notice.emit(f"This run will not be saved to history: {exc}")
        self.historyChanged.emit()
        return comparison

    def chat_client(self, models: Iterable[str]) -> ChatClient:
        """What a run on the network thread (``self.backend.net``) streams these models through: each
        answer leases the backend's client for its model. Raises NoKeyError / ConfigError, with the
        reason, when a model has no client (no key, an endpoint unknown or unreachable)."""
        from playground.core.endpoints import split_ref

        refs = [split_ref(model) for model in models]
        if (not self.openrouter_ready or self.active is None) and any(ref is None for ref in refs):
            raise NoKeyError(self.key_problem or NO_KEY_WORDS)
        for ref in refs:
            if ref is not None and ref[0] not in self.endpoint_ready:
                problem = self.endpoint_problems.get(ref[0], "no such endpoint - add it in Keys > Endpoints")
                raise ConfigError(f"Endpoint '{ref[0]}': {problem}")
        return self.backend.chat_client()

    def run_ended(self) -> None:
        """After a comparison: the key's figures changed, and maybe an alert's threshold was reached.
        The key is asked a moment later (OpenRouter's figures lag the answer anyway), once for a burst
        of runs, and never in the middle of closing the window."""
        self.historyChanged.emit()
        self.refresh_alerts()
        if self.active is None:
            return
        if self._key_refresh is not None and not self._key_refresh.done():
            self._key_refresh.cancel()
        self._key_refresh = self.spawn(self._refresh_key_info_later(), "key-info-after-run")

    async def _refresh_key_info_later(self) -> None:
        await asyncio.sleep(KEY_REFRESH_DELAY)
        await self.refresh_key_info()

    # ----- blind votes ------------------------------------------------------------------------

    def save_vote(self, run_id: int | None, kind: str, ranking: list[str]) -> bool:
        """Store a blind vote with its run (tagged with the run's template's tags)."""
        if run_id is None:
            self.notice.emit("This run is not in history, so the vote cannot be kept.")
            return False
        try:
            history = self.ctx.history()
            template = history.get_run(run_id).template
            tags: tuple[str, ...] = ()
            if template:
                try:
                    tags = self.ctx.templates.get(template).tags
                except PlaygroundError:
                    tags = ()  # the template was renamed or deleted since: keep the vote untagged
            history.save_vote(run_id, kind, ranking, tags=tags)
        except PlaygroundError as exc:
            self.notice.emit(f"The vote was not saved: {exc}")
            return False
        self.votesChanged.emit()
        return True

    def set_blind_show_speed(self, on: bool) -> None:
        try:
            self.ctx.settings.update(blind_show_speed=on)
        except PlaygroundError as exc:
            self.notice.emit(str(exc))

    def leaderboard_votes(self, *, template: str | None = None, tag: str | None = None) -> list[Vote]:
        return self.ctx.history().votes(template=template, tag=tag)

    def judge_votes(self, *, template: str | None = None) -> list[Vote]:
        """A judge's select-best picks from template tests: the leaderboard's own scope."""
        from playground.core.evaluation.store import TestStore

        return TestStore(self.ctx.history()).judge_votes(template=template)

    # ----- preflight: the checks before sending (core/preflight.py, shared with the CLI) ----------

    def unknown_model(self, model: str) -> bool:
        """A model id the loaded catalog does not list (the demo's named faults excepted)."""
        from playground.core.preflight import is_unknown_model

        return is_unknown_model(model, self.catalog, demo=self.ctx.demo is not None)

    def pane_notes(self, draft: PaneDraft, *, all_notes: bool) -> list[str]:
        """The pane's findings in the window's words; without ``all_notes`` only those that block."""
        from playground.core.preflight import FindingKind, check_pane

        info = self.catalog.get(draft.model) if self.catalog else None
        findings = check_pane(draft, info, offer=ROUTING_OFFER, all_notes=all_notes)
        remedy = {FindingKind.UNREADABLE: f" - {UNREADABLE_REMEDY}"}
        return [f.text + remedy.get(f.kind, "") for f in findings]

    # ----- spend watch -------------------------------------------------------------------------

    def thresholds(self) -> Thresholds:
        from playground.core.spend import Thresholds

        return Thresholds.from_settings(self.ctx.settings.load())

    def spend_report(self, days: int = 30) -> SpendReport:
        from playground.core.spend import spend_report

        return spend_report(
            self.ctx.history(),
            days=days,
            session_since=self.started_at,
            key_info=self.key_info,
            thresholds=self.thresholds(),
        )

    def estimate_alerts(self, estimate: Decimal) -> list[Alert]:
        from playground.core.preflight import spend_cap
        from playground.core.spend import Alert, AlertKind

        finding = spend_cap(self.thresholds(), estimate)
        return [Alert(AlertKind.ESTIMATE, finding.text)] if finding else []

    def refresh_alerts(self) -> None:
        from playground.core.spend import check_alerts, spend_report

        try:
            today = spend_report(self.ctx.history(), days=1).today
        except PlaygroundError:
            today = None
        self.alerts = check_alerts(self.thresholds(), key_info=self.key_info, spent_today=today)
        self.alertsChanged.emit(self.alerts)

    def save_alerts(self, remaining: float | None, daily: float | None, estimate: float | None) -> None:
        """Store the alert thresholds (None = off) and re-check them now."""
        try:
            self.ctx.settings.update(
                alert_remaining_below_usd=remaining, alert_daily_spend_usd=daily, spend_cap_usd=estimate
            )
        except PlaygroundError as exc:
            self.notice.emit(str(exc))
            return
        self.refresh_alerts()

    # ----- files the window writes or watches ------------------------------------------------

    def save_text(self, path: Path, text: str) -> None:
        """An export, written atomically; raises PlaygroundError with the reason."""
        try:
            atomic_write(path, text)
        except OSError as exc:
            raise PlaygroundError(f"Could not save {path}: {exc.strerror}.") from None

    async def set_log_prompts(self, on: bool) -> None:
        """The "log prompts and answers" switch; new requests follow it (the clients are rebuilt)."""
        try:
            self.ctx.settings.update(log_prompts=on)
        except PlaygroundError as exc:
            self.notice.emit(str(exc))
            return
        await self._rebuild_client()
        self.notice.emit(
            "Prompts and answers will be logged." if on else "Prompts and answers are not logged."
        )

    def load_attachment(self, path: Path) -> Attachment:
        """A file to attach, read and checked; raises AttachmentError with the reason."""
        return load_attachment(path)

    def log_folder(self) -> Path:
        folder = self.ctx.paths.log_dir
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def template_watch_paths(self) -> list[str]:
        """The templates folder and its files, for a file watcher."""
        folder = self.ctx.templates.folder
        return [str(folder), *(str(p) for p in folder.glob("*.toml"))] if folder.is_dir() else []

    # ----- templates and history ------------------------------------------------------------

    @property
    def library(self) -> TemplateLibrary:
        return self.ctx.library()

    def template_entries(self) -> list[TemplateEntry]:
        return self.ctx.templates.entries()

    def save_template(
        self, template: PromptTemplate, *, replacing: str | None, note: str = "", expected: str | None = None
    ) -> TemplateVersion:
        version = self.library.save(template, replacing=replacing, note=note, expected=expected)
        self.templatesChanged.emit()
        return version

    def delete_template(self, name: str) -> Path:
        trashed = self.ctx.templates.delete(name)
        self.templatesChanged.emit()
        return trashed

    def undo_delete_template(self, trashed: Path) -> None:
        self.ctx.templates.undo_delete(trashed)
        self.templatesChanged.emit()

    def restore_version(self, name: str, ref: str) -> None:
        self.library.restore(name, ref)
        self.templatesChanged.emit()

    def runs(self, **filters: Any) -> list[RunRecord]:
        return self.ctx.history().list_runs(**filters)

    def delete_run(self, run_id: int) -> None:
        self.ctx.history().delete_run(run_id)
        self.historyChanged.emit()


class _ModelList:
    """``models()`` of one of the backend's clients, called from the window's loop (catalog refresh)."""

    def __init__(self, backend: StreamBackend, name: str) -> None:
        self._backend = backend
        self._name = name

    async def models(self) -> list[Any]:
        return await self._backend.call(self._name, lambda client: client.models())
