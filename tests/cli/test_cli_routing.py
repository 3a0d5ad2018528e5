"""Routing flags on ``compare`` and ``templates run``, in a subprocess against the simulator."""

from __future__ import annotations

from pathlib import Path

from playground.simulator import Simulator
from tests.cli.helpers import playground
from tests.conftest import FAKE_KEY


def _env(sim: Simulator) -> dict[str, str]:
    return {"OPENROUTER_BASE_URL": sim.base_url, "OPENROUTER_API_KEY": FAKE_KEY}


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
        **_env(sim),
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
        "compare", "-m", "sim/balanced-pro", "--only", "Nobody Inc", "hi", home=home, **_env(sim)
    )
    assert result.returncode == 1
    assert (
        "no provider meets the routing constraints (503) - relax only providers Nobody Inc" in result.stdout
    )
    assert "Traceback" not in result.stderr


def test_bad_routing_values_are_usage_errors(sim: Simulator, home: Path) -> None:
    result = playground(
        "compare", "-m", "sim/quick-mini", "--max-price", "lots", "hi", home=home, **_env(sim)
    )
    assert result.returncode == 2 and "dollars per million tokens" in result.stderr
    many = [a for m in ("a/1", "a/2", "a/3", "a/4") for a in ("--fallback", m)]
    result = playground("compare", "-m", "sim/quick-mini", *many, "hi", home=home, **_env(sim))
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
    result = playground("templates", "run", "routed", "--sort", "price", home=home, **_env(sim))
    assert result.returncode == 0, result.stdout + result.stderr
    body = sim.chat_requests()[0].json()
    assert body["provider"] == {"only": ["Fast Lane", "Simulated Labs"], "sort": "price"}
