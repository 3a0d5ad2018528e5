"""Privacy: no live formulas in CSV exports, history and log readable by their owner only, and the
key's source said when it is not the keyring."""

from __future__ import annotations

import csv
import io
import stat
from pathlib import Path

from playground.core.compare import CompareRequest, PaneSpec
from playground.core.history import RunHistory
from playground.core.leaderboard import Standing, to_csv
from playground.simulator import Behaviour, Simulator
from tests.cli.helpers import playground
from tests.conftest import FAKE_KEY

FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1"]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_history_csv_escapes_formulas_and_keeps_numbers(sim: Simulator, home: Path) -> None:
    sim.set_default("sim/quick-mini", Behaviour(text=FORMULAS[0], tokens_per_second=0, ttft=0))
    env = {"OPENROUTER_BASE_URL": sim.base_url, "OPENROUTER_API_KEY": FAKE_KEY}
    playground("compare", "-m", "sim/quick-mini", FORMULAS[1], home=home, **env)
    exported = playground("history", "export", "--format", "csv", home=home)
    (row,) = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert row["answer"] == "'" + FORMULAS[0] and row["prompt"] == "'" + FORMULAS[1]
    assert row["tokens_out"].isdigit() and float(row["cost_usd"]) > 0  # figures stay numbers
    as_json = playground("history", "export", "--format", "json", home=home)
    assert FORMULAS[0].replace('"', '\\"') in as_json.stdout  # other formats keep the exact text


def test_leaderboard_csv_escapes_model_ids() -> None:
    standings = [Standing(m, 1000.0, 900.0, 1100.0, 3, 2, 1) for m in FORMULAS]
    rows = list(csv.reader(io.StringIO(to_csv(standings))))[1:]
    assert [r[1] for r in rows] == ["'" + m for m in FORMULAS]
    assert rows[0][2] == "1000.0"


def test_history_and_its_wal_and_the_log_are_private(sim: Simulator, home: Path, tmp_path: Path) -> None:
    env = {"OPENROUTER_BASE_URL": sim.base_url, "OPENROUTER_API_KEY": FAKE_KEY}
    assert playground("compare", "-m", "sim/quick-mini", "Hi", home=home, **env).returncode == 0
    assert _mode(home / "data" / "history.sqlite3") == 0o600
    assert _mode(home / "logs" / "playground.log") == 0o600
    history = RunHistory(tmp_path / "h.sqlite3")
    try:  # while open, SQLite's side files exist: they take the database's mode
        history.start_run(CompareRequest("x", (PaneSpec("a/b"),)))
        for name in ("h.sqlite3", "h.sqlite3-wal", "h.sqlite3-shm"):
            assert _mode(tmp_path / name) == 0o600, name
    finally:
        history.close()


def test_an_older_world_readable_history_and_log_are_tightened(sim: Simulator, home: Path) -> None:
    (home / "data").mkdir(parents=True)
    (home / "logs").mkdir(parents=True)
    RunHistory(home / "data" / "history.sqlite3").close()
    (home / "data" / "history.sqlite3").chmod(0o644)
    (home / "logs" / "playground.log").write_text("old line\n")
    (home / "logs" / "playground.log").chmod(0o644)
    env = {"OPENROUTER_BASE_URL": sim.base_url, "OPENROUTER_API_KEY": FAKE_KEY}
    assert playground("compare", "-m", "sim/quick-mini", "Hi", home=home, **env).returncode == 0
    assert _mode(home / "data" / "history.sqlite3") == 0o600
    assert _mode(home / "logs" / "playground.log") == 0o600


def test_a_key_from_dotenv_or_the_environment_is_named_on_stderr(sim: Simulator, home: Path) -> None:
    (home.parent / ".env").write_text(f"OPENROUTER_API_KEY={FAKE_KEY}\n")
    from_dotenv = playground(
        "compare", "-m", "sim/quick-mini", "Hi", home=home, OPENROUTER_BASE_URL=sim.base_url
    )
    assert from_dotenv.returncode == 0, from_dotenv.stderr
    assert (
        "note: using the key from OPENROUTER_API_KEY in the .env file (sk-or-v1-111...111)"
        in from_dotenv.stderr
    )
    assert FAKE_KEY not in from_dotenv.stderr + from_dotenv.stdout
    (home.parent / ".env").unlink()
    env = {"OPENROUTER_BASE_URL": sim.base_url, "OPENROUTER_API_KEY": FAKE_KEY}
    only_key = playground("usage", home=home, **env)
    assert "note:" not in only_key.stderr  # the variable is the only key there is: nothing overridden
    (home / "config").mkdir(parents=True, exist_ok=True)
    (home / "config" / "settings.json").write_text('{"key_names": ["work"], "active_key": "work"}')
    overriding = playground("usage", home=home, **env)
    assert (
        "note: using the key from the OPENROUTER_API_KEY environment variable (sk-or-v1-111...111), "
        "instead of the saved key 'work'" in overriding.stderr
    )
