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
