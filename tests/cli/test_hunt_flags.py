"""Odd values for flags found by the hunt are usage errors naming the flag (exit 2), never a
traceback or a simulator that never starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.helpers import playground


@pytest.mark.parametrize(
    ("flag", "value", "says"),
    [
        ("--port", "99999", "argument --port: 99999 is out of range (between 0 and 65535)"),
        ("--port", "-1", "argument --port: -1 is out of range (between 0 and 65535)"),
        ("--speed", "1e400", "argument --speed: not a finite number: '1e400'"),
        ("--speed", "nan", "argument --speed: not a finite number: 'nan'"),
    ],
)
def test_simulate_refuses_impossible_values(flag: str, value: str, says: str, home: Path) -> None:
    shown = playground("simulate", flag, value, home=home, timeout=30)
    assert shown.returncode == 2 and says in shown.stderr
    assert "Traceback" not in shown.stderr


@pytest.mark.parametrize(
    ("flag", "value", "says"),
    [
        ("--temperature", "nan", "argument --temperature: not a finite number: 'nan'"),
        ("--temperature", "1e400", "argument --temperature: not a finite number: '1e400'"),
        ("--temperature", "3", "argument --temperature: 3 is out of range"),
        ("--seed", "9223372036854775807", "argument --seed: 9223372036854775807 is out of range"),
    ],
)
def test_templates_test_refuses_impossible_values(
    flag: str, value: str, says: str, home: Path, tmp_path: Path
) -> None:
    (tmp_path / "t.toml").write_text(
        'schema_version = 1\nname = "t"\nprompt = "Explain {{x}}"\nmodels = ["sim/quick-mini"]\n'
        '[[cases]]\nname = "one"\nvars = { x = "caching" }\n'
    )
    assert playground("templates", "import", str(tmp_path / "t.toml"), home=home).returncode == 0
    shown = playground("templates", "test", "t", "--demo", flag, value, home=home)
    assert shown.returncode == 2 and says in shown.stderr
    assert "internal error" not in shown.stdout + shown.stderr
