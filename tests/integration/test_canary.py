"""The key never leaks: a canary key through every path, then a search for it everywhere."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncGenerator
from pathlib import Path

import pytest

from playground.core.compare import CompareRequest, CompareRun, PaneSpec
from playground.core.events import StreamEvent
from playground.core.logs import setup_logging
from playground.core.paths import AppPaths
from playground.core.request import ChatRequest
from playground.simulator import FAULTS, Behaviour, Simulator
from tests.cli.helpers import playground
from tests.conftest import CANARY_KEY

PIECES = (CANARY_KEY, CANARY_KEY[-12:], CANARY_KEY[9:30])


def _assert_clean(text: str, where: str) -> None:
    for piece in PIECES:
        assert piece not in text, f"key material in {where}"


def _scan_tree(root: Path) -> None:
    for path in root.rglob("*"):
        if path.is_file():
            _assert_clean(path.read_bytes().decode("utf-8", "replace"), str(path))


TEMPLATE = 'schema_version = 1\nname = "t"\nprompt = "Say {{x|hi}}"\nmodels = ["sim/quick-mini"]\n'


@pytest.mark.keyring
def test_canary_key_through_the_cli(secret_service: str, home: Path, tmp_path: Path) -> None:
    outputs: list[str] = []
    with Simulator(time_scale=0, valid_keys={CANARY_KEY}) as sim:
        env = {"PLAYGROUND_KEYRING_SERVICE": secret_service, "OPENROUTER_BASE_URL": sim.base_url}

        def cli(*args: str, stdin: str | None = None) -> None:
            result = playground(*args, "--verbose", home=home, input=stdin, **env)
            outputs.extend([result.stdout, result.stderr])

        cli("key", "set", "--name", "canary", stdin=CANARY_KEY + "\n")
        cli("key", "list")
        cli("key", "use", "canary")
        cli("key", "test")
        cli("models", "--refresh")
        cli("compare", "-m", "sim/quick-mini", "-m", "fault/401", "-m", "sim/deep-reasoner", "Hello")
        sim.script("sim/balanced-pro", FAULTS["429"], Behaviour(text="after retry"))
        cli("compare", "-m", "sim/balanced-pro", "Again")
        cli("compare", "--jsonl", "-m", "fault/stream-error", "Broken")
        template = tmp_path / "t.toml"
        template.write_text(TEMPLATE)
        cli("templates", "import", str(template))
        cli("templates", "run", "t")
        for fmt in ("md", "json", "csv"):
            cli("history", "export", "--format", fmt)
        cli("templates", "export", str(tmp_path / "exported"))
        cli("key", "remove", "canary")
        requests = list(sim.requests)
    assert any("after retry" in out for out in outputs), "\n".join(outputs)[-3000:]
    for index, out in enumerate(outputs):
        _assert_clean(out, f"output {index}")
    _scan_tree(home)
    _scan_tree(tmp_path / "exported")
    log_text = (home / "logs" / "playground.log").read_text()
    assert "HTTP Request" in log_text  # --verbose logged the requests...
    assert (
        "request model=sim/quick-mini served=sim/quick-mini provider=Simulated Labs generation=gen-"
        in log_text
    )
    assert "request model=fault/401 outcome=failed kind=auth status=401 retries=0" in log_text
    assert "retry model=sim/balanced-pro attempt=2" in log_text
    _assert_clean(log_text, "the log")  # ...and never the key
    authorised = 0
    for request in requests:
        for name, value in request.headers.items():
            if name == "authorization":
                authorised += value == f"Bearer {CANARY_KEY}"
            else:
                _assert_clean(value, f"header {name}")
        _assert_clean(request.body.decode("utf-8", "replace"), "a request body")
    assert authorised >= 6


def test_exceptions_with_a_key_in_them_are_masked_in_logs_and_events(tmp_path: Path) -> None:
    paths = AppPaths.from_env({"PLAYGROUND_HOME": str(tmp_path)})
    setup_logging(paths, verbose=False)

    class Exploding:
        async def _stream(self) -> AsyncGenerator[StreamEvent, None]:
            raise RuntimeError(f"handler blew up holding {CANARY_KEY}")
            yield  # pragma: no cover - makes this an async generator

        def stream_chat(self, request: ChatRequest) -> AsyncGenerator[StreamEvent, None]:
            return self._stream()

    async def go() -> CompareRun:
        comparison = CompareRun(Exploding(), CompareRequest("hi", (PaneSpec("a/b"),)))  # type: ignore[arg-type]
        comparison.start()
        await comparison.wait()
        return comparison

    try:
        comparison = asyncio.run(go())
    finally:
        for handler in logging.getLogger().handlers:
            handler.flush()
    failed = comparison.results[0].failed
    assert failed is not None and "internal error" in failed.message
    _assert_clean(failed.message + failed.detail, "the failure")
    log_text = paths.log_file.read_text()
    assert "RuntimeError" in log_text and "sk-or-v1-ccc...ccc" in log_text
    _assert_clean(log_text, "the log")
    setup_logging(AppPaths.from_env({"PLAYGROUND_HOME": str(tmp_path / "other")}))
    assert os.path.exists(paths.log_file)
