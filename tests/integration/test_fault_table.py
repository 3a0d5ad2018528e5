"""Every fault in one pane while two others stream normally - through the real CLI.

For each: the exit code, the words shown, the attempts made, and that the other answers are whole.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from playground.simulator import Behaviour, Simulator
from tests.cli.helpers import playground
from tests.conftest import FAKE_KEY
from tests.tls import self_signed_server_context

GOOD = ("sim/quick-mini", "sim/open-llama:free")

# (fault model, behaviour to script or None for the named fault, exit code, words in the error, attempts)
FAULTS = [
    ("fault/400", None, 1, "not a valid model ID", 1),
    ("fault/401", None, 1, "rejected the API key", 1),
    ("fault/402", None, 1, "not enough credits", 1),
    ("fault/403", None, 1, "moderation (403): harassment, violence", 1),
    ("fault/404", None, 1, "model not available", 1),
    ("fault/408", None, 1, "timed out (408)", 3),
    ("fault/413", None, 1, "too large", 1),
    ("fault/429", None, 1, "rate limited (429)", 3),
    ("fault/500", None, 1, "server error (500)", 3),
    ("fault/502", None, 1, "Example AI returned an error (502)", 3),
    ("fault/503", None, 1, "no provider is available", 3),
    ("fault/524", None, 1, "took too long", 3),
    ("fault/529", None, 1, "overloaded (529)", 3),
    ("fault/html", None, 1, "text/html instead of an event stream", 1),
    ("fault/disconnect", None, 1, "connection was lost mid-answer", 1),
    ("fault/malformed", None, 1, "malformed chunk", 1),
    ("fault/stream-error", None, 1, "returned an error (502)", 1),
    (
        "fault/stall",
        Behaviour(end="stall", end_after=3, stall_seconds=30),
        1,
        "no data from the server for 1 s",
        1,
    ),
    ("big/chunk", Behaviour(text="x" * 1_000_000), 0, "", 1),
    ("gz/stream", Behaviour(text="compressed answer", gzip=True), 0, "", 1),
]


@pytest.fixture(scope="module")
def fault_sim() -> Simulator:
    with Simulator(time_scale=0) as sim:
        yield sim  # type: ignore[misc]


@pytest.mark.parametrize(
    ("model", "behaviour", "code", "words", "attempts"), FAULTS, ids=[f[0] for f in FAULTS]
)
def test_fault_in_one_pane(
    fault_sim: Simulator,
    home: Path,
    model: str,
    behaviour: Behaviour | None,
    code: int,
    words: str,
    attempts: int,
) -> None:
    if behaviour is not None:
        fault_sim.set_default(model, behaviour)
    fault_sim.clear_log()
    result = playground(
        "compare",
        "--jsonl",
        "-m",
        GOOD[0],
        "-m",
        model,
        "-m",
        GOOD[1],
        "Hello",
        home=home,
        timeout=90,
        OPENROUTER_BASE_URL=fault_sim.base_url,
        OPENROUTER_API_KEY=FAKE_KEY,
        PLAYGROUND_IDLE_TIMEOUT="1",
    )
    assert result.returncode == code, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    ends = {e["model"]: e for e in events if e["type"] in ("done", "error")}
    for good in GOOD:
        assert ends[good]["type"] == "done" and not ends[good]["truncated"]
        text = "".join(e["text"] for e in events if e["model"] == good and e["type"] == "delta")
        assert text.endswith("emoji 🚀.")  # the whole answer arrived
    assert len(fault_sim.chat_requests(model)) == attempts
    if code:
        assert ends[model]["type"] == "error" and words in ends[model]["message"]
        assert "Traceback" not in result.stderr and "{" not in ends[model]["message"]
    else:
        assert ends[model]["finish_reason"] == "stop"


def test_one_megabyte_prompt(fault_sim: Simulator, home: Path) -> None:
    # a model with a 1M context: for a 128k one the check before sending refuses it (tested in preflight)
    result = playground(
        "compare",
        "--jsonl",
        "-m",
        "sim/long-context",
        "-",
        home=home,
        input="word " * 200_000,
        OPENROUTER_BASE_URL=fault_sim.base_url,
        OPENROUTER_API_KEY=FAKE_KEY,
    )
    assert result.returncode == 0, result.stderr
    sent = fault_sim.chat_requests()[-1].json()["messages"][-1]["content"]
    assert len(sent) == 1_000_000


def test_connection_refused(home: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = playground(
        "compare",
        "--jsonl",
        "-m",
        "a/b",
        "Hi",
        home=home,
        OPENROUTER_API_KEY=FAKE_KEY,
        OPENROUTER_BASE_URL=f"http://127.0.0.1:{port}/api/v1",
    )
    assert result.returncode == 1
    end = json.loads(result.stdout.splitlines()[-1])
    assert end["kind"] == "network" and end["attempts"] == 3 and "could not reach" in end["message"]


def test_tls_failure_with_a_self_signed_server(home: Path, tmp_path: Path) -> None:
    context = self_signed_server_context(tmp_path)
    with Simulator(time_scale=0, ssl_context=context, host="localhost") as sim:
        result = playground(
            "compare",
            "--jsonl",
            "-m",
            "sim/quick-mini",
            "Hi",
            home=home,
            OPENROUTER_API_KEY=FAKE_KEY,
            OPENROUTER_BASE_URL=sim.base_url,
        )
        received = list(sim.requests)
    assert result.returncode == 1
    end = json.loads(result.stdout.splitlines()[-1])
    assert "TLS certificate could not be verified" in end["message"]
    assert received == []  # no request (and so no key) got through
