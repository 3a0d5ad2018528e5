"""The real ``playground`` command against the hostile server: the key never reaches the terminal
or --jsonl, and the answer deadline is a setting the user can change."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.helpers import playground
from tests.conftest import FAKE_KEY
from tests.hostile import HostileServer, status


@pytest.fixture
def server() -> Iterator[HostileServer]:
    with HostileServer() as hostile:
        yield hostile


def _env(server: HostileServer, **extra: str) -> dict[str, str]:
    return {"OPENROUTER_BASE_URL": server.base_url, "OPENROUTER_API_KEY": FAKE_KEY, **extra}


def test_a_redirect_or_an_echo_never_shows_the_key(server: HostileServer, home: Path) -> None:
    server.answer("/key", status(307, "moved", location=f"http://elsewhere.example/?key={FAKE_KEY}"))
    runs = [
        playground(
            "compare", "-m", "hostile/redirect", "-m", "hostile/echo-key", "hi", home=home, **_env(server)
        ),
        playground("compare", "--jsonl", "-m", "hostile/redirect", "hi", home=home, **_env(server)),
        playground("key", "test", home=home, **_env(server)),
    ]
    for result in runs:
        shown = result.stdout + result.stderr
        assert FAKE_KEY not in shown and "key=" not in shown and FAKE_KEY[9:30] not in shown
        assert "Traceback" not in shown
    assert runs[0].returncode == 1 and "redirect (307)" in runs[0].stdout + runs[0].stderr
    assert "sk-or-v1-111...111" in runs[0].stdout
    error = [json.loads(line) for line in runs[1].stdout.splitlines() if '"error"' in line]
    assert error and "not followed" in error[0]["message"]


def test_the_answer_deadline_is_a_setting(server: HostileServer, home: Path) -> None:
    (home / "config").mkdir(parents=True, exist_ok=True)
    (home / "config" / "settings.json").write_text('{"schema_version": 1, "answer_deadline": 2}')
    result = playground("compare", "-m", "hostile/drip", "hi", home=home, **_env(server))
    assert result.returncode == 1
    assert "took longer than 2 s - stopped; the text so far is kept" in result.stdout + result.stderr
    assert "drop drop" in result.stdout
    again = playground(
        "compare", "-m", "hostile/drip", "hi", home=home, **_env(server, PLAYGROUND_ANSWER_DEADLINE="3")
    )
    assert "took longer than 3 s - stopped" in again.stdout + again.stderr
