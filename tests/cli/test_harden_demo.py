"""Demo runs (on the built-in simulator) never land in the real history or count as real spend."""

from __future__ import annotations

import json
from pathlib import Path

from playground.core.context import AppContext
from playground.core.history import RunHistory
from tests.cli.helpers import playground


def test_demo_runs_stay_out_of_the_real_history_and_spend(home: Path) -> None:
    ran = playground("compare", "--demo", "-m", "sim/quick-mini", "Hi", home=home)
    assert ran.returncode == 0, ran.stderr
    listed = playground("history", "list", home=home)
    assert listed.returncode == 0 and "No runs recorded yet." in listed.stdout
    usage = playground("usage", "--offline", "--json", home=home)
    report = json.loads(usage.stdout)
    assert report["today"] == 0 and report["per_model"] == []
    demo = RunHistory(home / "data" / "demo-history.sqlite3")
    try:  # the demo run is kept, in its own file
        assert [r.models for r in demo.list_runs()] == [["sim/quick-mini"]]
    finally:
        demo.close()


def test_the_window_switching_to_the_demo_switches_history(home: Path) -> None:
    """The window's "Try the demo" starts the simulator mid-session: history follows it."""
    ctx = AppContext.from_env()
    try:
        assert ctx.history().path == home / "data" / "history.sqlite3"
        ctx.start_demo(time_scale=0)
        assert ctx.history().path == home / "data" / "demo-history.sqlite3"
        ctx.stop_demo()
        assert ctx.history().path == home / "data" / "history.sqlite3"
    finally:
        ctx.close()
