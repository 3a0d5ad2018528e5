"""The first-run key flow in the window, through the real Secret Service."""

from __future__ import annotations

from collections.abc import Callable

import keyring
import pytest

from tests.conftest import FAKE_KEY, OTHER_KEY
from tests.ui.conftest import Harness, wait_until

pytestmark = pytest.mark.keyring


def test_first_run_save_switch_rename_remove(
    secret_service: str, aio, make_harness: Callable[..., Harness], monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QInputDialog, QMessageBox

    h = make_harness(env={"OPENROUTER_API_KEY": ""})

    async def go() -> None:
        window = await h.start()
        assert h.session.keys.active is None
        dialog = window.show_key_dialog(first_run=True)
        dialog.nameEdit.setText("personal-dev")
        dialog.keyEdit.setText(FAKE_KEY)
        dialog.saveButton.click()
        await wait_until(lambda: h.session.keys.active is not None, what="the saved key")
        assert keyring.get_password(secret_service, "personal-dev") == FAKE_KEY
        assert "key 'personal-dev' from the system keyring" in window.keyLabel.text()
        await wait_until(lambda: "left of" in window.creditLabel.text(), what="credit")

        dialog.nameEdit.setText("staging")
        dialog.keyEdit.setText(OTHER_KEY)
        dialog.saveButton.click()
        await wait_until(lambda: "staging" in window.keyLabel.text(), what="second key in use")
        await wait_until(lambda: dialog.keyList.count() == 2, what="two keys listed")

        dialog.keyList.setCurrentRow(0)
        dialog.useButton.click()
        await wait_until(lambda: "personal-dev" in window.keyLabel.text(), what="switch back")

        monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("renamed", True))
        dialog.keyList.setCurrentRow(1)
        dialog.renameButton.click()
        await wait_until(lambda: keyring.get_password(secret_service, "renamed") == OTHER_KEY, what="rename")
        monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
        await wait_until(
            lambda: any("renamed" in dialog.keyList.item(i).text() for i in range(dialog.keyList.count())),
            what="renamed listed",
        )
        row = next(i for i in range(dialog.keyList.count()) if "renamed" in dialog.keyList.item(i).text())
        dialog.keyList.setCurrentRow(row)
        dialog.removeButton.click()
        await wait_until(lambda: "Removed 'renamed'" in dialog.savedStatus.text(), what="removal")
        assert keyring.get_password(secret_service, "renamed") is None
        for path in h.home.rglob("*"):
            if path.is_file():
                assert FAKE_KEY not in path.read_text(errors="replace")
        dialog.close()
        await h.close()

    aio(go())
