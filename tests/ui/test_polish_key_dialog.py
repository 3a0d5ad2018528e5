"""The key dialog shows each result and error beside the button that caused it, not in one shared line."""

from __future__ import annotations

from collections.abc import Callable

import keyring.backends.fail
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QWidget

from playground.ui.key_dialog import KeyDialog
from tests.conftest import FAKE_KEY, OTHER_KEY
from tests.ui.conftest import Harness, wait_until


def _top(widget: QWidget, dialog: KeyDialog) -> int:
    return widget.mapTo(dialog, QPoint(0, 0)).y()


def _right_under(message: QWidget, button: QWidget, dialog: KeyDialog) -> bool:
    """In the same box as the button, just below it: where the eye is after a click."""
    return (
        message.parentWidget() is button.parentWidget()
        and 0 < _top(message, dialog) - _top(button, dialog) < 80
    )


def test_errors_show_beside_the_button_that_caused_them(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness(env={"OPENROUTER_API_KEY": ""}, keyring_backend=keyring.backends.fail.Keyring())
    h.sim.valid_keys = {FAKE_KEY}

    async def go() -> None:
        window = await h.start()
        dialog: KeyDialog = window.show_key_dialog()
        dialog.keyEdit.setText(FAKE_KEY)
        dialog.saveButton.click()  # no keyring: the error is under Save, marked as an error
        await wait_until(lambda: "No system keyring" in dialog.addStatus.text(), what="the keyring error")
        assert dialog.addStatus.isVisible() and dialog.addStatus.property("tone") == "error"
        assert _right_under(dialog.addStatus, dialog.saveButton, dialog)
        assert dialog.statusLabel.text() == "" and not dialog.savedStatus.isVisible()

        dialog.removeButton.click()  # nothing picked: said under Remove; the Save error goes away
        assert "Pick a saved key first" in dialog.savedStatus.text() and dialog.savedStatus.isVisible()
        assert _right_under(dialog.savedStatus, dialog.removeButton, dialog)
        assert dialog.savedStatus.property("tone") == "error" and not dialog.addStatus.isVisible()

        dialog.keyEdit.setText(OTHER_KEY)
        dialog.testButton.click()  # a rejected key: under Test, as an error
        await wait_until(lambda: "rejected" in dialog.addStatus.text(), what="the rejection")
        assert dialog.addStatus.property("tone") == "error" and not dialog.savedStatus.isVisible()
        dialog.keyEdit.setText(FAKE_KEY)
        dialog.testButton.click()  # a working key: the same place, no longer marked as an error
        await wait_until(lambda: "The key works" in dialog.addStatus.text(), what="the test result")
        assert dialog.addStatus.property("tone") == ""
        dialog.close()
        await h.close()

    aio(go())
