"""``playground compare`` and ``models`` in a subprocess against the simulator."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from playground.simulator import Behaviour, Simulator
from tests.cli.helpers import playground, sim_env
from tests.conftest import FAKE_KEY, cli_env


def test_version(home: Path) -> None:
    result = playground("--version", home=home)
    assert result.returncode == 0 and result.stdout.strip().startswith("playground 0.")


def test_compare_piped_prints_labelled_blocks_and_a_figures_table(sim: Simulator, home: Path) -> None:
    sim.script("sim/quick-mini", Behaviour(text="Alpha answer"))
    sim.script("sim/balanced-pro", Behaviour(text="Beta answer"))
    result = playground(
        "compare", "-m", "sim/quick-mini", "-m", "sim/balanced-pro", "Hello?", home=home, **sim_env(sim)
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "=== [1] sim/quick-mini - done ===\nAlpha answer" in out
    assert "=== [2] sim/balanced-pro - done ===\nBeta answer" in out
    header = next(line for line in out.splitlines() if line.startswith("model "))
    for column in ("served", "provider", "TTFT", "tok/s", "in", "out", "reasoning", "cost", "finish"):
        assert column in header
    assert "Simulated Labs" in out and "total cost: $" in out
    assert result.stderr == ""
    sent = sim.chat_requests()[0]
    assert sent.headers["authorization"] == f"Bearer {FAKE_KEY}"
    assert sent.headers["x-openrouter-title"] == "Prompt Playground" and sent.headers["x-title"]
    assert sent.headers["http-referer"].startswith("https://")


def test_compare_jsonl_events(sim: Simulator, home: Path) -> None:
    result = playground(
        "compare",
        "--jsonl",
        "-m",
        "sim/quick-mini",
        "-m",
        "sim/deep-reasoner",
        "--temperature",
        "0.3",
        "--max-tokens",
        "40",
        "Hi",
        home=home,
        **sim_env(sim),
    )
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert all({"model", "type"} <= e.keys() for e in events)
    for model in ("sim/quick-mini", "sim/deep-reasoner"):
        types = [e["type"] for e in events if e["model"] == model]
        assert types[0] == "start" and types[-1] == "done" and "delta" in types and "usage" in types
    assert any(e["type"] == "reasoning" for e in events)
    done = [e for e in events if e["type"] == "done"]
    assert {d["finish_reason"] for d in done} == {"length"}
    body = sim.chat_requests()[0].json()
    assert body["temperature"] == 0.3 and body["max_tokens"] == 40 and "top_p" not in body


def test_one_failing_model_exits_1_while_the_others_finish(sim: Simulator, home: Path) -> None:
    result = playground(
        "compare",
        "-m",
        "sim/quick-mini",
        "-m",
        "fault/402",
        "-m",
        "fault/truncate",
        "Hi",
        home=home,
        **sim_env(sim),
    )
    assert result.returncode == 1
    assert "sim/quick-mini - done ===" in result.stdout
    assert "fault/402: not enough credits (402)" in result.stdout
    assert "[cut off: the stream ended without a finish reason" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_prompt_from_stdin(sim: Simulator, home: Path) -> None:
    result = playground(
        "compare",
        "--jsonl",
        "-m",
        "sim/quick-mini",
        "-",
        home=home,
        input="Prompt from a pipe",
        **sim_env(sim),
    )
    assert result.returncode == 0
    assert sim.chat_requests()[0].json()["messages"][-1]["content"] == "Prompt from a pipe"


def test_system_prompt_is_sent_first(sim: Simulator, home: Path) -> None:
    playground(
        "compare", "--jsonl", "-m", "sim/quick-mini", "--system", "Be brief.", "Hi", home=home, **sim_env(sim)
    )
    messages = sim.chat_requests()[0].json()["messages"]
    assert messages == [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]


def test_usage_errors_exit_2(sim: Simulator, home: Path) -> None:
    for args in (
        ["compare", "-m", "a/b", "--temperature", "5", "Hi"],
        ["compare", "Hi"],
        ["compare", "-m", "a/b", "   "],
        ["models", "--max-price", "cheap"],
    ):
        result = playground(*args, home=home, **sim_env(sim))
        assert result.returncode == 2, (args, result.stderr)
        assert "Traceback" not in result.stderr


def test_no_key_exits_2_with_the_way_out(sim: Simulator, home: Path) -> None:
    result = playground(
        "compare",
        "-m",
        "sim/quick-mini",
        "Hi",
        home=home,
        OPENROUTER_BASE_URL=sim.base_url,
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
    )
    assert result.returncode == 2
    assert "playground key set" in result.stderr and "--demo" in result.stderr


def test_unsafe_base_url_is_refused_before_any_request(home: Path) -> None:
    result = playground(
        "compare",
        "-m",
        "a/b",
        "Hi",
        home=home,
        OPENROUTER_API_KEY=FAKE_KEY,
        OPENROUTER_BASE_URL="http://example.com/api/v1",
    )
    assert result.returncode == 2 and "only sent over https" in result.stderr
    assert FAKE_KEY not in result.stderr


def test_demo_needs_no_key(home: Path) -> None:
    result = playground(
        "compare",
        "--demo",
        "--jsonl",
        "-m",
        "sim/quick-mini",
        "Hi",
        home=home,
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1])["type"] == "done"


def test_ctrl_c_stops_every_stream_and_exits_cleanly(sim: Simulator, home: Path) -> None:
    sim.set_default("sim/quick-mini", Behaviour(text="word " * 2000, tokens_per_second=100, ttft=0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "playground", "compare", "--jsonl", "-m", "sim/quick-mini", "Hi"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(home, **sim_env(sim)),
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()
    assert json.loads(first)["type"] == "start"
    time.sleep(0.3)
    os.kill(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 1
    last = json.loads(out.splitlines()[-1])
    assert last["type"] == "error" and last["kind"] == "stopped"
    assert err == ""
    deadline = time.monotonic() + 2
    while sim.open_connections and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sim.open_connections == 0


def test_models_filters_and_json(sim: Simulator, home: Path) -> None:
    result = playground("models", "--json", "--free", home=home, OPENROUTER_BASE_URL=sim.base_url)
    assert result.returncode == 0, result.stderr
    assert [m["id"] for m in json.loads(result.stdout)] == ["sim/open-llama:free"]
    cheap = playground(
        "models",
        "--json",
        "--max-price",
        "2",
        "--min-context",
        "100000",
        home=home,
        OPENROUTER_BASE_URL=sim.base_url,
    )
    assert {m["id"] for m in json.loads(cheap.stdout)} == {"sim/quick-mini", "sim/long-context"}
    found = playground("models", "--search", "reason deep", home=home, OPENROUTER_BASE_URL=sim.base_url)
    assert "sim/deep-reasoner" in found.stdout and "sim/quick-mini" not in found.stdout
    assert "prompt $/M" in found.stdout and "$1.10" in found.stdout


def test_models_offline_serves_the_cache_with_its_age(home: Path) -> None:
    with Simulator(time_scale=0) as server:
        url = server.base_url
        assert playground("models", home=home, OPENROUTER_BASE_URL=url).returncode == 0
    result = playground("models", "--refresh", home=home, OPENROUTER_BASE_URL=url)
    assert result.returncode == 0
    assert "sim/quick-mini" in result.stdout and "offline - cached just now" in result.stderr


def test_window_without_a_display_explains_the_cli_instead(home: Path) -> None:
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["PLAYGROUND_HOME"] = str(home)
    result = subprocess.run(
        [sys.executable, "-m", "playground", "--demo"], capture_output=True, text=True, env=env, timeout=30
    )
    assert result.returncode == 2
    assert "no display found" in result.stderr and "playground compare --demo" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_log_has_one_line_per_request_with_its_figures(sim: Simulator, home: Path) -> None:
    playground("compare", "-m", "sim/quick-mini", "-m", "fault/404", "Hi", home=home, **sim_env(sim))
    log_text = (home / "logs" / "playground.log").read_text()
    line = next(line for line in log_text.splitlines() if "request model=sim/quick-mini" in line)
    for field in (
        "served=sim/quick-mini",
        "provider=Simulated Labs",
        "generation=gen-",
        "outcome=complete",
        "finish=stop",
        "retries=0",
        "ttft=",
        "duration=",
        "tokens_in=",
        "tokens_out=",
        "cost=0.",
    ):
        assert field in line, field
    assert "request model=fault/404 outcome=failed kind=not_found status=404" in log_text
    assert FAKE_KEY not in log_text and "Hi" not in line
