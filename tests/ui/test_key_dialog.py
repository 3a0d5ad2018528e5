"""The key dialog without a keyring daemon: first run, a missing keyring, session-only keys."""

from __future__ import annotations

from collections.abc import Callable

import keyring.backends.fail

from playground.ui.key_dialog import KeyDialog
from tests.conftest import FAKE_KEY, OTHER_KEY
from tests.ui.conftest import Harness, wait_until


def test_no_key_opens_the_first_run_dialog_and_the_demo_works(
    aio, make_harness: Callable[..., Harness]
) -> None:
    h = make_harness(env={"OPENROUTER_API_KEY": ""}, keyring_backend=keyring.backends.fail.Keyring())

    async def go() -> None:
        from playground.ui.app import run_window  # noqa: F401 - the same first-run rule is used there

        window = await h.start()
        assert (
            h.session.keys.active is None
            and "No key - add one (Ctrl+K) or try the demo" in window.keyLabel.text()
        )
        dialog = window.show_key_dialog(first_run=True)
        assert dialog.objectName() == "keyDialog" and dialog.demoButton.isVisible()
        dialog.demoButton.click()
        await wait_until(
            lambda: h.ctx.demo is not None and h.session.keys.active is not None, what="demo mode"
        )
        await wait_until(lambda: window.compare.models()[0] == "sim/quick-mini", what="demo models")
        assert window.demoBanner.isVisible() and "Demo" in window.keyLabel.text()
        await h.close()

    aio(go())


def test_missing_keyring_is_explained_and_session_key_works(
    aio, make_harness: Callable[..., Harness]
) -> None:
    h = make_harness(env={"OPENROUTER_API_KEY": ""}, keyring_backend=keyring.backends.fail.Keyring())

    async def go() -> None:
        window = await h.start()
        dialog = window.show_key_dialog()
        dialog.keyEdit.setText(f"  {FAKE_KEY}  ")
        dialog.saveButton.click()
        await wait_until(lambda: "No system keyring" in dialog.addStatus.text(), what="keyring message")
        assert "session only" in dialog.addStatus.text()
        dialog.keyEdit.setText(FAKE_KEY)
        dialog.sessionButton.click()
        await wait_until(lambda: dialog.keyEdit.text() == "", what="the dialog to take the session key")
        assert "this session only" in window.keyLabel.text() and FAKE_KEY not in window.keyLabel.text()
        assert dialog.keyEdit.text() == ""
        h.set_models("sim/quick-mini")
        await h.send()
        await h.finish()
        assert h.sim.chat_requests()[-1].headers["authorization"] == f"Bearer {FAKE_KEY}"
        dialog.close()
        await h.close()

    aio(go())


def test_test_button_shows_the_key_figures_and_rejection(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness()
    h.sim.valid_keys = {FAKE_KEY}

    async def go() -> None:
        window = await h.start()
        dialog: KeyDialog = window.show_key_dialog()
        assert "OPENROUTER_API_KEY" in dialog.overrideLabel.text() and dialog.overrideLabel.isVisible()
        dialog.keyEdit.setText(FAKE_KEY)
        dialog.testButton.click()
        await wait_until(lambda: "The key works" in dialog.addStatus.text(), what="test result")
        assert "Spending limit: $20" in dialog.addStatus.text() and "today $0.42" in dialog.addStatus.text()
        dialog.keyEdit.setText(OTHER_KEY)
        dialog.testButton.click()
        await wait_until(lambda: "rejected" in dialog.addStatus.text(), what="rejection")
        assert window.creditLabel.text() == "Credit: $12.50 left of $20.00"
        dialog.close()
        await h.close()

    aio(go())
