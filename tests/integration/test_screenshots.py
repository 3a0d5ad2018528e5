"""The README's screenshot command works: the real window under Xvfb, every README PNG."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_screenshot_script_under_xvfb(tmp_path: Path) -> None:
    xvfb = shutil.which("xvfb-run")
    if xvfb is None:
        if os.environ.get("CI"):
            pytest.fail("xvfb-run is missing; scripts/test installs xvfb")
        pytest.skip("xvfb-run is not installed (scripts/test installs it)")
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env["PLAYGROUND_HOME"] = str(tmp_path / "home")
    result = subprocess.run(
        [
            xvfb,
            "-a",
            "-s",
            "-screen 0 1600x1000x24",
            sys.executable,
            str(ROOT / "scripts" / "screenshots.py"),
            str(tmp_path / "shots"),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    shots = sorted(p.name for p in (tmp_path / "shots").glob("*.png"))
    assert shots == [
        "blind.png",
        "dark-mode.png",
        "demo-streaming.png",
        "finished-with-failure.png",
        "follow-up.png",
        "key-dialog.png",
        "model-browser.png",
        "routing-and-alerts.png",
        "routing-dialog.png",
        "six-panes.png",
        "templates-and-history.png",
        "usage.png",
    ]
    assert all((tmp_path / "shots" / name).stat().st_size > 10_000 for name in shots)
