"""The key dialog's flows in the real window on a private GNOME Keyring: Use while the environment
key is set, a rejected key at Save, rename, remove, and ``playground key use`` from a terminal."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from keyring.backends.SecretService import Keyring as SecretService
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox

from playground.core import secrets
from tests.cli.helpers import playground
from tests.conftest import CANARY_KEY, FAKE_KEY, OTHER_KEY
from tests.integration.keyring_daemon import PrivateKeyring, private_keyring
from tests.ui.conftest import Harness, wait_until

pytestmark = pytest.mark.keyring


@pytest.fixture
def daemon(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PrivateKeyring]:
    with private_keyring(tmp_path / "keyring") as kr:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", kr.address)
        yield kr


def bearer(key: str) -> str:
    return hashlib.sha256(f"Bearer {key}".encode()).hexdigest()[:16]


def carried(h: Harness) -> str:
    return hashlib.sha256(h.sim.chat_requests()[-1].headers["authorization"].encode()).hexdigest()[:16]


def _harness(make_harness: Callable[..., Harness], **env: str) -> Harness:
    h = make_harness(env={"OPENROUTER_API_KEY": "", **env}, keyring_backend=SecretService())
    for name, key in (("work", FAKE_KEY), ("spare", OTHER_KEY)):
        asyncio.run(h.ctx.keys.save(name, key))
    return h


def _row(dialog, name: str) -> int:  # type: ignore[no-untyped-def]
    for i in range(dialog.keyList.count()):
        if dialog.keyList.item(i).text().startswith(f"{name}  -"):
            return i
    raise AssertionError(f"{name} is not listed")


def test_use_while_the_environment_key_is_set_says_so_and_sends_that_key(
    daemon: PrivateKeyring, aio, make_harness: Callable[..., Harness]
) -> None:
    h = _harness(make_harness, OPENROUTER_API_KEY=CANARY_KEY)

    async def go() -> None:
        window = await h.start()
        dialog = window.show_key_dialog()
        await wait_until(
            lambda: dialog.keyList.count() == 2 and "sk-or" in dialog.keyList.item(1).text(), what="list"
        )
        dialog.keyList.setCurrentRow(_row(dialog, "spare"))
        dialog.useButton.click()
        await wait_until(lambda: "'spare' is now the key in use" in dialog.savedStatus.text(), what="use")
        assert "OPENROUTER_API_KEY environment variable" in dialog.savedStatus.text()
        assert "environment variable" in window.keyLabel.text() and "spare" not in window.keyLabel.text()
        h.set_models("sim/quick-mini")
        await h.send()
        await h.finish()
        assert carried(h) == bearer(CANARY_KEY)  # what the window says is what was sent
        dialog.close()
        await h.close()

    aio(go())


def test_a_rejected_key_is_kept_only_on_confirmation_and_not_made_active(
    daemon: PrivateKeyring, aio, make_harness: Callable[..., Harness]
) -> None:
    h = _harness(make_harness)
    h.sim.valid_keys = {FAKE_KEY, OTHER_KEY}

    async def go() -> None:
        window = await h.start()
        dialog = window.show_key_dialog()
        dialog.nameEdit.setText("bad")
        dialog.showButton.setChecked(True)
        for answer, words in (
            (QMessageBox.StandardButton.Cancel, "was not saved"),
            (QMessageBox.StandardButton.Save, "not the key in use"),
        ):
            dialog.keyEdit.setText(CANARY_KEY)
            dialog.saveButton.click()
            await wait_until(lambda: dialog.confirmBox is not None, what="the question about a rejected key")
            assert "rejected this key (401)" in dialog.confirmBox.text()
            dialog.confirmBox.button(answer).click()
            await wait_until(lambda w=words: w in dialog.addStatus.text(), what=words)
            if answer == QMessageBox.StandardButton.Cancel:
                assert SecretService().get_password(secrets.SERVICE, "bad") is None
        assert SecretService().get_password(secrets.SERVICE, "bad") == CANARY_KEY
        assert "key 'work'" in window.keyLabel.text() and h.ctx.keys.active_name() == "work"
        assert not dialog.showButton.isChecked() and dialog.keyEdit.echoMode() == QLineEdit.EchoMode.Password
        await wait_until(lambda: dialog.keyList.count() == 3, what="the kept key listed")
        dialog.close()
        await h.close()

    aio(go())


def test_rename_remove_and_a_terminal_key_use_show_in_the_window(
    daemon: PrivateKeyring, aio, make_harness: Callable[..., Harness], monkeypatch: pytest.MonkeyPatch
) -> None:
    h = _harness(make_harness)

    async def go() -> None:
        window = await h.start()
        dialog = window.show_key_dialog()
        await wait_until(
            lambda: dialog.keyList.count() == 2 and "sk-or" in dialog.keyList.item(1).text(), what="list"
        )
        monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("spare", True))
        dialog.keyList.setCurrentRow(_row(dialog, "work"))
        dialog.renameButton.click()
        await wait_until(lambda: "already exists" in dialog.savedStatus.text(), what="the refusal")
        assert SecretService().get_password(secrets.SERVICE, "spare") == OTHER_KEY
        assert SecretService().get_password(secrets.SERVICE, "work") == FAKE_KEY

        dialog.nameEdit.setText("work")
        monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("main", True))
        dialog.renameButton.click()
        await wait_until(lambda: "Renamed 'work' to 'main'" in dialog.savedStatus.text(), what="the rename")
        assert dialog.nameEdit.text() == "main" and "key 'main'" in window.keyLabel.text()

        env = {"OPENROUTER_BASE_URL": h.sim.base_url, "DBUS_SESSION_BUS_ADDRESS": daemon.address}
        used = await asyncio.to_thread(playground, "key", "use", "spare", home=h.home, **env)
        assert used.returncode == 0, used.stderr
        await wait_until(lambda: "key 'spare'" in window.keyLabel.text(), what="the terminal's choice")

        monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
        await wait_until(
            lambda: "(in use)" in dialog.keyList.item(_row(dialog, "spare")).text(), what="relist"
        )
        dialog.keyList.setCurrentRow(_row(dialog, "spare"))
        dialog.removeButton.click()
        await wait_until(lambda: "Removed 'spare'." in dialog.savedStatus.text(), what="the removal")
        assert "'main' is now the key in use" in dialog.savedStatus.text()
        assert "key 'main'" in window.keyLabel.text()
        dialog.close()
        await h.close()

    aio(go())


def test_a_malformed_dotenv_key_is_named_and_the_saved_key_used(
    daemon: PrivateKeyring, aio, make_harness: Callable[..., Harness]
) -> None:
    h = _harness(make_harness)
    (h.home / ".env").write_text("OPENROUTER_API_KEY=sk-or-v1-with a space\n")

    async def go() -> None:
        window = await h.start()
        label = window.keyLabel.text()
        assert "key 'work' from the system keyring" in label
        assert (
            "The key in the .env file is not a valid OpenRouter key" in label and "with a space" not in label
        )
        h.set_models("sim/quick-mini")
        await h.send()
        await h.finish()
        assert carried(h) == bearer(FAKE_KEY)
        await h.close()

    aio(go())
