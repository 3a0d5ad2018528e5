"""Which models the panes offer and start with: the catalog in every pane's picker, the defaults,
the model browser, favourites, and switching to the demo's simulated models.

Signals:
    modelsChanged(): the models on offer changed (the estimate follows).
    demoStarted(): the window now talks to the built-in simulator.
    message(str, int): words for the status bar, and for how many milliseconds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from playground.core.format import context, per_million
from playground.ui.compare_view import CompareView
from playground.ui.session import Session

if TYPE_CHECKING:
    from playground.core.catalog import ModelInfo
    from playground.ui.model_browser import ModelBrowser

DEMO_MODELS = ["sim/quick-mini", "sim/balanced-pro", "sim/deep-reasoner"]
PREFERRED = ["openai/gpt-4o-mini", "anthropic/claude-3.5-haiku", "google/gemini-2.0-flash-001"]


class ModelChoice(QObject):
    """The models on offer in ``compare``'s panes, and the model browser over ``window``."""

    modelsChanged = Signal()
    demoStarted = Signal()
    message = Signal(str, int)

    def __init__(self, session: Session, compare: CompareView, window: QWidget) -> None:
        super().__init__(window)
        self.session = session
        self.compare = compare
        self._window = window
        self.browser: ModelBrowser | None = None
        self.status = ""  # how fresh the catalog is, in words

    def catalog_status(self, text: str) -> None:
        self.status = text
        if self.browser is not None:
            self.browser.set_status(text)

    def catalog_changed(self) -> None:
        """Every picker offers favourites, recent models, then the whole catalog; empty panes get the
        defaults."""
        catalog = self.session.models.catalog
        if catalog is None:
            return
        settings = self.session.settings.load()
        ids = [*settings.favourite_models, *settings.recent_models, *sorted(m.id for m in catalog.models)]
        self.compare.set_model_ids(list(dict.fromkeys(ids)), {m.id: model_words(m) for m in catalog.models})
        if self.browser is not None:
            self.browser.set_catalog(catalog, set(settings.favourite_models))
        if not any(self.compare.models()):
            self._fill(self._default_models())
        self.modelsChanged.emit()

    def _default_models(self) -> list[str]:
        if self.session.demo:
            return DEMO_MODELS
        catalog = self.session.models.catalog
        settings = self.session.settings.load()
        chosen = [m for m in [*settings.default_models, *PREFERRED] if catalog is None or catalog.get(m)]
        return chosen[:3]

    def _fill(self, models: list[str]) -> None:
        for pane, model in zip(self.compare.panes, models, strict=False):
            pane.modelSelector.setEditText(model)

    def set_pane_models(self, models: list[str]) -> None:
        """Exactly one pane per model, in order."""
        while len(self.compare.panes) < len(models):
            self.compare.add_pane("")
        while len(self.compare.panes) > len(models):
            self.compare.remove_pane(self.compare.panes[-1])
        self._fill(models)

    def add_models(self, ids: list[str]) -> None:
        """Fill empty panes first, then add panes for the rest."""
        empty = [p for p in self.compare.panes if not p.model]
        for model in ids:
            if empty:
                empty.pop(0).modelSelector.setEditText(model)
            else:
                self.compare.add_pane(model)

    def start_demo(self) -> None:
        self.session.start_demo()
        self.demoStarted.emit()
        self.session.spawn(self._reload_for_demo(), "demo")

    async def _reload_for_demo(self) -> None:
        await self.session.keys.load_key()
        await self.session.models.refresh_catalog()
        self._fill(DEMO_MODELS)

    def show_browser(self) -> ModelBrowser:
        from playground.ui.model_browser import ModelBrowser

        if self.browser is None:
            self.browser = ModelBrowser(self._window)
            self.browser.modelsChosen.connect(self.add_models)
            self.browser.refreshRequested.connect(self.refresh)
            self.browser.favouritesChanged.connect(self._favourites_changed)
        if self.session.models.catalog is not None:
            favourites = set(self.session.settings.load().favourite_models)
            self.browser.set_catalog(self.session.models.catalog, favourites)
        self.browser.set_status(self.status)
        self.browser.show()
        self.browser.raise_()
        return self.browser

    def _favourites_changed(self, ids: list[str]) -> None:
        # a settings file that cannot be written: the service says so on the status bar, and the
        # browser shows the favourites as they are saved
        self.session.settings.set_favourite_models(ids)
        self.catalog_changed()

    def refresh(self) -> None:
        self.session.spawn(self.session.models.refresh_catalog(), "catalog-refresh")


def model_words(model: ModelInfo) -> tuple[str, bool]:
    """What the model picker shows beside an id: "$0.15 / $0.60 per M · 128k", or "free · 32k"."""
    size = context(model.context_length)
    if model.is_free:
        return f"free · {size}", True
    return f"{per_million(model, 'prompt')} / {per_million(model, 'completion')} per M · {size}", False
