"""Key journeys in the window that need no keyring daemon: a malformed ``.env`` key, sending with no
key, and Keys > Test the key in use."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from pathlib import Path

import keyring.backends.fail
import pytest
from PySide6.QtGui import QAction

from playground.ui.main_window import MainWindow
from tests.conftest import FAKE_KEY, OTHER_KEY
from tests.ui.conftest import Harness, wait_until

NO_KEYRING = keyring.backends.fail.Keyring()


def bearer(key: str) -> str:
    return hashlib.sha256(f"Bearer {key}".encode()).hexdigest()[:16]


def carried(h: Harness) -> str:
    return hashlib.sha256(h.sim.chat_requests()[-1].headers["authorization"].encode()).hexdigest()[:16]


def _menu_action(window: MainWindow, text: str) -> QAction:
    return next(a for a in window.findChildren(QAction) if a.text() == text)


def test_a_malformed_dotenv_key_never_stops_the_window(
    aio, make_harness: Callable[..., Harness], home: Path
) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / ".env").write_text("OPENROUTER_API_KEY=paste your key here\n")
    h = make_harness(env={"OPENROUTER_API_KEY": ""}, keyring_backend=NO_KEYRING)

    async def go() -> None:
        window = await h.start()
        assert "The key in the .env file is not a valid OpenRouter key" in window.keyLabel.text()
        dialog = window.show_key_dialog()
        assert "The key in the .env file is not a valid" in dialog.overrideLabel.text()
        dialog.keyEdit.setText(OTHER_KEY)
        dialog.sessionButton.click()  # the user goes on with a key of their own
        await wait_until(lambda: h.session.keys.active is not None, what="the session key")
        h.set_models("sim/quick-mini")
        await h.send()
        await h.finish()
        assert carried(h) == bearer(OTHER_KEY)
        assert "paste your key here" not in window.keyLabel.text()
        dialog.close()
        await h.close()

    aio(go())


def test_sending_with_no_key_says_what_to_do_before_sending(
    aio, make_harness: Callable[..., Harness], caplog: pytest.LogCaptureFixture
) -> None:
    h = make_harness(env={"OPENROUTER_API_KEY": ""}, keyring_backend=NO_KEYRING)

    async def go() -> None:
        window = await h.start()
        assert window.keyLabel.text() == "Key: No key - add one (Ctrl+K) or try the demo"
        h.set_models("sim/quick-mini", "sim/balanced-pro")
        window.promptEdit.setPlainText("Explain caching")
        with caplog.at_level(logging.WARNING):
            window.send()
        assert window.compare.run is None and h.sim.chat_requests() == []
        assert window.statusBar().currentMessage() == "No key - add one (Ctrl+K) or try the demo"
        assert window.key_dialog.isVisible()
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert all("internal error" not in pane.outputView.toPlainText() for pane in window.compare.panes)
        window.key_dialog.close()
        await h.close()

    aio(go())


def test_keys_menu_tests_the_key_in_use(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness(keyring_backend=NO_KEYRING)  # the key comes from OPENROUTER_API_KEY
    h.sim.valid_keys = {FAKE_KEY}

    async def go() -> None:
        window = await h.start()
        _menu_action(window, "Test the key in use").trigger()
        dialog = window.key_dialog
        await wait_until(
            lambda: "The key works" in dialog.statusLabel.text(), what="the test of the key in use"
        )
        text = dialog.statusLabel.text()
        assert "OPENROUTER_API_KEY environment variable" in text and "Spending limit: $20" in text
        assert "Pick a saved key first" not in text and FAKE_KEY not in text
        dialog.close()
        await h.close()

    aio(go())
