"""The window opens with wrongly shaped settings and window state, keeps the good values and says so."""

from __future__ import annotations

import json
from collections.abc import Callable

from playground.core.history import RunHistory
from playground.simulator import Behaviour
from tests.ui.conftest import Harness, wait_until


def test_wrong_shaped_files_never_stop_the_window(aio, make_harness: Callable[..., Harness]) -> None:
    probe = make_harness()
    config = probe.home / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "settings.json").write_text('{"idle_timeout": ' + "9" * 400 + ', "recent_models": "x"}')
    state = {"geometry": "%%% not base64 %%%", "panes": 3, "prompt": "kept prompt", "params": "hot"}
    (config / "window.json").write_text(json.dumps(state))
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        message = window.statusBar().currentMessage()
        assert "settings file was damaged" in message  # a 400-digit number is not JSON the app writes
        assert "window state had bad values (geometry, panes, params)" in message
        assert window.promptEdit.toPlainText() == "kept prompt"
        assert len(window.compare.panes) == 3  # the default panes
        await h.close()

    aio(go())


def test_the_windows_demo_keeps_its_runs_out_of_the_real_history(
    aio, make_harness: Callable[..., Harness]
) -> None:
    h = make_harness()

    async def go() -> None:
        await h.start()
        h.set_models("sim/quick-mini")
        await h.send("real question")
        await h.finish()
        h.window.start_demo()  # what "Try the demo" does
        await wait_until(lambda: h.ctx.history().path.name == "demo-history.sqlite3")
        h.ctx.demo.set_default("sim/quick-mini", Behaviour(ttft=0, tokens_per_second=0))
        h.set_models("sim/quick-mini")
        await h.send("demo question")
        await h.finish()
        assert [r.prompt for r in h.session.runs.list_runs()] == ["demo question"]
        await h.close()

    aio(go())
    real = RunHistory(h.home / "data" / "history.sqlite3")
    try:
        assert [r.prompt for r in real.list_runs()] == ["real question"]
    finally:
        real.close()
