"""The window is shown before its event loop exists (ui/app.py: open_window, then run_window).

Benchmarks 6 and 7 time the first frame; these tests prove what that order must not break: the
window is the real one and works once the loop runs, and a close that comes before the loop (Ctrl+C
in the terminal while the first frame is drawn) still ends the app instead of leaving it waiting.
"""

from __future__ import annotations

import asyncio
import gc
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest

from playground.core.context import AppContext
from playground.ui.app import SWITCH_INTERVAL, open_window, run_window
from tests.ui.conftest import wait_until

Aio = Callable[[Coroutine[Any, Any, Any]], Any]


def _demo_context(home: Path) -> AppContext:
    ctx = AppContext.from_env({"PLAYGROUND_HOME": str(home)})
    ctx.start_demo()  # the simulator: no key, no network, no first-run dialog
    return ctx


def test_a_window_closed_before_its_event_loop_ran_still_ends_the_app(tmp_path: Path, aio: Aio) -> None:
    ctx = _demo_context(tmp_path)
    opened = open_window(ctx)  # shown and painted, no event loop yet
    assert opened.window.isVisible()
    opened.window.close()  # SIGINT's handler does this; the loop's "closed" event does not exist yet

    code = aio(asyncio.wait_for(run_window(ctx, opened), 20))

    assert code == 0
    assert ctx.demo is None  # run_window went all the way through its shutdown


def test_the_window_shown_first_gets_its_key_and_models_once_the_loop_runs(tmp_path: Path, aio: Aio) -> None:
    ctx = _demo_context(tmp_path)
    opened = open_window(ctx)
    window = opened.window

    async def use_it() -> int:
        running = asyncio.ensure_future(run_window(ctx, opened))
        await wait_until(lambda: window.keyLabel.text().startswith("Key:"), what="the key loaded")
        await wait_until(lambda: window.session.models.catalog is not None, what="the model list")
        # start-up's objects are kept out of the cycle collector's full passes while the window runs
        await wait_until(lambda: gc.get_freeze_count() > 10_000, what="start-up frozen")
        # the network thread hands the GIL to the window's thread within 0.2 ms, not Python's 5 ms
        assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL)
        window.close()
        return await asyncio.wait_for(running, 20)

    interval = sys.getswitchinterval()
    assert interval != pytest.approx(SWITCH_INTERVAL)
    assert aio(use_it()) == 0
    assert gc.get_freeze_count() == 0  # and given back when the window closes
    assert sys.getswitchinterval() == interval


def test_the_app_has_its_own_icon(qapp: Any) -> None:
    """The icon is found without importlib.resources (beside the package when installed, in the
    repository's resources/ in an editable install); a missing file would leave Qt's blank icon."""
    from PySide6.QtCore import qInstallMessageHandler

    from playground.ui.app import icon_path, make_app

    assert icon_path().is_file()
    try:
        assert not make_app().windowIcon().isNull()
    finally:
        qInstallMessageHandler(None)  # make_app sends Qt's messages to the log: not for later tests
