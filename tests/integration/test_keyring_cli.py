"""The real CLI on a private GNOME Keyring: which key each request carried, a rejected key at
``key set``, a malformed ``.env``, and ``playground simulate --key``."""

from __future__ import annotations

import hashlib
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from playground.simulator import Simulator
from tests.cli.helpers import playground
from tests.conftest import CANARY_KEY, FAKE_KEY, OTHER_KEY, cli_env
from tests.integration.keyring_daemon import PrivateKeyring, private_keyring


def fingerprint(value: str) -> str:
    """Compare keys by hash, so a failing assertion never prints one."""
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def carried(sim: Simulator) -> str:
    return fingerprint(sim.chat_requests()[-1].headers.get("authorization", ""))


def bearer(key: str) -> str:
    return fingerprint(f"Bearer {key}")


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[PrivateKeyring]:
    with private_keyring(tmp_path / "keyring") as kr:
        yield kr


@pytest.mark.keyring
def test_the_key_each_request_carried_follows_the_one_rule(daemon: PrivateKeyring, home: Path) -> None:
    with Simulator(time_scale=0, valid_keys={FAKE_KEY, OTHER_KEY, CANARY_KEY}) as sim:
        env = {"OPENROUTER_BASE_URL": sim.base_url, "DBUS_SESSION_BUS_ADDRESS": daemon.address}
        for name, key in (("work", FAKE_KEY), ("spare", OTHER_KEY)):
            saved = playground("key", "set", "--name", name, home=home, input=key, **env)
            assert saved.returncode == 0 and "It is now the active key" in saved.stdout, saved.stderr
        assert playground("compare", "-m", "sim/quick-mini", "Hi", home=home, **env).returncode == 0
        assert carried(sim) == bearer(OTHER_KEY)  # the last saved (it worked) is the active one
        assert playground("key", "use", "work", home=home, **env).returncode == 0
        assert playground("compare", "-m", "sim/quick-mini", "Hi", home=home, **env).returncode == 0
        assert carried(sim) == bearer(FAKE_KEY)

        with_env = {**env, "OPENROUTER_API_KEY": CANARY_KEY}
        used = playground("key", "use", "spare", home=home, **with_env)
        assert "OPENROUTER_API_KEY environment variable" in used.stderr and "used instead" in used.stderr
        assert playground("compare", "-m", "sim/quick-mini", "Hi", home=home, **with_env).returncode == 0
        assert carried(sim) == bearer(CANARY_KEY)  # the environment wins while it is set
        listing = playground("key", "list", home=home, **with_env).stdout
        assert "In use: key from the OPENROUTER_API_KEY environment variable" in listing
        assert "(active)" not in listing

        (home.parent / ".env").write_text("OPENROUTER_API_KEY=paste your key here\n")
        compared = playground("compare", "-m", "sim/quick-mini", "Hi", home=home, **env)
        assert compared.returncode == 0, compared.stderr
        assert carried(sim) == bearer(OTHER_KEY)  # the saved key in use, 'spare'
        assert "The key in the .env file is not a valid OpenRouter key" in compared.stderr
        assert "Traceback" not in compared.stderr and "paste your key here" not in compared.stderr
        removed = playground("key", "remove", "spare", home=home, **env)
        assert removed.returncode == 0 and "Key 'work' is now the active key." in removed.stdout


@pytest.mark.keyring
def test_key_set_keeps_a_rejected_key_only_when_asked_and_never_as_active(
    daemon: PrivateKeyring, home: Path
) -> None:
    with Simulator(time_scale=0, valid_keys={FAKE_KEY}) as sim:
        env = {"OPENROUTER_BASE_URL": sim.base_url, "DBUS_SESSION_BUS_ADDRESS": daemon.address}
        assert playground("key", "set", "--name", "work", home=home, input=FAKE_KEY, **env).returncode == 0
        refused = playground("key", "set", "--name", "bad", home=home, input=OTHER_KEY, **env)
        assert refused.returncode == 1 and "rejected this key (401)" in refused.stderr
        assert (
            "--save-rejected" in refused.stderr
            and "bad" not in playground("key", "list", home=home, **env).stdout
        )
        kept = playground("key", "set", "--name", "bad", "--save-rejected", home=home, input=OTHER_KEY, **env)
        assert kept.returncode == 0 and "not the key in use" in kept.stdout, kept.stderr
        listing = playground("key", "list", home=home, **env).stdout
        assert "* work" in listing and "  bad" in listing


def test_simulate_accepts_only_the_keys_given(home: Path) -> None:
    server = subprocess.Popen(
        [sys.executable, "-m", "playground", "simulate", "--port", "0", "--speed", "0", "--key", FAKE_KEY],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(home),
    )
    try:
        assert server.stdout is not None
        first = server.stdout.readline()
        url = first.split(" at ", 1)[1].strip()
        banner = first + server.stdout.readline() + server.stdout.readline()
        assert "only these keys are accepted (sk-or-v1-111...111)" in banner and FAKE_KEY not in banner
        rejected = playground("key", "test", home=home, OPENROUTER_API_KEY=OTHER_KEY, OPENROUTER_BASE_URL=url)
        assert rejected.returncode == 1 and "Key rejected" in rejected.stderr
        accepted = playground("key", "test", home=home, OPENROUTER_API_KEY=FAKE_KEY, OPENROUTER_BASE_URL=url)
        assert accepted.returncode == 0 and "The key works" in accepted.stdout
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=30)
