"""``playground key`` paths that need no keyring daemon: refusals and a missing keyring."""

from __future__ import annotations

from pathlib import Path

from playground.simulator import Simulator
from tests.cli.helpers import playground
from tests.conftest import CANARY_KEY, FAKE_KEY, OTHER_KEY

NO_KEYRING = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


def test_key_set_refuses_a_key_in_argv_without_echoing_it(home: Path) -> None:
    result = playground("key", "set", CANARY_KEY, home=home, **NO_KEYRING)
    assert result.returncode == 2
    assert "Refusing a key given on the command line" in result.stderr
    assert CANARY_KEY not in result.stdout + result.stderr and CANARY_KEY[-12:] not in result.stderr


def test_argparse_errors_never_echo_a_key(home: Path) -> None:
    result = playground("models", CANARY_KEY, home=home)
    assert (
        result.returncode == 2 and CANARY_KEY not in result.stderr and CANARY_KEY[-12:] not in result.stderr
    )


def test_missing_keyring_explains_and_stores_nothing(home: Path) -> None:
    result = playground("key", "set", "--name", "work", home=home, input=FAKE_KEY + "\n", **NO_KEYRING)
    assert result.returncode == 2
    assert "No system keyring is available" in result.stderr and "OPENROUTER_API_KEY" in result.stderr
    for path in home.rglob("*"):
        if path.is_file():
            assert FAKE_KEY not in path.read_text(errors="replace")


def test_key_test_with_the_environment_key(sim: Simulator, home: Path) -> None:
    result = playground(
        "key", "test", home=home, OPENROUTER_API_KEY=FAKE_KEY, OPENROUTER_BASE_URL=sim.base_url
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "from the OPENROUTER_API_KEY environment variable (sk-or-v1-111...111)" in out
    assert "Spending limit:    $20.00 (remaining $12.50, resets monthly)" in out
    assert "today $0.42" in out and "200 requests / 10s" in out
    assert "Account credits:   not available for this key type" in out
    assert FAKE_KEY not in out + result.stderr


def test_key_test_rejected_key_is_distinct_from_network_failure(home: Path) -> None:
    with Simulator(time_scale=0, valid_keys={OTHER_KEY}) as sim:
        rejected = playground(
            "key", "test", home=home, OPENROUTER_API_KEY=FAKE_KEY, OPENROUTER_BASE_URL=sim.base_url
        )
        url = sim.base_url
    assert rejected.returncode == 1 and "Key rejected" in rejected.stderr
    unreachable = playground("key", "test", home=home, OPENROUTER_API_KEY=FAKE_KEY, OPENROUTER_BASE_URL=url)
    assert unreachable.returncode == 1 and "Could not reach OpenRouter" in unreachable.stderr
    assert "says nothing about the key" in unreachable.stderr


def test_key_test_falls_back_to_the_legacy_path(home: Path) -> None:
    with Simulator(time_scale=0) as sim:
        original = sim._get

        async def no_new_path(path, request, writer):  # type: ignore[no-untyped-def]
            if path == "/key":
                path = "/gone"
            await original(path, request, writer)

        sim._get = no_new_path  # type: ignore[method-assign]
        result = playground(
            "key", "test", home=home, OPENROUTER_API_KEY=FAKE_KEY, OPENROUTER_BASE_URL=sim.base_url
        )
        paths = [r.path for r in sim.requests]
    assert result.returncode == 0, result.stderr
    assert paths[:2] == ["/api/v1/key", "/api/v1/auth/key"]


def test_management_key_shows_credits(home: Path) -> None:
    with Simulator(time_scale=0, key_data={"is_management_key": True}) as sim:
        result = playground(
            "key", "test", home=home, OPENROUTER_API_KEY=FAKE_KEY, OPENROUTER_BASE_URL=sim.base_url
        )
    assert "Account credits:   $17.75 left of $25.00" in result.stdout


def test_a_hanging_keyring_times_out_with_advice(home: Path) -> None:
    import time

    start = time.monotonic()
    result = playground(
        "key",
        "set",
        "--name",
        "work",
        home=home,
        input=FAKE_KEY + "\n",
        PYTHON_KEYRING_BACKEND="tests.core.keyrings.HangingKeyring",
        PYTHONPATH=str(Path(__file__).resolve().parents[2]),
    )
    assert time.monotonic() - start < 10
    assert result.returncode == 2
    assert "did not answer within 3 s" in result.stderr and "OPENROUTER_API_KEY" in result.stderr
    assert "session only" not in result.stderr  # the window offers a session key; a command cannot
    assert "Traceback" not in result.stderr


def test_a_locked_keyring_says_so(home: Path) -> None:
    result = playground(
        "key",
        "set",
        home=home,
        input=FAKE_KEY + "\n",
        PYTHON_KEYRING_BACKEND="tests.core.keyrings.LockedKeyring",
        PYTHONPATH=str(Path(__file__).resolve().parents[2]),
    )
    assert result.returncode == 2 and "keyring is locked" in result.stderr
