"""Issue 21's rules for keys in the core: one precedence rule, a malformed override named and
skipped, rename never overwrites, removal says what is used now, an open unlock prompt is waited
for, and Save checks the key first (against the simulator) and keeps a rejected one only on
confirmation, never as the active key."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from playground.core.errors import ConfigError, NoKeyError
from playground.core.keyflow import KeyCheck, KeyNotSavedError, Verdict, save_key
from playground.core.secrets import KeyringTimeoutError, KeySource, KeyStore
from playground.core.settings import SettingsStore
from playground.simulator import Simulator
from tests.conftest import CANARY_KEY, FAKE_KEY, OTHER_KEY, run
from tests.core.keyrings import HangingKeyring, MemoryKeyring


def _store(tmp_path: Path, backend: object, env: dict[str, str] | None = None, **kw: float) -> KeyStore:
    return KeyStore(
        SettingsStore(tmp_path / "settings.json"), backend=backend, env=env or {}, cwd=tmp_path, **kw
    )


def test_one_precedence_rule(tmp_path: Path) -> None:
    """Environment, then .env, then the key picked last (session-only or saved with use)."""
    store = _store(tmp_path, MemoryKeyring())
    run(store.save("work", FAKE_KEY))
    run(store.save("spare", OTHER_KEY))
    assert run(store.active()).name == "work"
    store.hold_for_session("temp", CANARY_KEY)
    assert run(store.active()).source is KeySource.SESSION
    store.use("spare")  # picking a saved key ends the session key's turn
    picked = run(store.active())
    assert (picked.name, picked.source) == ("spare", KeySource.KEYRING) and store.in_use_name() == "spare"
    store.use("temp")
    assert run(store.active()).name == "temp"

    (tmp_path / ".env").write_text(f"OPENROUTER_API_KEY={OTHER_KEY}\n")
    assert run(store.active()).source is KeySource.DOTENV
    with_env = _store(tmp_path, MemoryKeyring(), env={"OPENROUTER_API_KEY": FAKE_KEY})
    with_env.settings.update(active_key=None)
    assert run(with_env.active()).source is KeySource.ENV


@pytest.mark.parametrize(
    ("where", "value"),
    [("env", "paste your key here"), ("dotenv", "paste your key here"), ("dotenv", "sk-or-v1-12 34")],
)
def test_a_malformed_override_is_named_and_the_saved_key_used(tmp_path: Path, where: str, value: str) -> None:
    env = {"OPENROUTER_API_KEY": value} if where == "env" else {}
    if where == "dotenv":
        (tmp_path / ".env").write_text(f"OPENROUTER_API_KEY={value}\n")
    store = _store(tmp_path, MemoryKeyring(), env=env)
    assert store.override() is None
    source = "the OPENROUTER_API_KEY environment variable" if where == "env" else "the .env file"
    [problem] = store.override_problems()
    assert f"The key in {source} is not a valid OpenRouter key" in problem and value not in problem
    with pytest.raises(NoKeyError, match=f"The key in {source} is not a valid"):
        run(store.active())
    run(store.save("work", FAKE_KEY))
    active = run(store.active())
    assert active.name == "work" and problem in store.settings.warnings  # the CLI prints these


def test_a_bad_env_key_falls_through_to_a_good_dotenv_key(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"OPENROUTER_API_KEY={OTHER_KEY}\n")
    store = _store(tmp_path, MemoryKeyring(), env={"OPENROUTER_API_KEY": "not a key"})
    active = run(store.active())
    assert active.source is KeySource.DOTENV and "environment variable" in store.override_problems()[0]


def test_rename_onto_an_existing_name_is_refused(tmp_path: Path) -> None:
    backend = MemoryKeyring()
    store = _store(tmp_path, backend)
    run(store.save("work", FAKE_KEY))
    run(store.save("spare", OTHER_KEY))
    with pytest.raises(ConfigError, match="A key named 'spare' already exists"):
        run(store.rename("work", "spare"))
    assert run(store.get("spare")).reveal() == OTHER_KEY and run(store.get("work")).reveal() == FAKE_KEY
    run(store.rename("work", "main"))
    assert store.names() == ["spare", "main"] and store.active_name() == "main"
    store.hold_for_session("temp", CANARY_KEY)
    run(store.rename("temp", "trial"))  # still session-only: never written by a rename
    assert run(store.active()).name == "trial" and CANARY_KEY not in backend.store.values()


def test_removing_the_key_in_use_says_which_is_used_now(tmp_path: Path) -> None:
    store = _store(tmp_path, MemoryKeyring())
    run(store.save("work", FAKE_KEY))
    run(store.save("spare", OTHER_KEY))
    assert run(store.remove("work")) == "spare" and run(store.active()).name == "spare"
    run(store.save("other", FAKE_KEY))
    assert run(store.remove("other")) is None  # not the one in use: nothing changed
    assert run(store.remove("spare")) is None and store.in_use_name() is None


def test_a_write_given_up_on_stays_listed_and_a_late_failure_unlists_it(tmp_path: Path) -> None:
    backend = HangingKeyring()
    store = _store(tmp_path, backend, timeout=0.2)

    async def go() -> None:
        answered = asyncio.Event()
        store.on_late = answered.set
        with pytest.raises(KeyringTimeoutError, match="is listed already"):
            await store.save("late", FAKE_KEY)
        assert store.names() == ["late"] and store.stuck == 1
        backend.release.set()
        await answered.wait()
        assert store.names() == ["late"] and store.stuck == 0

    run(go())

    class FailsLate(HangingKeyring):
        def set_password(self, service: str, username: str, password: str) -> None:
            self.release.wait(30)
            raise RuntimeError("write refused")

    failing = FailsLate()
    store = _store(tmp_path / "b", failing, timeout=0.2)

    async def fails() -> None:
        answered = asyncio.Event()
        store.on_late = answered.set
        with pytest.raises(KeyringTimeoutError):
            await store.save("late", FAKE_KEY)
        failing.release.set()
        await answered.wait()
        assert store.names() == []

    (tmp_path / "b").mkdir()
    run(fails())


class PromptingKeyring(MemoryKeyring):
    """A locked collection whose unlock prompt is answered when the test says so."""

    def __init__(self) -> None:
        super().__init__()
        self.answer = threading.Event()
        self.locked = True

    def needs_unlock(self) -> bool:
        return self.locked

    def unlock_collection(self) -> bool:
        self.answer.wait(30)
        self.locked = False
        return True


def test_a_read_waits_for_the_person_at_the_unlock_prompt(tmp_path: Path) -> None:
    backend = PromptingKeyring()
    backend.store[("prompt-playground-test", "work")] = FAKE_KEY
    store = _store(tmp_path, backend, timeout=0.05)

    async def go() -> None:
        prompted = asyncio.Event()
        store.on_prompt = prompted.set
        read = asyncio.create_task(store.get("work"))
        await prompted.wait()
        await asyncio.sleep(0.2)  # well past the timeout: the open prompt keeps the read waiting
        assert not read.done()
        backend.answer.set()
        return await read

    import playground.core.secrets as secrets

    original = secrets.SERVICE
    secrets.SERVICE = "prompt-playground-test"
    try:
        assert run(go()).reveal() == FAKE_KEY
    finally:
        secrets.SERVICE = original


def test_save_checks_first_and_keeps_a_rejected_key_only_when_confirmed(tmp_path: Path) -> None:
    store = _store(tmp_path, MemoryKeyring())
    asked: list[KeyCheck] = []

    async def decline(check: KeyCheck) -> bool:
        asked.append(check)
        return False

    async def accept(check: KeyCheck) -> bool:
        asked.append(check)
        return True

    with Simulator(time_scale=0, valid_keys={FAKE_KEY}) as sim:
        works = run(save_key(store, sim.base_url, "work", FAKE_KEY, decline))
        assert works.check.verdict is Verdict.WORKS and works.active and not asked
        assert "It is now the active key" in works.summary()
        with pytest.raises(KeyNotSavedError, match="rejected"):
            run(save_key(store, sim.base_url, "bad", OTHER_KEY, decline))
        assert store.names() == ["work"] and asked[-1].verdict is Verdict.REJECTED
        kept = run(save_key(store, sim.base_url, "bad", OTHER_KEY, accept))
        assert not kept.active and store.active_name() == "work" and "not the key in use" in kept.summary()
        url = sim.base_url
    offline = run(save_key(store, url, "later", OTHER_KEY, decline))
    assert offline.check.verdict is Verdict.UNCHECKED and offline.active
    assert "says nothing about the key" in offline.summary()
