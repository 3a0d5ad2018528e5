"""Text from a server reaches the terminal with its control characters shown, not obeyed.

An answer, a model name, a provider, an error message or a key label can carry escape sequences
(clear the screen, set the window title, a hyperlink) or a carriage return that overwrites an earlier
line (a forged cost line). Every terminal view shows them as visible escapes; ``--jsonl`` and exports
keep the exact text.
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from playground.simulator import Behaviour, Simulator
from playground.simulator.models import DEFAULT_MODELS
from tests.cli.helpers import playground, sim_env
from tests.cli.test_cli_more import _read_all
from tests.conftest import cli_env

HOSTILE = "Sure.\x1b]0;pwned\x07\x1b[2J\rtotal cost: $0.00\x9b31m\x08\x00 end"
CONTROLS = ("\x1b", "\x07", "\r", "\x9b", "\x08", "\x00")


def _clean(text: str) -> bool:
    return not any(c in text for c in CONTROLS)


def _hostile(sim: Simulator) -> None:
    sim.set_default(
        "sim/quick-mini",
        Behaviour(
            text=HOSTILE,
            served_model="sim/quick-mini\x1b[8m",
            provider="Evil\x1b]8;;http://evil.example/\x07Corp",
            tokens_per_second=0,
            ttft=0,
        ),
    )
    sim.set_default(
        "fault/500", Behaviour(status=500, error_message="upstream \x1b[2J\x1b]0;gotcha\x07 broke")
    )


def test_piped_compare_figures_and_errors_show_escapes(sim: Simulator, home: Path) -> None:
    _hostile(sim)
    result = playground("compare", "-m", "sim/quick-mini", "-m", "fault/500", "Hi", home=home, **sim_env(sim))
    assert result.returncode == 1
    assert _clean(result.stdout) and _clean(result.stderr), repr(result.stdout)
    assert "Sure.\\x1b]0;pwned\\x07\\x1b[2J\\rtotal cost: $0.00\\x9b31m\\b\\0 end" in result.stdout
    assert "Evil\\x1b]8;;http://evil.example/\\x07Corp" in result.stdout  # in the figures table
    assert "\\x1b]0;gotcha\\x07" in result.stdout  # the failed pane's message


def test_jsonl_and_exports_keep_the_exact_text(sim: Simulator, home: Path) -> None:
    _hostile(sim)
    result = playground("compare", "--jsonl", "-m", "sim/quick-mini", "Hi", home=home, **sim_env(sim))
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert "".join(e["text"] for e in events if e["type"] == "delta") == HOSTILE
    exported = playground("history", "export", "--format", "json", home=home)
    assert json.loads(exported.stdout)[0]["answers"][0]["answer"] == HOSTILE
    markdown = playground("history", "export", "--format", "md", home=home)
    assert "Sure.\x1b]0;pwned\x07\x1b[2J" in markdown.stdout  # (text mode reads the CR as a newline)


def test_history_show_and_list_show_escapes(sim: Simulator, home: Path) -> None:
    _hostile(sim)
    playground(
        "compare",
        "-m",
        "sim/quick-mini",
        "--system",
        "be \x1b[5m nice",
        "Hi \x1b[2J",
        home=home,
        **sim_env(sim),
    )
    shown = playground("history", "show", "1", home=home)
    assert shown.returncode == 0, shown.stderr
    assert _clean(shown.stdout) and "\\x1b]0;pwned" in shown.stdout and "be \\x1b[5m nice" in shown.stdout
    listed = playground("history", "list", home=home)
    assert _clean(listed.stdout) and "Hi \\x1b[2J" in listed.stdout


def test_models_key_test_and_usage_show_escapes(home: Path) -> None:
    evil = replace(DEFAULT_MODELS[0], name="Mini\x1b]0;owned\x07\x1b[2J", id="sim/evil\x1b[31m")
    with Simulator(models=[evil, *DEFAULT_MODELS[1:]], time_scale=0) as sim:
        sim.key_data["label"] = "sk-or-v1-\x1b]0;label\x07"
        sim.key_data["limit_reset"] = "monthly\r$999 remaining"
        models = playground("models", "--refresh", home=home, **sim_env(sim))
        assert models.returncode == 0, models.stderr
        assert _clean(models.stdout) and "Mini\\x1b]0;owned\\x07\\x1b[2J" in models.stdout
        as_json = playground("models", "--json", home=home, **sim_env(sim))
        assert evil.name in [m["name"] for m in json.loads(as_json.stdout)]
        tested = playground("key", "test", home=home, **sim_env(sim))
        assert tested.returncode == 0, tested.stderr
        assert _clean(tested.stdout) and "\\x1b]0;label\\x07" in tested.stdout
        usage = playground("usage", home=home, **sim_env(sim))
        assert _clean(usage.stdout) and "monthly\\r$999 remaining" in usage.stdout


def test_the_live_terminal_view_escapes_answers_but_draws_its_own_lines(sim: Simulator, home: Path) -> None:
    _hostile(sim)
    main, child = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "playground", "compare", "-m", "sim/quick-mini", "Hi"],
        stdout=child,
        stderr=child,
        stdin=subprocess.DEVNULL,
        env=cli_env(home, TERM="xterm", **sim_env(sim)),
    )
    os.close(child)
    output = _read_all(main, proc).decode("utf-8", "replace")
    proc.wait(10)
    os.close(main)
    assert "\\x1b]0;pwned\\x07" in output
    assert "\x1b]0;" not in output and "\x07" not in output and "\x9b" not in output
