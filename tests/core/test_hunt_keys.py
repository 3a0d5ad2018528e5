"""A key named like the keyring entry of an endpoint's key (``endpoint:NAME``) would overwrite that
key, and removing it would delete it: such names are refused, and the endpoint's key is untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from playground.core.endpoints import keyring_name
from playground.core.errors import ConfigError
from playground.core.secrets import KeyStore
from playground.core.settings import SettingsStore
from tests.conftest import FAKE_KEY, run
from tests.core.keyrings import MemoryKeyring

ENDPOINT_SECRET = "lan-token-" + "7" * 20


@pytest.mark.parametrize("name", [keyring_name("ollama"), "Endpoint:ollama", "playground-check"])
def test_a_key_cannot_take_the_name_of_an_endpoint_key(name: str, tmp_path: Path) -> None:
    backend = MemoryKeyring()
    store = KeyStore(SettingsStore(tmp_path / "settings.json"), backend=backend, env={}, cwd=tmp_path)
    run(store.save_secret(keyring_name("ollama"), ENDPOINT_SECRET))
    with pytest.raises(ConfigError, match="is reserved"):
        run(store.save(name, FAKE_KEY))
    run(store.save("work", FAKE_KEY))
    with pytest.raises(ConfigError, match="is reserved"):
        run(store.rename("work", name))
    secret = run(store.get_secret(keyring_name("ollama")))
    assert secret is not None and secret.reveal() == ENDPOINT_SECRET and store.names() == ["work"]
