"""`playground compare` says what the window says before sending: an id the catalog does not list
(a note, as the pane's red model box), and a run estimated at or above the spend alert (refused,
as the window asks "Send anyway?" first, unless --send-anyway)."""

from __future__ import annotations

from pathlib import Path

from playground.simulator import Simulator
from tests.cli.helpers import playground, sim_env

UNKNOWN = "Unknown model id '{}' - not in OpenRouter's model list."


def test_a_mistyped_model_id_is_named_before_sending(sim: Simulator, home: Path) -> None:
    models = ("sim/quick-mini:nitro", "@preset/mine", "sim/quik-mini")
    result = playground("compare", *(f"-m{m}" for m in models), "hi", home=home, **sim_env(sim))
    assert UNKNOWN.format("sim/quik-mini") in result.stderr
    assert "playground models --search" in result.stderr  # how to find the right id
    assert result.stderr.count("Unknown model id") == 1  # a variant and a preset are not judged
    assert result.returncode == 1  # still sent, as the window does: the server has the last word
    assert len(sim.chat_requests()) == 3
    assert "Traceback" not in result.stderr


def _set_estimate_alert(home: Path, sim: Simulator, usd: str) -> None:
    saved = playground("usage", "--offline", "--alert-estimate", usd, home=home, **sim_env(sim))
    assert saved.returncode == 0, saved.stderr


def test_a_run_over_the_spend_alert_is_refused_until_send_anyway(sim: Simulator, home: Path) -> None:
    _set_estimate_alert(home, sim, "100")
    under = playground("compare", "-m", "sim/quick-mini", "hi", home=home, **sim_env(sim))
    assert under.returncode == 0 and "your alert" not in under.stderr  # under the alert: sent
    sim.clear_log()
    _set_estimate_alert(home, sim, "0.000001")
    refused = playground("compare", "-m", "sim/quick-mini", "hi", home=home, **sim_env(sim))
    assert refused.returncode == 2, refused.stderr
    assert "This comparison could cost up to $" in refused.stderr
    assert "at or above your alert of" in refused.stderr and "--send-anyway" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert sim.chat_requests() == []  # nothing was sent, nothing spent

    sent = playground("compare", "-m", "sim/quick-mini", "--send-anyway", "hi", home=home, **sim_env(sim))
    assert sent.returncode == 0, sent.stderr
    assert len(sim.chat_requests()) == 1 and "quick-mini" in sent.stdout


def test_templates_run_asks_the_same_before_sending(sim: Simulator, home: Path, tmp_path: Path) -> None:
    source = tmp_path / "ask.toml"
    source.write_text(
        'schema_version = 1\nname = "ask"\nprompt = "Say {{word}}"\nmodels = ["sim/quick-mini"]\n'
    )
    assert playground("templates", "import", str(source), home=home).returncode == 0
    _set_estimate_alert(home, sim, "0.000001")
    refused = playground("templates", "run", "ask", "--var", "word=hi", home=home, **sim_env(sim))
    assert refused.returncode == 2 and "--send-anyway" in refused.stderr
    assert sim.chat_requests() == []
    sent = playground(
        "templates", "run", "ask", "--var", "word=hi", "--send-anyway", home=home, **sim_env(sim)
    )
    assert sent.returncode == 0, sent.stderr
    assert len(sim.chat_requests()) == 1
