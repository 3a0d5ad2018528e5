"""``playground templates`` and ``playground history`` in a subprocess against the simulator."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from playground.simulator import Simulator
from tests.cli.helpers import playground, sim_env

TEMPLATE = '''schema_version = 1
name = "summarise"
description = "Summarise a text"
tags = ["writing"]
system = "You write for {{audience|busy engineers}}."
prompt = """Summarise in {{ words | 50 }} words: {{text}}"""
models = ["sim/quick-mini", "sim/balanced-pro"]

[params]
temperature = 0.3

[[cases]]
name = "short"
vars = { text = "Caching is fast." }

[[cases]]
name = "students"
vars = { text = "ETags.", audience = "students" }
'''


def _import(home: Path, tmp_path: Path) -> None:
    source = tmp_path / "summarise.toml"
    source.write_text(TEMPLATE)
    result = playground("templates", "import", str(source), home=home)
    assert result.returncode == 0 and "Imported 'summarise'" in result.stdout


def test_import_list_show(home: Path, tmp_path: Path) -> None:
    _import(home, tmp_path)
    (home / "data" / "templates" / "broken.toml").write_text("name = [")
    listing = playground("templates", "list", home=home)
    assert "summarise" in listing.stdout and "2 cases" in listing.stdout and "! broken.toml" in listing.stdout
    edited = tmp_path / "summarise.toml"
    edited.write_text(TEMPLATE.replace("Summarise in", "Condense into"))
    assert playground("templates", "import", str(edited), home=home).returncode == 2  # same name: refused
    shown = playground("templates", "show", "summarise", home=home).stdout
    assert "# variables: audience (default 'busy engineers'), words (default '50'), text" in shown
    assert "imported from summarise.toml" in shown
    as_json = json.loads(playground("templates", "list", "--json", home=home).stdout)
    assert {t["name"]: t["error"] is not None for t in as_json} == {"broken": True, "summarise": False}


def test_run_one_case_all_cases_and_vars(sim: Simulator, home: Path, tmp_path: Path) -> None:
    _import(home, tmp_path)
    one = playground("templates", "run", "summarise", "--case", "short", "--jsonl", home=home, **sim_env(sim))
    assert one.returncode == 0, one.stderr
    sent = sim.chat_requests("sim/quick-mini")[0].json()
    assert sent["messages"] == [
        {"role": "system", "content": "You write for busy engineers."},
        {"role": "user", "content": "Summarise in 50 words: Caching is fast."},
    ]
    assert sent["temperature"] == 0.3
    every = playground(
        "templates",
        "run",
        "summarise",
        "--all-cases",
        "--jsonl",
        "-m",
        "sim/quick-mini",
        "--var",
        "words=10",
        home=home,
        **sim_env(sim),
    )
    cases = {json.loads(line)["case"] for line in every.stdout.splitlines()}
    assert every.returncode == 0 and cases == {"short", "students"}
    assert sim.chat_requests()[-1].json()["messages"][1]["content"].startswith("Summarise in 10 words")
    override = playground(
        "templates",
        "run",
        "summarise",
        "--case",
        "short",
        "--system",
        "Be terse.",
        "--jsonl",
        home=home,
        **sim_env(sim),
    )
    assert override.returncode == 0
    assert sim.chat_requests()[-1].json()["messages"][0] == {"role": "system", "content": "Be terse."}
    missing = playground("templates", "run", "summarise", home=home, **sim_env(sim))
    assert missing.returncode == 2 and "needs a value for: text" in missing.stderr
    unknown = playground("templates", "run", "nope", home=home, **sim_env(sim))
    assert unknown.returncode == 2 and "No template named 'nope'" in unknown.stderr


def test_history_list_show_export(sim: Simulator, home: Path, tmp_path: Path) -> None:
    _import(home, tmp_path)
    playground("templates", "run", "summarise", "--case", "short", home=home, **sim_env(sim))
    playground("compare", "-m", "fault/402", "plain prompt", home=home, **sim_env(sim))
    listing = playground("history", "list", home=home).stdout
    assert "summarise" in listing and "short" in listing and "failed" in listing and "complete" in listing
    only = playground("history", "list", "--template", "summarise", home=home).stdout
    assert "plain prompt" not in only
    shown = playground("history", "show", "1", home=home).stdout
    assert "template summarise @" in shown and "=== sim/quick-mini (done" in shown
    exported = json.loads(playground("history", "export", "--format", "json", home=home).stdout)
    assert [r["prompt"] for r in exported] == ["plain prompt", "Summarise in 50 words: Caching is fast."]
    rows = list(
        csv.DictReader(io.StringIO(playground("history", "export", "--format", "csv", "1", home=home).stdout))
    )
    assert {r["model"] for r in rows} == {"sim/quick-mini", "sim/balanced-pro"}
    assert "# Run 2" in playground("history", "export", "--format", "md", home=home).stdout
    missing = playground("history", "show", "99", home=home)
    assert missing.returncode == 1 and "No run with id 99" in missing.stderr


def test_export_writes_toml_files(home: Path, tmp_path: Path) -> None:
    _import(home, tmp_path)
    out = tmp_path / "exported"
    assert playground("templates", "export", str(out), home=home).returncode == 0
    assert (out / "summarise.toml").read_text().startswith("schema_version = 1")


def test_show_diff_between_versions(home: Path, tmp_path: Path) -> None:
    _import(home, tmp_path)
    path = home / "data" / "templates" / "summarise.toml"
    path.write_text(path.read_text().replace("Summarise in", "Condense into"))
    playground("templates", "show", "summarise", home=home)  # records the edited file as version 2
    diff = playground("templates", "show", "summarise", "--diff", "1", "2", home=home).stdout
    assert '-prompt = "Summarise in' in diff and '+prompt = "Condense into' in diff
