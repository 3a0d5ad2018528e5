"""Session: the window's link to the core - its lifecycle, the network thread and the shared signals.

Widgets never reach the AppContext: they call the Session's typed services, which do the I/O.

    session.keys       KeyService       the key in use, the keyring, the key dialog's actions
    session.models     CatalogService   the model catalog, other endpoints, the checks before sending
    session.runs       RunService       comparisons, history, blind votes, test-matrix recording
    session.spend      SpendService     alert thresholds, alerts, the spend report
    session.templates  TemplateService  the template library: files, versions, save/delete/restore
    session.settings   SettingsService  typed settings reads; writes that report instead of raising
    session.files      FileService      exports, attachments, the log folder, the window's state file

Signals:
    keyChanged(str): a sentence naming the key in use and its source (never the key).
    keysChanged(): the saved keys or the key in use changed (the key dialog lists them again).
    creditChanged(str): remaining credit / usage for the status bar, "" when unknown.
    catalogChanged(): the model catalog was loaded or refreshed.
    catalogStatus(str): "updated 3 min ago", "offline - cached 2 days ago", "refreshing...".
    notice(str): a transient message for the status bar.
    templatesChanged(): a template was saved, renamed, deleted or restored.
    historyChanged(): a run was added or deleted.
    votesChanged(): a blind vote was saved.
    alertsChanged(list[Alert]): the spend alerts at or past their threshold now.
"""

from __future__ import annotations

import logging
from collections.abc import Coroutine
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from playground.core.context import AppContext
from playground.core.errors import PlaygroundError
from playground.ui.services.catalog import CatalogService
from playground.ui.services.files import FileService
from playground.ui.services.keys import KeyService
from playground.ui.services.runs import RunService
from playground.ui.services.settings import SettingsService
from playground.ui.services.spend import SpendService
from playground.ui.services.templates import TemplateService

if TYPE_CHECKING:  # asyncio and the network thread load after the window's first frame
    import asyncio

    from playground.ui.backend import BackendConfig, StreamBackend

log = logging.getLogger(__name__)

DEMO_URL_SHOWN = "https://openrouter.ai/api/v1"  # what "copy as code" shows in the demo


class Session(QObject):
    """One window's services, its background tasks and its network thread (StreamBackend).

    The HTTP clients belong to the StreamBackend on the network thread: the session hands it plain
    client specs (``configure_backend``) and asks it for one-off calls; it never holds a client.
    """

    keyChanged = Signal(str)
    keysChanged = Signal()
    creditChanged = Signal(str)
    catalogChanged = Signal()
    catalogStatus = Signal(str)
    notice = Signal(str)
    templatesChanged = Signal()
    historyChanged = Signal()
    votesChanged = Signal()
    alertsChanged = Signal(list)

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.closed = False
        self.openrouter_ready = False  # the backend has an OpenRouter client (with or without a key)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._backend: StreamBackend | None = None  # the network thread; started on first use
        self.settings = SettingsService(ctx, self)
        self.files = FileService(ctx, self)
        self.keys = KeyService(ctx, self)
        self.models = CatalogService(ctx, self)
        self.spend = SpendService(ctx, self)
        self.runs = RunService(ctx, self)
        self.templates = TemplateService(ctx, self)

    # ----- background work -----------------------------------------------------------------

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str = "") -> asyncio.Task[Any]:
        """Run in the background; the task is kept referenced until done and errors are logged."""
        import asyncio

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
        self.models.load_cached()
        try:
            self._ctx.history()  # opened now, so a damaged database is set aside (and reported) at start
        except PlaygroundError as exc:
            self._ctx.warnings.append(str(exc))
        self.spawn(self.models.refresh_catalog(), "catalog-refresh")
        self.spawn(self.models.refresh_endpoints(), "endpoints")
        await self.keys.load_key()
        self.keys.watch_key_settings()

    async def close(self) -> None:
        import asyncio

        self.closed = True
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.runs.close()
        if self._backend is not None:
            await self._backend.close()
            self._backend = None

    # ----- the demo and the start-up warnings -------------------------------------------------

    @property
    def demo(self) -> bool:
        """Running on the built-in simulator (no key, no network)."""
        return self._ctx.demo is not None

    def start_demo(self) -> None:
        """Switch to the built-in simulator; the caller then loads the key and the catalog again."""
        self._ctx.start_demo()

    def warnings(self) -> list[str]:
        """Files set aside or unreadable at start-up (settings, cache, history), in words."""
        return list(self._ctx.warnings)

    def code_base_url(self) -> str:
        """The base URL "copy as code" writes (OpenRouter's own in the demo)."""
        return DEMO_URL_SHOWN if self.demo else self._ctx.base_url

    # ----- the network thread's clients --------------------------------------------------------

    @property
    def backend(self) -> StreamBackend:
        """The network thread and its clients (started on first use, after the window is up)."""
        if self._backend is None:
            from playground.ui.backend import StreamBackend

            self._backend = StreamBackend()
        return self._backend

    def _backend_config(self) -> BackendConfig:
        """The clients wanted now, from the key in use, the settings and the endpoints."""
        from playground.ui.backend import OPENROUTER, BackendConfig

        clients = {OPENROUTER: self._ctx.client_spec(self.keys.active)}
        for name, spec in self.models.endpoint_specs.items():  # the settings (prompt logging) may change
            config = self._ctx.client_config(spec.config.base_url, key_required=False)
            clients[name] = replace(spec, config=config)
        return BackendConfig(clients)

    async def configure_backend(self) -> dict[str, str]:
        """Hand the backend the clients wanted now; running answers keep the clients they have."""
        from playground.ui.backend import OPENROUTER

        problems = await self.backend.configure(self._backend_config())
        self.openrouter_ready = OPENROUTER not in problems
        self.models.endpoint_ready = {name for name in self.models.endpoint_specs if name not in problems}
        return problems
