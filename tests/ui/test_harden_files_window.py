"""The window opens with wrongly shaped settings and window state, keeps the good values and says so."""

from __future__ import annotations

import json
from collections.abc import Callable

from tests.ui.conftest import Harness


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
