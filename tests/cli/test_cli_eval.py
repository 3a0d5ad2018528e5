"""``playground templates test`` in a subprocess against the simulator: exit codes, JSON lines, JUnit,
the cost cap, resume, version regressions and the judge."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from playground.simulator import Simulator
from playground.simulator.behaviour import Behaviour
from tests.cli.helpers import playground, sim_env

A, B = "sim/quick-mini", "sim/balanced-pro"
TEMPLATE = """schema_version = 1
name = "explain"
prompt = "Explain {{text}}"
models = ["sim/quick-mini", "sim/balanced-pro"]

[[assert]]
type = "not-regex"
value = "(?i)as an ai"

[[cases]]
name = "short"
vars = { text = "caching" }
assert = [ { type = "icontains", value = "etag" } ]

[[cases]]
name = "long"
vars = { text = "ETags" }
"""


def _setup(home: Path, tmp_path: Path, text: str = TEMPLATE, *flags: str) -> None:
    source = tmp_path / "explain.toml"
    source.write_text(text)
    result = playground("templates", "import", *flags, str(source), home=home)
    assert result.returncode == 0, result.stderr


def _lines(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def test_all_passing_exits_0_and_prints_the_matrix(sim: Simulator, home: Path, tmp_path: Path) -> None:
    _setup(home, tmp_path)
    sim.set_default(A, Behaviour(text="Caching with an ETag."))
    sim.set_default(B, Behaviour(text="Use ETags."))
    result = playground("templates", "test", "explain", home=home, **sim_env(sim))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 of 4 passed" in result.stdout
    assert "pass rate  100%" in result.stdout.replace("  100%  ", "  100%  ")


def test_a_failing_assertion_exits_1_and_says_why(sim: Simulator, home: Path, tmp_path: Path) -> None:
    _setup(home, tmp_path)
    sim.set_default(A, Behaviour(text="As an AI, I cannot say. ETag."))
    sim.set_default(B, Behaviour(text="Use ETags."))
    result = playground("templates", "test", "explain", home=home, **sim_env(sim))
    assert result.returncode == 1
    assert (
        "FAIL  short x sim/quick-mini - regex /(?i)as an ai/ matched, which not-regex forbids"
        in result.stdout
    )
    assert "2 of 4 passed" in result.stdout


def test_server_text_is_escaped_on_the_terminal(sim: Simulator, home: Path, tmp_path: Path) -> None:
    _setup(home, tmp_path, TEMPLATE.replace('value = "etag"', 'value = "zzz"'))
    sim.set_default(A, Behaviour(status=400, error_message="bad \x1b[31mred\x1b[0m"))
    result = playground("templates", "test", "explain", "-m", A, "--case", "short", home=home, **sim_env(sim))
    assert result.returncode == 1
    assert "\x1b[31m" not in result.stdout


def test_invalid_assertions_exit_2_before_anything_is_sent(
    sim: Simulator, home: Path, tmp_path: Path
) -> None:
    broken = TEMPLATE.replace(
        '{ type = "icontains", value = "etag" }', '{ type = "javascript", value = "1" }'
    )
    _setup(home, tmp_path, broken)
    result = playground("templates", "test", "explain", home=home, **sim_env(sim))
    assert result.returncode == 2
    assert "explain.toml: case 'short', assertion 1: 'javascript' runs code" in result.stderr
    assert "Traceback" not in result.stderr
    assert sim.chat_requests() == []


def test_jsonl_events_and_junit_xml(sim: Simulator, home: Path, tmp_path: Path) -> None:
    _setup(home, tmp_path)
    sim.set_default(A, Behaviour(text="Caching with an ETag."))
    sim.set_default(B, Behaviour(text="No tags here."))
    junit = tmp_path / "report.xml"
    result = playground(
        "templates", "test", "explain", "--jsonl", "--junit", str(junit), home=home, **sim_env(sim)
    )
    assert result.returncode == 1
    events = _lines(result.stdout)
    assert events[0]["type"] == "start" and events[-1]["type"] == "summary"
    assertion = next(e for e in events if e["type"] == "assertion" and not e["pass"])
    assert {"case", "model", "repeat", "assertion", "pass", "reason"} <= set(assertion)
    assert (assertion["case"], assertion["model"], assertion["assertion"]) == ("short", B, "icontains")
    cells = [e for e in events if e["type"] == "cell"]
    assert len(cells) == 4 and {"pass", "score"} <= set(cells[0])
    failed = next(c for c in cells if c["model"] == B and c["case"] == "short")
    assert failed["score"] == 0.5 and failed["pass"] is False
    suite = ET.parse(junit).getroot()
    assert suite.get("tests") == "4" and suite.get("failures") == "1"
    failure = suite.find("testcase[@name='sim/balanced-pro'][@classname='explain.short']/failure")
    assert failure is not None and failure.get("message") == "'etag' not found"


def test_max_cost_refuses_to_start_above_the_estimate(sim: Simulator, home: Path, tmp_path: Path) -> None:
    _setup(home, tmp_path)
    refused = playground("templates", "test", "explain", "--max-cost", "0.0001", home=home, **sim_env(sim))
    assert refused.returncode == 2
    assert "is above --max-cost $0.0001" in refused.stderr and "Nothing was sent" in refused.stderr
    assert sim.chat_requests() == []
    allowed = playground("templates", "test", "explain", "--max-cost", "5", home=home, **sim_env(sim))
    assert allowed.returncode in (0, 1) and len(sim.chat_requests()) == 4


def test_repeats_report_a_pass_rate_per_cell(sim: Simulator, home: Path, tmp_path: Path) -> None:
    _setup(home, tmp_path)
    sim.script(A, Behaviour(text="ETag"), Behaviour(text="nothing"), Behaviour(text="ETag"))
    result = playground(
        "templates", "test", "explain", "-m", A, "--case", "short", "--repeat", "3", "--concurrency", "1",
        home=home, **sim_env(sim),
    )  # fmt: skip
    assert result.returncode == 1
    assert "2/3 (2 answers)" in result.stdout


def test_resume_sends_only_the_missing_cells(sim: Simulator, home: Path, tmp_path: Path) -> None:
    _setup(home, tmp_path)
    sim.set_default(A, Behaviour(text="ETag"))
    sim.set_default(B, Behaviour(status=400, error_message="Temporarily refused"))
    first = playground("templates", "test", "explain", "--json", home=home, **sim_env(sim))
    assert first.returncode == 1
    report = json.loads(first.stdout)
    assert report["errors"] == 2
    sim.clear_log()
    sim.set_default(B, Behaviour(text="ETag"))
    again = playground(
        "templates",
        "test",
        "explain",
        "--resume",
        str(report["test_run"]),
        "--json",
        home=home,
        **sim_env(sim),
    )
    assert again.returncode == 0, again.stdout + again.stderr
    assert sorted(r.json()["model"] for r in sim.chat_requests()) == [B, B]
    assert json.loads(again.stdout)["passed"] == 4


def test_against_an_older_version_reports_regressions(sim: Simulator, home: Path, tmp_path: Path) -> None:
    _setup(home, tmp_path)
    _setup(home, tmp_path, TEMPLATE.replace("Explain {{text}}", "Describe {{text}}"), "--replace")
    # the current version's cells are sent first, then the older one's
    sim.script(A, Behaviour(text="no"), Behaviour(text="no"), Behaviour(text="ETag"), Behaviour(text="ETag"))
    result = playground(
        "templates",
        "test",
        "explain",
        "-m",
        A,
        "--against",
        "1",
        "--concurrency",
        "1",
        home=home,
        **sim_env(sim),
    )
    assert result.returncode == 1
    assert " vs " in result.stdout and "1 regressed, 1 unchanged" in result.stdout
    assert "regressed: short x sim/quick-mini" in result.stdout
    sent = [r.json()["messages"][-1]["content"] for r in sim.chat_requests(A)]
    assert sent[:2] == ["Describe caching", "Describe ETags"] and sent[-2:] == [
        "Explain caching",
        "Explain ETags",
    ]


def test_the_judge_grades_rubrics_and_its_order_bias_is_neutralised(
    sim: Simulator, home: Path, tmp_path: Path
) -> None:
    judged = (
        TEMPLATE
        + '\n[[cases]]\nname = "best"\nvars = { text = "caches" }\nassert = [ { type = "select-best", value = "Mentions ETags" } ]\n'
    )
    _setup(home, tmp_path, judged)
    sim.set_default(A, Behaviour(text="Short."))
    sim.set_default(B, Behaviour(text="Longer, with ETags."))
    fair = playground(
        "templates",
        "test",
        "explain",
        "--case",
        "best",
        "--judge",
        "judge/fair",
        "--jsonl",
        home=home,
        **sim_env(sim),
    )
    (pick,) = [e for e in _lines(fair.stdout) if e["type"] == "judge"]
    assert pick["winner"] == B and pick["flipped"] is False
    biased = playground(
        "templates", "test", "explain", "--case", "best", "--judge", "judge/biased", home=home, **sim_env(sim)
    )
    assert biased.returncode == 1
    assert "changed its pick when the order was swapped in 1 of 1 cases" in biased.stdout
    assert "a tie: the judge picked" in biased.stdout
    board = playground("leaderboard", "--scope", "judge", "--json", home=home)
    assert board.returncode == 0, board.stderr
    assert json.loads(board.stdout)["votes"] == 2
    blind = json.loads(playground("leaderboard", "--json", home=home).stdout)
    assert blind["votes"] == 0  # the judge's verdicts never mix with blind votes


def test_unknown_case_and_template_are_usage_errors(sim: Simulator, home: Path, tmp_path: Path) -> None:
    _setup(home, tmp_path)
    assert playground("templates", "test", "nope", home=home, **sim_env(sim)).returncode == 2
    unknown = playground("templates", "test", "explain", "--case", "zzz", home=home, **sim_env(sim))
    assert unknown.returncode == 2 and "no case 'zzz'" in unknown.stderr


def test_demo_needs_no_key(home: Path, tmp_path: Path) -> None:
    _setup(home, tmp_path)
    result = playground("templates", "test", "explain", "--demo", "--json", home=home)
    assert result.returncode in (0, 1), result.stderr
    assert json.loads(result.stdout)["cells"]


def test_the_readme_walkthrough_passes_on_the_demo(home: Path, tmp_path: Path) -> None:
    import re

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")
    (block,) = [b for b in re.findall(r"```toml\n(.*?)```", readme, re.DOTALL) if 'name = "explain"' in b]
    source = tmp_path / "explain.toml"
    source.write_text(block)
    assert playground("templates", "import", str(source), home=home).returncode == 0
    result = playground(
        "templates", "test", "explain", "--demo", "--junit", str(tmp_path / "t.xml"), home=home
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "caching    PASS            PASS                   100%" in result.stdout
    assert "2 of 2 passed" in result.stdout
    assert ET.parse(tmp_path / "t.xml").getroot().get("failures") == "0"


def test_ctrl_c_keeps_what_finished_and_the_run_resumes(sim: Simulator, home: Path, tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    from tests.conftest import cli_env

    _setup(home, tmp_path)
    sim.set_default(A, Behaviour(text="ETag"))
    sim.set_default(B, Behaviour(text="ETag " * 50, tokens_per_second=2))  # B's answers take ~25 s
    process = subprocess.Popen(
        [sys.executable, "-m", "playground", "templates", "test", "explain", "--jsonl"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli_env(home, **sim_env(sim)),
    )  # fmt: skip
    assert process.stdout is not None
    lines = []
    for line in process.stdout:  # wait for A's two cells (events, not time)
        lines.append(json.loads(line))
        if sum(e["type"] == "cell" for e in lines) == 2:
            break
    process.send_signal(signal.SIGINT)
    rest, errors = process.communicate(timeout=30)
    assert process.returncode == 1, errors
    events = lines + _lines(rest)
    summary = events[-1]
    assert summary["type"] == "summary" and summary["stopped"] is True and summary["passed"] == 2
    sim.clear_log()
    sim.set_default(B, Behaviour(text="ETag"))
    resumed = playground(
        "templates", "test", "explain", "--resume", str(summary["test_run"]), home=home, **sim_env(sim)
    )
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert sorted(r.json()["model"] for r in sim.chat_requests()) == [B, B]


def test_invalid_assertions_name_the_file_as_it_is_on_disk(sim: Simulator, home: Path) -> None:
    folder = home / "data" / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Team prompt (shared).toml").write_text(
        'name = "shared"\nprompt = "Hi"\nmodels = ["sim/quick-mini"]\n[[assert]]\ntype = "regex"\nvalue = "(oops"\n'
    )
    result = playground("templates", "test", "shared", home=home, **sim_env(sim))
    assert result.returncode == 2
    assert (
        "Team prompt (shared).toml: [[assert]], assertion 1 (regex): not a valid regular expression"
        in result.stderr
    )
    assert sim.chat_requests() == []


def test_leaderboard_says_too_few_votes_and_never_ranks_across_groups(home: Path) -> None:
    from playground.core.compare import CompareRequest, PaneSpec
    from playground.core.context import AppContext
    from playground.core.history import RunHistory

    history = RunHistory(AppContext.from_env({"PLAYGROUND_HOME": str(home)}).paths.history_db)
    try:
        for winner, loser, times in (("a", "b", 6), ("b", "a", 2), ("c", "d", 1)):
            for _ in range(times):
                run_id = history.start_run(CompareRequest("p", (PaneSpec(winner), PaneSpec(loser))))
                history.save_vote(run_id, "best", [winner, loser])
    finally:
        history.close()
    result = playground("leaderboard", home=home)
    assert result.returncode == 0, result.stderr
    rows = {line.split()[1]: line.split() for line in result.stdout.splitlines()[2:]}
    assert rows["a"][0] == "1" and rows["c"][0] == "1"  # each group ranked on its own
    assert rows["c"][-1] == "2" and "too few votes" in " ".join(rows["c"])
    assert "too few votes" not in " ".join(rows["a"])
    assert "2 separate groups" in result.stderr
