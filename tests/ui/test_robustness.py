"""The window under a hanging keyring and with damaged files: responsive, and the user is told."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from PySide6.QtCore import QTimer

from playground.core.request import ChatParams
from tests.core.observed_keyring import ObservedHangingKeyring
from tests.ui.conftest import Harness, wait_until


def test_a_hanging_keyring_never_freezes_the_window(aio, make_harness: Callable[..., Harness]) -> None:
    backend = ObservedHangingKeyring()
    h = make_harness(env={"OPENROUTER_API_KEY": ""}, keyring_backend=backend)
    h.ctx.keys.timeout = 1.0
    h.ctx.settings.update(key_names=("work",), active_key="work")

    async def go() -> None:
        frames = 0  # timer ticks the window's thread handled while the keyring read was hanging

        def tick() -> None:
            nonlocal frames
            frames += backend.hung

        timer = QTimer()
        timer.timeout.connect(tick)
        timer.start(20)
        h.window.show()
        starting = asyncio.ensure_future(h.session.start())
        # a window blocked by the read could only tick once it returned, and it never returns here
        await wait_until(lambda: frames >= 20, what="the window to keep ticking while the keyring hangs")
        await starting
        timer.stop()
        assert backend.hung  # the window gave up on the keyring; it did not wait for it to wake up
        assert "did not answer within 1 s" in h.window.keyLabel.text()
        backend.release.set()
        await h.close()

    aio(go())


def test_damaged_files_are_set_aside_and_the_user_told(aio, make_harness: Callable[..., Harness]) -> None:
    probe = make_harness()
    home = probe.home
    (home / "config").mkdir(parents=True, exist_ok=True)
    (home / "data").mkdir(parents=True, exist_ok=True)
    (home / "config" / "settings.json").write_text("{broken")
    (home / "data" / "history.sqlite3").write_bytes(b"not a database" * 50)
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        assert "settings file was damaged" in window.statusBar().currentMessage()
        assert "history database was damaged" in window.statusBar().currentMessage()
        assert list((home / "config").glob("settings.json.corrupt-*"))
        assert list((home / "data").glob("history.sqlite3.corrupt-*"))
        h.set_models("sim/quick-mini")
        await h.send()
        await h.finish()
        assert len(h.session.runs.list_runs()) == 1  # the fresh database works
        await h.close()

    aio(go())


def test_template_default_parameters_are_edited_saved_and_used(
    aio, make_harness: Callable[..., Harness]
) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        panel = window.templatePanel
        panel.new_template()
        panel.nameEdit.setText("tuned")
        panel.promptEdit.setPlainText("Hello")
        panel._set_params(ChatParams(temperature=0.2, max_tokens=64))
        assert panel.save()
        assert "temperature = 0.2" in (h.home / "data" / "templates" / "tuned.toml").read_text()
        panel.useButton.click()
        params = window.params.params()
        assert (params.temperature, params.max_tokens) == (0.2, 64)
        await asyncio.sleep(0)
        await h.close()

    aio(go())
