"""Key storage logic: sources and precedence, names, masking, input hygiene, keyring failures."""

from __future__ import annotations

import asyncio
from pathlib import Path

import keyring.backends.fail
import pytest

from playground.core.errors import ConfigError, NoKeyError
from playground.core.secrets import (
    ApiKey,
    KeyringError,
    KeyringLockedError,
    KeyringTimeoutError,
    KeyringUnavailableError,
    KeySource,
    KeyStore,
    normalize_key,
)
from playground.core.settings import SettingsStore
from tests.conftest import FAKE_KEY, OTHER_KEY, run
from tests.core.keyrings import BrokenKeyring, LockedKeyring, MemoryKeyring, PlaintextKeyring
from tests.core.observed_keyring import ObservedHangingKeyring


def _store(
    tmp_path: Path, backend: object, env: dict[str, str] | None = None, timeout: float = 3.0
) -> KeyStore:
    return KeyStore(
        SettingsStore(tmp_path / "settings.json"),
        backend=backend,
        env=env or {},
        cwd=tmp_path,
        timeout=timeout,
    )


def test_named_keys_first_becomes_active_and_use_switches(tmp_path: Path) -> None:
    backend = MemoryKeyring()
    store = _store(tmp_path, backend)
    run(store.save("personal-dev", FAKE_KEY))
    run(store.save("staging", OTHER_KEY))
    assert store.names() == ["personal-dev", "staging"] and store.active_name() == "personal-dev"
    active = run(store.active())
    assert active.key.reveal() == FAKE_KEY and active.source is KeySource.KEYRING
    store.use("staging")
    assert run(store.active()).key.reveal() == OTHER_KEY
    settings_text = (tmp_path / "settings.json").read_text()
    assert FAKE_KEY not in settings_text and OTHER_KEY not in settings_text and "staging" in settings_text


def test_replace_rename_and_remove(tmp_path: Path) -> None:
    backend = MemoryKeyring()
    store = _store(tmp_path, backend)
    run(store.save("a", FAKE_KEY))
    run(store.save("a", OTHER_KEY))
    assert run(store.get("a")).reveal() == OTHER_KEY and store.names() == ["a"]
    run(store.rename("a", "b"))
    assert store.names() == ["b"] and store.active_name() == "b"
    run(store.remove("b"))
    assert store.names() == [] and store.active_name() is None and backend.store == {}
    with pytest.raises(NoKeyError):
        run(store.active())
    with pytest.raises(ConfigError):
        store.use("b")


def test_environment_wins_then_dotenv(tmp_path: Path) -> None:
    store = _store(tmp_path, MemoryKeyring(), env={"OPENROUTER_API_KEY": f"  {OTHER_KEY}\n"})
    run(store.save("k", FAKE_KEY))
    active = run(store.active())
    assert active.source is KeySource.ENV and active.key.reveal() == OTHER_KEY
    assert OTHER_KEY not in active.describe() and "OPENROUTER_API_KEY" in active.describe()
    (tmp_path / ".env").write_text(f'OPENROUTER_API_KEY="{OTHER_KEY}"\n')
    from_dotenv = run(_store(tmp_path, MemoryKeyring()).active())
    assert from_dotenv.source is KeySource.DOTENV and from_dotenv.key.reveal() == OTHER_KEY


def test_session_only_key_is_never_written(tmp_path: Path) -> None:
    backend = MemoryKeyring()
    store = _store(tmp_path, backend)
    store.hold_for_session("temp", FAKE_KEY)
    active = run(store.active())
    assert active.source is KeySource.SESSION and active.key.reveal() == FAKE_KEY
    assert backend.store == {} and not (tmp_path / "settings.json").exists()


def test_paste_hygiene() -> None:
    assert normalize_key(f' "{FAKE_KEY}" \n') == (FAKE_KEY, [])
    assert normalize_key(f"Bearer {FAKE_KEY}")[0] == FAKE_KEY
    key, warnings = normalize_key("lm-studio-local-token")
    assert key == "lm-studio-local-token" and "does not look like an OpenRouter key" in warnings[0]
    for bad in ("", "   ", "sk-or v1", "clé-ünicode"):
        with pytest.raises(ConfigError):
            normalize_key(bad)


def test_api_key_is_masked_everywhere_but_reveal() -> None:
    key = ApiKey(FAKE_KEY)
    for shown in (str(key), repr(key), f"{key}", key.masked, str([key])):
        assert FAKE_KEY not in shown and "sk-or-v1-111...111" in shown


def test_fail_backend_means_unavailable_with_advice(tmp_path: Path) -> None:
    store = _store(tmp_path, keyring.backends.fail.Keyring())
    with pytest.raises(KeyringUnavailableError) as err:
        run(store.save("k", FAKE_KEY))
    assert "Secret Service" in str(err.value) and "OPENROUTER_API_KEY" in str(err.value)
    assert store.names() == []


def test_plaintext_backend_refused_unless_opted_in(tmp_path: Path) -> None:
    backend = PlaintextKeyring()
    store = _store(tmp_path, backend)
    with pytest.raises(KeyringUnavailableError, match="unencrypted"):
        run(store.save("k", FAKE_KEY))
    assert backend.store == {}
    store.settings.update(allow_plaintext_keyring=True)
    run(store.save("k", FAKE_KEY))
    assert backend.store


def test_locked_keyring(tmp_path: Path) -> None:
    with pytest.raises(KeyringLockedError, match="locked"):
        run(_store(tmp_path, LockedKeyring()).save("k", FAKE_KEY))


def test_hanging_keyring_times_out_without_blocking_the_loop(tmp_path: Path) -> None:
    backend = ObservedHangingKeyring()
    store = _store(tmp_path, backend, timeout=0.3)
    store.settings.update(key_names=("k",), active_key="k")

    async def go() -> int:
        ticks = 0

        async def tick() -> None:  # other work on the same loop, counted only while the read hangs
            nonlocal ticks
            while True:
                await asyncio.sleep(0.005)
                ticks += backend.hung

        ticker = asyncio.create_task(tick())
        with pytest.raises(KeyringTimeoutError, match="did not answer"):
            await store.active()
        assert backend.hung  # the call gave up while the keyring was still hanging, not when it woke up

        async def three_ticks() -> None:  # a loop blocked by the read could only tick after it returned
            while ticks < 3:
                await asyncio.sleep(0.005)

        await asyncio.wait_for(three_ticks(), 10)
        ticker.cancel()
        return ticks

    try:
        assert run(go()) >= 3
    finally:
        backend.release.set()


def test_unexpected_keyring_errors_are_typed_and_carry_no_secret(tmp_path: Path) -> None:
    with pytest.raises(KeyringError) as err:
        run(_store(tmp_path, BrokenKeyring()).save("k", FAKE_KEY))
    assert "9999" not in str(err.value) and "RuntimeError" in str(err.value)


def test_bad_names_refused(tmp_path: Path) -> None:
    store = _store(tmp_path, MemoryKeyring())
    for bad in ("", " ", "x" * 65, "tab\there"):
        with pytest.raises(ConfigError):
            run(store.save(bad, FAKE_KEY))
    run(store.save("ünïcødé 名前", FAKE_KEY))
    assert store.names() == ["ünïcødé 名前"]
