"""CatalogService: the model catalog (cached, then refreshed), other endpoints and their models, and
the checks a pane's model gets before sending (unknown model, the pane's notes)."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from playground.core.context import AppContext
from playground.core.errors import ApiError, PlaygroundError

if TYPE_CHECKING:  # the catalog's module loads with the catalog, after the window's first frame
    from playground.core.catalog import ModelCatalog, ModelInfo
    from playground.core.context import ClientSpec
    from playground.core.endpoints import Endpoint
    from playground.core.preflight import PaneDraft
    from playground.ui.backend import StreamBackend
    from playground.ui.session import Session

log = logging.getLogger(__name__)

ROUTING_OFFER = "tick 'honour every parameter' in the pane's Routing"
UNREADABLE_REMEDY = "remove them or pick a model with image input"


class CatalogService:
    """The models the window offers: OpenRouter's and each endpoint's, in one catalog."""

    def __init__(self, ctx: AppContext, session: Session) -> None:
        self._ctx = ctx
        self._session = session
        self.catalog: ModelCatalog | None = None
        self.endpoint_models: list[ModelInfo] = []  # other endpoints' models, merged into the catalog
        self.endpoint_specs: dict[str, ClientSpec] = {}  # what each endpoint's client is built from
        self.endpoint_ready: set[str] = set()  # endpoints the backend has a client for
        self.endpoint_problems: dict[str, str] = {}

    @property
    def base_url(self) -> str:
        """OpenRouter's base URL in use (the simulator's in the demo)."""
        return self._ctx.base_url

    def load_cached(self) -> None:
        """The catalog from the cache, at once (the refresh comes later)."""
        cached = self._ctx.catalog_cache.load()
        self.catalog = self._with_endpoints(cached) if cached is not None else None
        if self.catalog is not None:
            self._session.catalogChanged.emit()
            self._emit_catalog_age()

    async def refresh_catalog(self) -> None:
        from playground.core.catalog import refresh_catalog
        from playground.ui.backend import OPENROUTER  # with the network thread, after the first frame

        session = self._session
        session.catalogStatus.emit("refreshing...")
        problem = (await session.configure_backend()).get(OPENROUTER)  # the base URL may have changed
        if problem is not None:
            session.catalogStatus.emit(problem)
            return
        try:
            source = _ModelList(session.backend, OPENROUTER)
            self.catalog = self._with_endpoints(await refresh_catalog(source, self._ctx.catalog_cache))
        except (ApiError, PlaygroundError) as exc:
            log.info("catalog refresh failed: %s", exc)
            self._emit_catalog_age(offline=True)
            return
        session.catalogChanged.emit()
        session.catalogStatus.emit("updated just now")

    def _with_endpoints(self, catalog: ModelCatalog) -> ModelCatalog:
        """OpenRouter's models and the endpoints' ones, in one list for the panes and the browser."""
        from playground.core.catalog import ModelCatalog
        from playground.core.endpoints import split_ref

        own = [m for m in catalog.models if split_ref(m.id) is None]
        return ModelCatalog([*own, *self.endpoint_models], catalog.fetched_at, catalog.changes)

    def _emit_catalog_age(self, *, offline: bool = False) -> None:
        from playground.core.catalog import describe_age

        status = self._session.catalogStatus
        if self.catalog is None or self.catalog.fetched_at is None:
            status.emit("offline - no model list yet" if offline else "")
            return
        age = describe_age(time.time() - self.catalog.fetched_at)
        status.emit(f"offline - cached {age}" if offline else f"updated {age}")

    # ----- other endpoints ------------------------------------------------------------------

    async def refresh_endpoints(self) -> None:
        """List each endpoint's models (with its own key) and prepare its client for comparisons."""
        from playground.ui.backend import OPENROUTER

        endpoints = self._ctx.endpoints.load()
        specs: dict[str, ClientSpec] = {}
        problems: dict[str, str] = {}
        for endpoint in endpoints:
            try:
                specs[endpoint.name] = await self._ctx.endpoint_spec(endpoint)
            except PlaygroundError as exc:
                problems[endpoint.name] = str(exc)
        self.endpoint_specs = specs
        problems |= {k: v for k, v in (await self._session.configure_backend()).items() if k != OPENROUTER}
        models = await self._endpoint_models(endpoints, problems)
        self.endpoint_problems = problems
        self.endpoint_models = models
        for name, problem in self.endpoint_problems.items():
            self._session.notice.emit(f"Endpoint '{name}': {problem}")
        if self.catalog is None and not models:
            return  # nothing to show yet: OpenRouter's list is still on its way
        from playground.core.catalog import ModelCatalog

        self.catalog = self._with_endpoints(self.catalog or ModelCatalog([]))
        self._session.catalogChanged.emit()

    async def _endpoint_models(self, endpoints: list[Endpoint], problems: dict[str, str]) -> list[ModelInfo]:
        from playground.core.endpoints import catalog_entries

        models: list[ModelInfo] = []
        for endpoint in (e for e in endpoints if e.name in self.endpoint_ready):
            try:
                listed = await _ModelList(self._session.backend, endpoint.name).models()
                models += catalog_entries(endpoint, listed)
            except ApiError as exc:
                problems[endpoint.name] = f"could not list its models: {exc}"
        return models

    def endpoints(self) -> list[Endpoint]:
        return self._ctx.endpoints.load()

    def endpoint_model_count(self, name: str) -> int:
        return sum(1 for m in self.endpoint_models if m.id.startswith(f"@{name}/"))

    async def add_endpoint(self, name: str, url: str, key: str | None) -> Endpoint:
        """Add or replace an endpoint (its key to the keyring, bound to it), then list its models."""
        endpoint = await self._ctx.add_endpoint(name, url, key)
        await self.refresh_endpoints()
        return endpoint

    async def remove_endpoint(self, name: str) -> None:
        await self._ctx.remove_endpoint(name)
        await self.refresh_endpoints()

    # ----- preflight: the checks before sending (core/preflight.py, shared with the CLI) ----------

    def unknown_model(self, model: str) -> bool:
        """A model id the loaded catalog does not list (the demo's named faults excepted)."""
        from playground.core.preflight import is_unknown_model

        return is_unknown_model(model, self.catalog, demo=self._ctx.demo is not None)

    def pane_notes(self, draft: PaneDraft, *, all_notes: bool) -> list[str]:
        """The pane's findings in the window's words; without ``all_notes`` only those that block."""
        from playground.core.preflight import FindingKind, check_pane

        info = self.catalog.get(draft.model) if self.catalog else None
        findings = check_pane(draft, info, offer=ROUTING_OFFER, all_notes=all_notes)
        remedy = {FindingKind.UNREADABLE: f" - {UNREADABLE_REMEDY}"}
        return [f.text + remedy.get(f.kind, "") for f in findings]


class _ModelList:
    """``models()`` of one of the backend's clients, called from the window's loop (catalog refresh)."""

    def __init__(self, backend: StreamBackend, name: str) -> None:
        self._backend = backend
        self._name = name

    async def models(self) -> list[Any]:
        return await self._backend.call(self._name, lambda client: client.models())
