"""``key test`` with a base URL that is refused: the refusal is shown, the URL's password never."""

from __future__ import annotations

from pathlib import Path

from playground.simulator import Simulator
from tests.cli.helpers import playground
from tests.conftest import FAKE_KEY


def test_a_refused_base_url_is_not_echoed_with_its_password(sim: Simulator, home: Path) -> None:
    url = sim.base_url.replace("http://", "http://me:hunter2-secret@")
    shown = playground("key", "test", home=home, OPENROUTER_BASE_URL=url, OPENROUTER_API_KEY=FAKE_KEY)
    assert shown.returncode == 2
    assert "contains a user name or password" in shown.stderr
    assert "hunter2-secret" not in shown.stdout + shown.stderr
