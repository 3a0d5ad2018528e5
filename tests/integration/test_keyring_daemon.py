"""The key journeys of issue 21 against a real GNOME Keyring owned by each test: hung (SIGSTOP),
locked (through SecretStorage), and unlocked at its real password prompt."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from keyring.backends.SecretService import Keyring as SecretService

from playground.core.paths import AppPaths
from playground.core.secrets import KeyringTimeoutError, KeyStore
from playground.core.settings import SettingsStore
from playground.simulator import Simulator
from playground.ui.app import welcome
from tests.cli.helpers import playground
from tests.conftest import FAKE_KEY, OTHER_KEY
from tests.integration.keyring_daemon import PrivateKeyring, private_keyring
from tests.ui.conftest import Harness, wait_until

pytestmark = pytest.mark.keyring

SHORT = 1.0  # the keyring timeout in these tests (the app's is 3 s); nothing is timed against it


@pytest.fixture
def daemon(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PrivateKeyring]:
    with private_keyring(tmp_path / "keyring") as kr:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", kr.address)
        yield kr


def _harness(make_harness: Callable[..., Harness]) -> Harness:
    h = make_harness(env={"OPENROUTER_API_KEY": ""}, keyring_backend=SecretService())
    h.ctx.keys.timeout = SHORT
    return h


def _save(h: Harness, name: str, key: str) -> None:
    asyncio.run(h.ctx.keys.save(name, key))  # the first saved becomes the active key


def test_a_write_that_timed_out_is_listed_and_lands_visibly(
    daemon: PrivateKeyring, home: Path, sim: Simulator
) -> None:
    """Save while the daemon is stopped: "did not answer", yet the name is listed at once; when the
    daemon resumes the key is there, and the CLI lists it and can remove it."""
    settings = SettingsStore(AppPaths.from_env({"PLAYGROUND_HOME": str(home)}).settings_file)
    store = KeyStore(settings, backend=SecretService(), env={}, timeout=SHORT)
    landed = asyncio.Event()

    async def go() -> None:
        store.on_late = landed.set
        daemon.stop()
        with pytest.raises(KeyringTimeoutError, match="is listed already"):
            await store.save("late", FAKE_KEY)
        assert store.names() == ["late"]
        daemon.resume()
        await landed.wait()
        assert (await store.get("late")).masked == "sk-or-v1-111...111"

    asyncio.run(go())
    env = {"OPENROUTER_BASE_URL": sim.base_url, "DBUS_SESSION_BUS_ADDRESS": daemon.address}
    listed = playground("key", "list", home=home, **env)
    assert "late" in listed.stdout and "sk-or-v1-111...111" in listed.stdout, listed.stderr
    removed = playground("key", "remove", "late", home=home, **env)
    assert removed.returncode == 0 and "Removed key 'late'" in removed.stdout, removed.stderr
    assert "late" not in playground("key", "list", home=home, **env).stdout


def test_a_hung_keyring_at_start_is_said_and_the_key_picked_up_when_it_answers(
    daemon: PrivateKeyring, aio, make_harness: Callable[..., Harness]
) -> None:
    h = _harness(make_harness)
    _save(h, "work", FAKE_KEY)
    _save(h, "spare", OTHER_KEY)

    async def go() -> None:
        daemon.stop()
        window = await h.start()
        assert h.session.keys.key_state == "hung" and "did not answer" in window.keyLabel.text()
        welcome(window, h.session)
        assert getattr(window, "key_dialog", None) is None  # no Welcome ("try the demo") for a returning user
        dialog = window.show_key_dialog()
        assert dialog.keyList.item(0).text() == "Loading saved keys..."
        await wait_until(
            lambda: (
                dialog.keyList.count() == 2
                and all("did not answer" in dialog.keyList.item(i).text() for i in range(2))
            ),
            what="both names, read together, each saying the keyring did not answer",
        )
        daemon.resume()
        await wait_until(lambda: h.session.keys.active is not None, what="the key once the keyring answers")
        assert "key 'work' from the system keyring" in window.keyLabel.text()
        await wait_until(lambda: "sk-or-v1-222...222" in dialog.keyList.item(1).text(), what="the list")
        dialog.close()
        await h.close()

    aio(go())


def test_a_locked_keyring_says_so_and_the_key_is_picked_up_after_unlock(
    daemon: PrivateKeyring, aio, make_harness: Callable[..., Harness]
) -> None:
    """No prompt can open here (no display): the read fails as locked at once, the window says
    "Your keyring is locked" (not the first-run Welcome), and unlocking elsewhere is noticed."""
    h = _harness(make_harness)
    _save(h, "work", FAKE_KEY)

    async def go() -> None:
        daemon.lock()
        window = await h.start()
        assert h.session.keys.key_state == "locked" and "locked" in window.keyLabel.text()
        welcome(window, h.session)
        dialog = window.key_dialog
        assert dialog.windowTitle() == "Your keyring is locked"
        assert not dialog.demoButton.isVisible() and dialog.unlockButton.isVisible()
        assert dialog.sessionButton.isVisible()
        daemon.unlock_without_prompt()
        await wait_until(lambda: h.session.keys.active is not None, what="the key after the unlock")
        assert "key 'work' from the system keyring" in window.keyLabel.text()
        dialog.close()
        await h.close()

    aio(go())


def test_reads_wait_for_the_unlock_prompt_and_unlock_reopens_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, aio, make_harness: Callable[..., Harness]
) -> None:
    """With a real password prompt (gcr-prompter under Xvfb): dismissing it shows the locked
    dialog; Unlock opens it again; the password typed there - however long that takes past the
    keyring timeout - gives the app its key."""
    with private_keyring(tmp_path / "keyring", with_prompt=True) as daemon:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", daemon.address)
        h = _harness(make_harness)
        _save(h, "work", FAKE_KEY)
        texts: list[str] = []
        h.session.keyChanged.connect(texts.append)

        async def go() -> None:
            daemon.lock()
            dismiss = asyncio.create_task(asyncio.to_thread(daemon.press_at_prompt, "Escape"))
            window = await h.start()
            await dismiss
            assert h.session.keys.key_state == "locked"
            welcome(window, h.session)
            dialog = window.key_dialog
            dialog.unlockButton.click()
            await wait_until(lambda: "Waiting for you to unlock" in window.keyLabel.text(), what="the prompt")
            await asyncio.to_thread(daemon.type_password_at_prompt)
            await wait_until(
                lambda: h.session.keys.active is not None, what="the key after typing the password"
            )
            assert "key 'work' from the system keyring" in window.keyLabel.text()
            assert not any("did not answer" in text for text in texts)
            dialog.close()
            await h.close()

        aio(go())
