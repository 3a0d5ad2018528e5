"""A model list with absurd figures from the server: the figures read as unknown ("?"), and the
cache written from it reads back - it is not "damaged" on every later command, with a copy set aside
each time."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.helpers import playground
from tests.conftest import FAKE_KEY
from tests.hostile import HostileServer, _send

MODELS = [
    {
        "id": "odd/huge",
        "name": "Huge",
        "context_length": 10**35,
        "created": 10**31,
        "pricing": {"prompt": "1e308", "completion": "99999999999999999999999"},
    },
    {
        "id": "odd/fine",
        "name": "Fine",
        "context_length": 8192,
        "pricing": {"prompt": "0.000001", "completion": "0.000002"},
    },
    {"id": "odd/" + "x" * 5000, "name": "Too long an id"},
]


def test_absurd_model_figures_read_as_unknown_and_the_cache_reads_back(home: Path) -> None:
    body = json.dumps({"data": MODELS}).replace('"created": ' + str(10**31), '"created": ' + "9" * 45)
    with HostileServer() as server:
        server.answer("/models", lambda s, w, b: _send(w, 200, body.encode()))
        env = {"OPENROUTER_BASE_URL": server.base_url, "OPENROUTER_API_KEY": FAKE_KEY}
        fetched = playground("models", "--refresh", home=home, **env)
        assert fetched.returncode == 0, fetched.stderr
        huge = next(line for line in fetched.stdout.splitlines() if line.startswith("odd/huge"))
        assert huge.split()[2:] == ["?", "?", "?"]
        assert "xxxxxxxxxx" not in fetched.stdout and "2 of 2 models" in fetched.stderr
        again = playground("models", home=home, **env)
    assert again.returncode == 0 and "damaged" not in again.stderr and "cached" in again.stderr
    assert "odd/fine" in again.stdout
    assert [p.name for p in (home / "cache").iterdir() if "corrupt" in p.name] == []
