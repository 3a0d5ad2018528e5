"""Keys through the real keyring (gnome-keyring over D-Bus in CI), driven by the real CLI."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest

from playground.core.secrets import KeySource, KeyStore
from playground.core.settings import SettingsStore
from playground.simulator import Behaviour, Simulator
from tests.cli.helpers import playground
from tests.conftest import FAKE_KEY, OTHER_KEY, run

pytestmark = pytest.mark.keyring


def _no_key_on_disk(home: Path, *keys: str) -> None:
    for path in home.rglob("*"):
        if path.is_file():
            text = path.read_bytes().decode("utf-8", "replace")
            for key in keys:
                assert key not in text and key[-12:] not in text, f"key material in {path}"


def test_cli_key_lifecycle_through_the_real_keyring(secret_service: str, home: Path, sim: Simulator) -> None:
    env = {"PLAYGROUND_KEYRING_SERVICE": secret_service, "OPENROUTER_BASE_URL": sim.base_url}
    first = playground("key", "set", "--name", "personal-dev", home=home, input=f"  '{FAKE_KEY}'\n", **env)
    assert first.returncode == 0, first.stderr
    assert "Saved key 'personal-dev' (sk-or-v1-111...111)" in first.stdout and "active key" in first.stdout
    assert keyring.get_password(secret_service, "personal-dev") == FAKE_KEY

    second = playground("key", "set", "--name", "staging", home=home, input=OTHER_KEY, **env)
    assert second.returncode == 0 and "It is now the active key" in second.stdout  # it works: it is used
    assert playground("key", "use", "personal-dev", home=home, **env).returncode == 0

    listing = playground("key", "list", home=home, **env).stdout
    assert "* personal-dev" in listing and "sk-or-v1-111...111  (active)" in listing
    assert "  staging" in listing and "sk-or-v1-222...222" in listing

    assert playground("key", "use", "staging", home=home, **env).returncode == 0
    tested = playground("key", "test", home=home, **env)
    assert tested.returncode == 0 and "key 'staging' from the system keyring" in tested.stdout
    assert sim.requests[-1].headers["authorization"] == f"Bearer {OTHER_KEY}"

    compared = playground("compare", "-m", "sim/quick-mini", "Hi", home=home, **env)
    assert compared.returncode == 0

    removed = playground("key", "remove", "staging", home=home, **env)
    assert removed.returncode == 0 and keyring.get_password(secret_service, "staging") is None
    assert "* personal-dev" in playground("key", "list", home=home, **env).stdout
    unknown = playground("key", "use", "nope", home=home, **env)
    assert unknown.returncode == 2 and "No key named 'nope'" in unknown.stderr
    _no_key_on_disk(home, FAKE_KEY, OTHER_KEY)


def test_replace_unicode_names_and_session_keys(secret_service: str, tmp_path: Path) -> None:
    store = KeyStore(SettingsStore(tmp_path / "settings.json"), env={}, cwd=tmp_path)
    run(store.save("ünïcødé 名前", FAKE_KEY))
    run(store.save("ünïcødé 名前", OTHER_KEY))
    assert keyring.get_password(secret_service, "ünïcødé 名前") == OTHER_KEY
    run(store.rename("ünïcødé 名前", "renamed"))
    assert keyring.get_password(secret_service, "ünïcødé 名前") is None
    assert run(store.active()).key.reveal() == OTHER_KEY
    store.hold_for_session("temp", FAKE_KEY)
    session = run(store.active())
    assert session.source is KeySource.SESSION and keyring.get_password(secret_service, "temp") is None
    _no_key_on_disk(tmp_path, FAKE_KEY, OTHER_KEY)


def test_cli_endpoint_key_is_bound_to_its_endpoint(secret_service: str, home: Path, sim: Simulator) -> None:
    """A second simulator posing as a plain OpenAI-compatible server, with its own key in the real
    keyring: one comparison across both, and neither key reaches the other server."""
    endpoint_key = "ollama-proxy-token-" + "9" * 24
    sim.valid_keys = {FAKE_KEY}
    with Simulator(time_scale=0, openai_compatible=True, valid_keys={endpoint_key}) as plain:
        plain.set_default("sim/balanced-pro", Behaviour(usage_form="none"))  # ignores include_usage
        env = {"PLAYGROUND_KEYRING_SERVICE": secret_service, "OPENROUTER_BASE_URL": sim.base_url}
        assert (
            playground("key", "set", "--name", "personal-dev", home=home, input=FAKE_KEY, **env).returncode
            == 0
        )
        added = playground(
            "endpoint", "add", "local", plain.base_url, "--key", home=home, input=endpoint_key, **env
        )
        assert added.returncode == 0, added.stderr
        assert keyring.get_password(secret_service, "endpoint:local") == endpoint_key
        assert "local" in playground("endpoint", "list", home=home, **env).stdout
        models = playground("endpoint", "models", "local", home=home, **env)
        assert "@local/sim/quick-mini" in models.stdout
        compared = playground(
            "compare", "-m", "sim/quick-mini", "-m", "@local/sim/balanced-pro", "Hello both", home=home, **env
        )
        assert compared.returncode == 0, compared.stdout + compared.stderr
        assert "~ estimated from the text" in compared.stdout
        assert any(
            line.startswith("@local/sim/balanced-pro") and " local " in line
            for line in compared.stdout.splitlines()
        )
        # the public model list may be fetched without a key; every other call carries this one
        unauthenticated = {r.path for r in sim.requests if r.headers.get("authorization") is None}
        assert all(path.split("?")[0].endswith("/models") for path in unauthenticated), unauthenticated
        openrouter_auth = {r.headers.get("authorization") for r in sim.requests} - {None}
        endpoint_auth = {r.headers.get("authorization") for r in plain.chat_requests()}
        assert openrouter_auth == {f"Bearer {FAKE_KEY}"} and endpoint_auth == {f"Bearer {endpoint_key}"}
        assert all(endpoint_key not in r.body.decode() for r in sim.requests)
        _no_key_on_disk(home, FAKE_KEY, endpoint_key)
        removed = playground("endpoint", "remove", "local", home=home, **env)
        assert removed.returncode == 0 and keyring.get_password(secret_service, "endpoint:local") is None
