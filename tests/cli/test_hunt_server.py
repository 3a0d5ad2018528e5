"""Hostile-server findings of the hunt, through the real ``playground`` command: text a server can
legally send in JSON (a lone UTF-16 surrogate) or put in a model id (escapes, newlines) never costs
an answer, never reaches the terminal raw (not even with --verbose) and never forges a log line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from playground.simulator import Behaviour, Simulator
from tests.cli.helpers import playground, sim_env
from tests.conftest import FAKE_KEY
from tests.hostile import FINISH, HostileServer, Writer, _send, _stream_head, sse

LONE = "\ud800"  # valid JSON ("\\ud800"), but no UTF-8 encoder accepts it


@pytest.fixture
def server() -> Iterator[HostileServer]:
    with HostileServer() as hostile:
        yield hostile


def _env(server: HostileServer) -> dict[str, str]:
    return {"OPENROUTER_BASE_URL": server.base_url, "OPENROUTER_API_KEY": FAKE_KEY}


async def _surrogates(server: HostileServer, writer: Writer, body: dict[str, Any]) -> None:
    await _stream_head(writer)
    chunk = {"id": "gen-s", "model": f"hostile/s{LONE}", "provider": f"P{LONE}"}
    writer.write(sse({**chunk, "choices": [{"delta": {"content": f"kept {LONE} text"}}]}) + FINISH)


def test_a_lone_surrogate_from_the_server_keeps_the_answer(server: HostileServer, home: Path) -> None:
    server.queue["surrogate"] = [_surrogates, _surrogates, _surrogates]
    models = {"data": [{"id": f"hostile/m{LONE}", "name": f"N{LONE}", "pricing": {"prompt": "0"}}]}
    server.answer("/models", lambda s, w, b: _send(w, 200, json.dumps(models).encode()))
    shown = playground("compare", "-m", "hostile/surrogate", "hi", home=home, **_env(server))
    assert shown.returncode == 0, shown.stderr
    assert "kept \ufffd text" in shown.stdout and "Traceback" not in shown.stderr
    jsonl = playground("compare", "--jsonl", "-m", "hostile/surrogate", "hi", home=home, **_env(server))
    assert [json.loads(line)["text"] for line in jsonl.stdout.splitlines() if '"delta"' in line] == [
        "kept \ufffd text"
    ]
    listed = playground("history", "show", "1", home=home)
    assert listed.returncode == 0 and "kept \ufffd text" in listed.stdout
    catalog = playground("models", "--refresh", home=home, **_env(server))
    assert catalog.returncode == 0 and "hostile/m\ufffd" in catalog.stdout, catalog.stderr


FORGED = "\n2026-01-01 00:00:00,000 WARNING playground: key sk-or-v1-000...000 rejected"


async def _forger(server: HostileServer, writer: Writer, body: dict[str, Any]) -> None:
    await _stream_head(writer)
    chunk = {"id": "gen-f", "model": f"hostile/f\x1b]0;owned\x07\x1b[2J{FORGED}", "provider": "P\r"}
    writer.write(sse({**chunk, "choices": [{"delta": {"content": "fine"}}]}) + FINISH)


def test_server_text_in_the_log_neither_escapes_nor_forges(server: HostileServer, home: Path) -> None:
    server.queue["forger"] = [_forger]
    shown = playground("--verbose", "compare", "-m", "hostile/forger", "hi", home=home, **_env(server))
    assert shown.returncode == 0, shown.stderr
    log = (home / "logs" / "playground.log").read_text("utf-8")
    for text in (shown.stderr, log):
        assert "served=" in text  # the line that carries the served model id is there...
        assert "\x1b" not in text and "\x07" not in text and "\r" not in text  # ...escaped
        assert "\\x1b]0;owned" in text
        assert "\n2026-01-01 00:00:00,000 WARNING" not in text  # no line of its own


def test_words_that_end_in_sk_are_not_masked_as_keys(sim: Simulator, home: Path) -> None:
    text = (
        "Run a risk-assessment-framework review; ask-questions-before-answering on each task-tracking-board."
    )
    sim.set_default("sim/quick-mini", Behaviour(text=text))
    shown = playground("compare", "-m", "sim/quick-mini", "hi", home=home, **sim_env(sim))
    assert shown.returncode == 0 and text in shown.stdout
    assert text in playground("history", "show", "1", home=home).stdout


async def _upper_echo(server: HostileServer, writer: Writer, body: dict[str, Any]) -> None:
    key = server.seen[-1].headers.get("authorization", "").removeprefix("Bearer ").upper()
    await _stream_head(writer)
    chunk = {"id": "gen-u", "model": "hostile/u\u202e$0.00 :tsoc", "provider": "P"}
    pieces = ["Your key: S", key[1:30], key[30:], " \u2066done\u2069"]
    writer.write(b"".join(sse({**chunk, "choices": [{"delta": {"content": p}}]}) for p in pieces) + FINISH)


def test_an_upper_cased_key_and_bidi_overrides_never_reach_the_terminal(
    server: HostileServer, home: Path
) -> None:
    server.queue["upper"] = [_upper_echo]
    shown = playground("compare", "-m", "hostile/upper", "hi", home=home, **_env(server))
    assert shown.returncode == 0, shown.stderr
    for text in (shown.stdout, playground("history", "show", "1", home=home).stdout):
        assert FAKE_KEY.upper()[9:40] not in text and "SK-...111" in text
    assert "\u202e" not in shown.stdout and "\\u202e$0.00 :tsoc" in shown.stdout
    assert "\\u2066done\\u2069" in shown.stdout


def _json_answer(payload: dict[str, Any]) -> Any:
    return lambda s, w, b: _send(w, 200, json.dumps(payload).encode())


@pytest.mark.parametrize("limit", [-5, 1e300, "lots"])
def test_an_unreadable_spending_limit_is_unknown_not_no_limit(
    limit: object, server: HostileServer, home: Path
) -> None:
    server.answer("/key", _json_answer({"data": {"label": "k", "limit": limit, "usage": 1}}))
    server.answer("/credits", _json_answer({"data": {"total_credits": "many", "total_usage": -1}}))
    tested = playground("key", "test", home=home, **_env(server))
    assert tested.returncode == 0, tested.stderr
    assert "Spending limit:    unknown (the server's figure is not an amount)" in tested.stdout
    assert "Account credits:   unknown (the server's figures are not amounts)" in tested.stdout
    usage = playground("usage", home=home, **_env(server))
    assert "limit:     unknown (the server's figure is not an amount)" in usage.stdout
    assert "no limit" not in tested.stdout + usage.stdout
