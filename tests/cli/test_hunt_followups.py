"""Hostile inputs found by the hunt in the templates, URL and prompt readers: each ended in an internal
error, a hang or a memory blow-up before, and is now a clear usage error or a broken-template entry."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from playground.simulator import Simulator
from tests.cli.helpers import playground, sim_env
from tests.conftest import FAKE_KEY, cli_env

ABSURD = """schema_version = 1
name = "absurd"
prompt = "Explain {{text}}"
models = ["sim/quick-mini"]
[params]
temperature = 1e400
max_tokens = 99999999999999999999999999999
[[cases]]
name = "one"
vars = { text = "x" }
"""


def test_template_params_out_of_range_are_a_clear_error(sim: Simulator, home: Path, tmp_path: Path) -> None:
    # core/templates.py _params takes any value: `templates run` ends "an internal error stopped this
    # answer (ValueError) ... Out of range float values are not JSON compliant", `templates test`
    # "something went wrong (OverflowError)".
    (tmp_path / "absurd.toml").write_text(ABSURD)
    imported = playground("templates", "import", str(tmp_path / "absurd.toml"), home=home)
    listed = playground("templates", "list", home=home)
    ran = playground("templates", "run", "absurd", "--case", "one", home=home, **sim_env(sim))
    tested = playground("templates", "test", "absurd", home=home, **sim_env(sim))
    for shown in (imported, listed, ran, tested):
        words = shown.stdout + shown.stderr
        assert "internal error" not in words and "something went wrong" not in words
    assert imported.returncode == 2 or "broken" in listed.stdout


def test_a_base_url_with_an_impossible_port_is_a_usage_error(home: Path) -> None:
    # core/openrouter/urls.py valid_url/check_base_url do not check the port: compare shows "an
    # internal error stopped this answer (ExceptionGroup)", key test / usage / models "something went
    # wrong (ExceptionGroup)"; `endpoint add x http://10.0.0.5:99999/v1` is accepted.
    env = {"OPENROUTER_BASE_URL": "http://127.0.0.1:99999/api/v1", "OPENROUTER_API_KEY": FAKE_KEY}
    for args in (("compare", "-m", "a/b", "hi"), ("key", "test"), ("usage",), ("models", "--refresh")):
        shown = playground(*args, home=home, **env)
        assert shown.returncode == 2, args
        assert "ExceptionGroup" not in shown.stdout + shown.stderr
    added = playground("endpoint", "add", "lan", "http://10.0.0.5:99999/v1", home=home)
    assert added.returncode == 2


def test_a_prompt_piped_from_an_endless_source_is_refused(sim: Simulator, home: Path) -> None:
    # commands/compare.py reads PROMPT "-" with sys.stdin.buffer.read(): `< /dev/zero` fills the
    # memory ("something went wrong (MemoryError)" under a memory limit, else the machine swaps).
    # Run here under a 2 GB address-space limit so the failing case stays harmless.
    code = (
        "import resource, runpy, sys; resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30));"
        "sys.argv = ['playground', 'compare', '-m', 'sim/quick-mini', '-']; runpy.run_module('playground', run_name='__main__')"
    )
    with open("/dev/zero", "rb") as zero:
        shown = subprocess.run(
            [sys.executable, "-c", code],
            stdin=zero,
            capture_output=True,
            text=True,
            timeout=120,
            env=cli_env(home, **sim_env(sim)),
        )
    assert shown.returncode == 2 and "PROMPT" in shown.stderr and "MemoryError" not in shown.stderr


def test_a_folder_named_like_a_template_is_listed_as_broken(home: Path) -> None:
    # core/templates.py read_template_bytes: os.open() of a directory succeeds, os.fdopen() raises
    # IsADirectoryError outside the try - every `templates` command (and the window's panel) says
    # "something went wrong (IsADirectoryError)" while one folder named "x.toml" is in the folder.
    folder = home / "data" / "templates"
    (folder / "drafts.toml").mkdir(parents=True)
    (folder / "ok.toml").write_text('schema_version = 1\nname = "ok"\nprompt = "hi"\n')
    listed = playground("templates", "list", home=home)
    assert listed.returncode == 0, listed.stderr
    assert "ok" in listed.stdout and "drafts.toml" in listed.stdout
