"""A judge that answers ``"score": NaN`` (or Infinity) gives no verdict: the assertion fails with a
reason, and ``--json`` / ``--jsonl`` stay valid JSON for the tools that read them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from playground.simulator import Behaviour, Simulator
from tests.cli.helpers import playground, sim_env

TEMPLATE = """schema_version = 1
name = "judged"
prompt = "Explain {{text}}"
models = ["sim/quick-mini"]
[[assert]]
type = "llm-rubric"
value = "mentions caching"
[[cases]]
name = "one"
vars = { text = "caching" }
"""


def _strict(line: str) -> object:
    return json.loads(line, parse_constant=lambda name: pytest.fail(f"{name} in the JSON output"))


@pytest.mark.parametrize("score", ["NaN", "Infinity"])
def test_a_score_that_is_not_a_number_is_no_verdict(
    score: str, sim: Simulator, home: Path, tmp_path: Path
) -> None:
    (tmp_path / "judged.toml").write_text(TEMPLATE)
    assert playground("templates", "import", str(tmp_path / "judged.toml"), home=home).returncode == 0
    sim.set_default(
        "sim/balanced-pro", Behaviour(text=f'{{"pass": true, "score": {score}, "reason": "fine"}}')
    )
    args = ("templates", "test", "judged", "--judge", "sim/balanced-pro")
    lines = playground(*args, "--jsonl", home=home, **sim_env(sim)).stdout.splitlines()
    events = [_strict(line) for line in lines]
    verdicts = [e for e in events if isinstance(e, dict) and e.get("type") == "assertion"]
    assert [v["reason"] for v in verdicts] == ["the judge sim/balanced-pro did not answer with a verdict"]
    document = playground(*args, "--json", home=home, **sim_env(sim))
    assert document.returncode == 1 and _strict(document.stdout)
