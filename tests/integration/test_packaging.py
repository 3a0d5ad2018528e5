"""Packaging: the desktop entry and AppStream file validate; the PyInstaller bundle builds and runs."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
BUNDLE = (
    ROOT
    / "dist"
    / "prompt-playground"
    / ("prompt-playground.exe" if sys.platform == "win32" else "prompt-playground")
)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is missing; scripts/test installs it")
        pytest.skip(f"{name} is not installed (scripts/test installs it)")
    return path


def test_desktop_entry_validates() -> None:
    result = subprocess.run(
        [_tool("desktop-file-validate"), *map(str, PACKAGING.glob("*.desktop"))],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in result.stdout.lower()


def test_appstream_metainfo_validates() -> None:
    result = subprocess.run(
        [_tool("appstreamcli"), "validate", "--no-net", *map(str, PACKAGING.glob("*.xml"))],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_icons_exist_in_every_size() -> None:
    icons = ROOT / "resources" / "icons"
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        assert (icons / f"prompt-playground-{size}.png").stat().st_size > 100
    assert (icons / "prompt-playground.svg").exists()


def _seconds_until_ready(cmd: list[str], home: Path) -> float:
    """Start the demo window offscreen; time until it has fetched the models (it is up and working)."""
    env = dict(os.environ, PLAYGROUND_HOME=str(home), QT_QPA_PLATFORM="offscreen")
    start = time.monotonic()
    proc = subprocess.Popen(
        [*cmd, "--demo"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        while not any((home / "cache").glob("models*.json")):
            assert proc.poll() is None, proc.communicate()[1]
            assert time.monotonic() - start < 60
            time.sleep(0.02)
        ready = time.monotonic() - start
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0 and err == "" and out == "", err
    return ready


@pytest.mark.slow
def test_bundle_builds_and_runs(tmp_path: Path) -> None:
    if shutil.which("pyinstaller", path=str(Path(sys.executable).parent)) is None:
        pytest.fail("PyInstaller is missing: it is part of the test extras")
    build = subprocess.run(
        ["bash", str(PACKAGING / "build.sh")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHON=sys.executable),
        timeout=900,
    )
    assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-3000:]
    version = subprocess.run([str(BUNDLE), "--version"], capture_output=True, text=True, timeout=60)
    assert version.returncode == 0 and version.stdout.startswith("playground ")
    files = [p for p in BUNDLE.parent.rglob("*") if p.is_file() and not p.is_symlink()]
    size_mb = sum(p.stat().st_size for p in files) / 1e6
    bundled = min(_seconds_until_ready([str(BUNDLE)], tmp_path / f"b{i}") for i in range(3))
    source = min(
        _seconds_until_ready([sys.executable, "-m", "playground"], tmp_path / f"s{i}") for i in range(3)
    )
    print(
        f"\nbundle: {size_mb:.0f} MB; ready in {bundled:.2f} s vs {source:.2f} s from source "
        f"({bundled / source:.2f}x)"
    )
    assert size_mb <= 200
    assert bundled <= 1.5 * source


def test_wheel_has_both_entry_points_and_the_icons(tmp_path: Path) -> None:
    """What `pip install .` / `pipx install .` install: the package, its icons and both commands."""
    import zipfile

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    (wheel,) = tmp_path.glob("prompt_playground-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        entry_points = next(archive.read(n).decode() for n in names if n.endswith("entry_points.txt"))
    assert "playground/resources/icons/prompt-playground.svg" in names
    assert "playground/ui/app.py" in names and "playground/simulator/server.py" in names
    assert "[console_scripts]\nplayground = playground.cli:main" in entry_points
    assert "[gui_scripts]\nprompt-playground = playground.cli:main" in entry_points
