"""Routing flags, ``usage`` and ``log`` in a subprocess against the simulator."""

from __future__ import annotations

from pathlib import Path

from playground.simulator import Behaviour, Simulator
from tests.cli.helpers import playground, sim_env
from tests.conftest import FAKE_KEY


def test_routing_flags_reach_the_request_and_fallback_is_shown(sim: Simulator, home: Path) -> None:
    result = playground(
        "compare",
        "-m",
        "fault/502",
        "--fallback",
        "sim/quick-mini",
        "--provider-order",
        "Fast Lane,Simulated Labs",
        "--ignore",
        "Budget Cloud",
        "--sort",
        "throughput",
        "--deny-data-collection",
        "--max-price",
        "10,40",
        "--no-provider-fallbacks",
        "hi",
        home=home,
        **sim_env(sim),
    )
    assert result.returncode == 0, result.stderr
    body = sim.chat_requests()[0].json()
    assert body["models"] == ["fault/502", "sim/quick-mini"]
    assert body["provider"] == {
        "order": ["Fast Lane", "Simulated Labs"],
        "ignore": ["Budget Cloud"],
        "allow_fallbacks": False,
        "sort": "throughput",
        "data_collection": "deny",
        "max_price": {"prompt": 10.0, "completion": 40.0},
    }
    assert (
        "=== [1] fault/502 (fallback taken: sim/quick-mini answered, not fault/502) - done ==="
        in result.stdout
    )
    assert "Fast Lane" in result.stdout  # the provider that answered, in the figures table


def test_unmeetable_routing_exits_1_with_what_to_relax(sim: Simulator, home: Path) -> None:
    result = playground(
        "compare", "-m", "sim/balanced-pro", "--only", "Nobody Inc", "hi", home=home, **sim_env(sim)
    )
    assert result.returncode == 1
    assert (
        "no provider meets the routing constraints (503) - relax only providers Nobody Inc" in result.stdout
    )
    assert "Traceback" not in result.stderr


def test_bad_routing_values_are_usage_errors(sim: Simulator, home: Path) -> None:
    result = playground(
        "compare", "-m", "sim/quick-mini", "--max-price", "lots", "hi", home=home, **sim_env(sim)
    )
    assert result.returncode == 2 and "dollars per million tokens" in result.stderr
    many = [a for m in ("a/1", "a/2", "a/3", "a/4") for a in ("--fallback", m)]
    result = playground("compare", "-m", "sim/quick-mini", *many, "hi", home=home, **sim_env(sim))
    assert result.returncode == 2 and "At most 3 fallback models" in result.stderr
    assert sim.chat_requests() == []


def test_template_routing_defaults_and_cli_override(sim: Simulator, home: Path) -> None:
    folder = home / "data" / "templates"
    folder.mkdir(parents=True)
    (folder / "routed.toml").write_text(
        'schema_version = 1\nname = "routed"\nprompt = "Hello"\nmodels = ["sim/quick-mini"]\n'
        '[routing]\nonly = ["Fast Lane", "Simulated Labs"]\nsort = "latency"\n',
        "utf-8",
    )
    result = playground("templates", "run", "routed", "--sort", "price", home=home, **sim_env(sim))
    assert result.returncode == 0, result.stdout + result.stderr
    body = sim.chat_requests()[0].json()
    assert body["provider"] == {"only": ["Fast Lane", "Simulated Labs"], "sort": "price"}


def test_usage_shows_key_figures_history_and_alerts(sim: Simulator, home: Path) -> None:
    import json

    sim.key_data = {"limit": 5, "limit_remaining": 0.75, "usage_daily": 0.01}
    assert playground("compare", "-m", "sim/balanced-pro", "hi", home=home, **sim_env(sim)).returncode == 0
    result = playground(
        "usage", "--json", "--alert-remaining", "0.75", "--alert-daily", "100", home=home, **sim_env(sim)
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["key"]["limit"] == 5 and data["key"]["limit_remaining"] == 0.75
    assert [m["model"] for m in data["per_model"]] == ["sim/balanced-pro"]
    assert data["per_model"][0]["cost"] > 0 and data["today"] == data["per_model"][0]["cost"]
    assert [a["kind"] for a in data["alerts"]] == ["low_credit"]  # at its threshold; daily far off
    text = playground("usage", home=home, **sim_env(sim)).stdout
    assert "ALERT: Credit low: $0.75 left on this key" in text and "Per template" in text
    # the key check warns too
    tested = playground("key", "test", home=home, **sim_env(sim))
    assert tested.returncode == 0 and "ALERT: Credit low" in tested.stdout
    # turned off, nothing fires
    off = playground("usage", "--json", "--alert-remaining", "0", home=home, **sim_env(sim))
    assert json.loads(off.stdout)["alerts"] == []


def test_usage_without_a_key_still_shows_local_spend(home: Path) -> None:
    result = playground("usage", home=home)
    assert result.returncode == 2  # no key is a configuration problem; the local figures still print
    assert "figures unavailable" in result.stdout and "This app, from history: today $0" in result.stdout


def test_log_holds_prompts_only_when_switched_on(sim: Simulator, home: Path) -> None:
    log = home / "logs" / "playground.log"
    playground("compare", "-m", "sim/quick-mini", "Zanzibar question", home=home, **sim_env(sim))
    assert "request model=sim/quick-mini" in log.read_text() and "Zanzibar" not in log.read_text()
    switched = playground("log", "--prompts", "on", home=home)
    assert "Prompts and answers in the log: on" in switched.stdout and str(log) in switched.stdout
    sim.script("sim/quick-mini", Behaviour(text="Pemba"))
    playground("compare", "-m", "sim/quick-mini", "Zanzibar question", home=home, **sim_env(sim))
    text = log.read_text()
    assert "messages=['Zanzibar question']" in text and "answer='Pemba'" in text
    assert FAKE_KEY not in text
    playground("log", "--prompts", "off", home=home)
    playground("compare", "-m", "sim/quick-mini", "Mombasa question", home=home, **sim_env(sim))
    assert "Mombasa" not in log.read_text()
