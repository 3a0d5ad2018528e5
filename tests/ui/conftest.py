"""UI tests: real widgets under the offscreen platform, driven on the app's own qasync loop."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from playground.core.context import AppContext
from playground.core.uistate import UiStateStore
from playground.simulator import Simulator
from playground.ui.main_window import MainWindow
from playground.ui.session import Session
from tests.conftest import FAKE_KEY


@pytest.fixture(autouse=True)
def _the_look_is_put_back(qapp: Any) -> Any:
    """A test that switches the theme (View > Dark, a palette change) must not leave the next test
    in the dark: the application's palette and style sheet are process-wide."""
    from PySide6.QtGui import QPalette

    palette, sheet = QPalette(qapp.palette()), qapp.styleSheet()
    yield
    if qapp.styleSheet() != sheet:
        qapp.setStyleSheet(sheet)
    if qapp.palette() != palette:
        qapp.setPalette(palette)


async def wait_until(check: Callable[[], bool], timeout: float = 10.0, what: str = "condition") -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


class Harness:
    """A MainWindow on a simulator, with its context, session and window built like the app does."""

    def __init__(
        self, sim: Simulator, home: Path, env: dict[str, str] | None = None, keyring_backend: Any = None
    ) -> None:
        self.sim = sim
        self.home = home
        environment = {
            "PLAYGROUND_HOME": str(home),
            "OPENROUTER_BASE_URL": sim.base_url,
            "OPENROUTER_API_KEY": FAKE_KEY,
        }
        environment.update(env or {})
        self.env = {k: v for k, v in environment.items() if v}
        self.ctx = AppContext.from_env(self.env, cwd=home, keyring_backend=keyring_backend)
        self.session = Session(self.ctx)
        self.window = MainWindow(self.session, UiStateStore(self.ctx.paths.config_dir / "window.json"))

    async def start(self) -> MainWindow:
        self.window.show()
        await self.session.start()
        self.window.show_warnings()  # as run_window() does
        await wait_until(lambda: self.session.models.catalog is not None, what="the catalog")
        return self.window

    def set_models(self, *models: str) -> None:
        compare = self.window.compare
        while len(compare.panes) < len(models):
            compare.add_pane("")
        while len(compare.panes) > len(models):
            compare.remove_pane(compare.panes[-1])
        for pane, model in zip(compare.panes, models, strict=True):
            pane.modelSelector.setEditText(model)

    async def send(self, prompt: str = "Explain caching") -> None:
        self.window.promptEdit.setPlainText(prompt)
        self.window.send()
        await wait_until(lambda: self.window.compare.run is not None, what="the run to start")

    async def finish(self, timeout: float = 10.0) -> None:
        await wait_until(
            lambda: not self.window.compare.running and not self.window.compare.rendering,
            timeout,
            "the comparison to finish",
        )
        # its answers are written to history off the window's thread: a test reads them after
        await wait_until(lambda: not self.session.runs.writer.pending, timeout, "the run to be saved")

    async def close(self) -> None:
        self.window.close()
        from playground.ui.app import shutdown

        await shutdown(self.window, self.session)
        self.ctx.stop_demo()


@pytest.fixture
def make_harness(sim: Simulator, home: Path) -> Callable[..., Harness]:
    def make(**kwargs: Any) -> Harness:
        return Harness(sim, home, **kwargs)

    return make
