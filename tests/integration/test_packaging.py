"""Packaging: the desktop entry and AppStream file validate; the PyInstaller bundle builds, fits its
size budget and runs what its trimming could break (see packaging/bundle_trim.py)."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

import pytest

from playground.simulator import Simulator
from playground.simulator.behaviour import Behaviour
from tests.cli.helpers import playground, sim_env
from tests.conftest import FAKE_KEY, cli_env
from tests.integration.keyring_daemon import private_keyring

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


def _trim_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bundle_trim", PACKAGING / "bundle_trim.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the library pruning is Linux only")
def test_trimming_drops_only_what_the_dropped_plugins_alone_need() -> None:
    """On the real Qt files: the VNC platform goes with QtNetwork (only it links that); xcb stays with
    QtGui and the link to it; a library nothing links (collected for ctypes, say) stays."""
    import PySide6

    qt = Path(PySide6.__file__).parent / "Qt"
    lib = "PySide6/Qt/lib"
    entries = [
        ("PySide6/Qt/plugins/platforms/libqvnc.so", str(qt / "plugins/platforms/libqvnc.so"), "BINARY"),
        ("PySide6/Qt/plugins/platforms/libqxcb.so", str(qt / "plugins/platforms/libqxcb.so"), "BINARY"),
        (f"{lib}/libQt6Network.so.6", str(qt / "lib/libQt6Network.so.6"), "BINARY"),
        (f"{lib}/libQt6Gui.so.6", str(qt / "lib/libQt6Gui.so.6"), "BINARY"),
        (f"{lib}/libQt6Svg.so.6", str(qt / "lib/libQt6Svg.so.6"), "BINARY"),  # nothing here links it
    ]
    links = [
        ("libQt6Network.so.6", f"{lib}/libQt6Network.so.6", "SYMLINK"),
        ("libQt6Gui.so.6", f"{lib}/libQt6Gui.so.6", "SYMLINK"),
    ]
    data = [("jsonschema/benchmarks/issue232.json", "x", "DATA"), ("certifi/cacert.pem", "y", "DATA")]
    binaries, datas = _trim_module().trim(entries, links + data)
    assert [dest for dest, _, _ in binaries] == [
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        f"{lib}/libQt6Gui.so.6",
        f"{lib}/libQt6Svg.so.6",
    ]
    assert [dest for dest, _, _ in datas] == ["libQt6Gui.so.6", "certifi/cacert.pem"]


@contextmanager
def _demo_window(cmd: list[str], home: Path, **env: str) -> Iterator[subprocess.Popen[str]]:
    """The demo window (offscreen unless told), once it has fetched the models (it is up and
    working); closed with SIGTERM afterwards, which it must handle cleanly and silently."""
    env = {"QT_QPA_PLATFORM": "offscreen", **env}
    start = time.monotonic()
    proc = subprocess.Popen(
        [*cmd, "--demo"],
        env=dict(os.environ, PLAYGROUND_HOME=str(home), **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        while not any((home / "cache").glob("models*.json")):
            assert proc.poll() is None, proc.communicate()[1]
            assert time.monotonic() - start < 60
            time.sleep(0.02)
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0 and err == "" and out == "", err[-3000:]


@pytest.fixture(scope="module")
def bundle() -> Path:
    """Build the one-folder bundle once for this module (as `bash packaging/build.sh` does)."""
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
    return BUNDLE


def _bundled(
    bundle: Path, *args: str, home: Path, input: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    """The bundled ``playground`` command, as tests/cli runs the source one."""
    return subprocess.run(
        [str(bundle), *args],
        input=input,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        env=cli_env(home, **env),
        cwd=home.parent,
    )


def _largest(folder: Path, count: int = 8) -> str:
    files = [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]
    files.sort(key=lambda p: p.stat().st_size, reverse=True)
    return ", ".join(f"{p.relative_to(folder)} {p.stat().st_size / 1e6:.1f} MB" for p in files[:count])


@pytest.mark.slow
def test_bundle_builds_runs_and_fits_its_budget(bundle: Path, tmp_path: Path) -> None:
    """Under 200 MB, every link in it resolves, and the demo window starts offscreen cleanly and
    silently. (Its start-up time against the source install is measured by
    tests/benchmarks/bundle_startup.py: speed is not judged here.)"""
    version = subprocess.run([str(bundle), "--version"], capture_output=True, text=True, timeout=60)
    assert version.returncode == 0 and version.stdout.startswith("playground ")
    files = [p for p in bundle.parent.rglob("*") if p.is_file() and not p.is_symlink()]
    size_mb = sum(p.stat().st_size for p in files) / 1e6
    print(f"\nbundle: {size_mb:.1f} MB (budget 200 MB)")
    assert size_mb <= 200, f"{size_mb:.1f} MB, budget 200 MB; largest: {_largest(bundle.parent)}"
    assert [p for p in bundle.parent.rglob("*") if p.is_symlink() and not p.exists()] == []
    with _demo_window([str(bundle)], tmp_path / "home") as window:
        assert window.poll() is None


@contextmanager
def _x_display() -> Iterator[str]:
    """A private X server (what a Linux desktop session gives the app)."""
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", "1", "-nolisten", "tcp", "-screen", "0", "1280x800x24"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert xvfb.stdout is not None
        yield ":" + xvfb.stdout.readline().strip()
    finally:
        xvfb.terminate()
        xvfb.wait(10)
        if xvfb.stdout is not None:
            xvfb.stdout.close()


@pytest.mark.slow
def test_bundled_window_loads_its_desktop_plugins(bundle: Path, tmp_path: Path) -> None:
    """On X11 with the GNOME (GTK) theme the window comes up with its plugins loaded: xcb, the GTK
    theme, the SVG icon engine (the window icon)."""
    if not sys.platform.startswith("linux"):
        pytest.skip("X11 and /proc: Linux only")
    _tool("Xvfb")
    with _x_display() as display:
        env = {"DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "QT_QPA_PLATFORMTHEME": "gtk3"}
        with _demo_window([str(bundle)], tmp_path / "home", **env) as window:
            mapped = Path(f"/proc/{window.pid}/maps").read_text()
    for plugin in ("platforms/libqxcb.so", "platformthemes/libqgtk3.so", "iconengines/libqsvgicon.so"):
        assert f"{bundle.parent}/_internal/PySide6/Qt/plugins/{plugin}" in mapped, plugin


ANSWER = """Three snippets:

```python
def double(x: int) -> int:
    return x * 2
```

```rust
fn main() { println!("hi"); }
```

```klingon-script
<b>not a language</b>
```
"""


@pytest.mark.slow
def test_bundled_report_highlights_code_like_the_source(bundle: Path, sim: Simulator, tmp_path: Path) -> None:
    """Pygments' lexers and styles are all in the bundle: its HTML export is the source install's,
    code fences highlighted by language, an unknown language shown as escaped plain text."""
    home = tmp_path / "home"
    sim.set_default("sim/quick-mini", Behaviour(text=ANSWER))
    compared = _bundled(bundle, "compare", "-m", "sim/quick-mini", "Show code", home=home, **sim_env(sim))
    assert compared.returncode == 0, compared.stderr
    exported = _bundled(bundle, "history", "export", "--format", "html", home=home)
    assert exported.returncode == 0, exported.stderr
    page = exported.stdout
    assert '<span class="k">def</span>' in page and '<span class="k">fn</span>' in page
    assert "&lt;b&gt;not a language&lt;/b&gt;" in page and "<b>not a language" not in page
    assert ".hl .k {" in page  # the highlighting colours
    from_source = playground("history", "export", "--format", "html", home=home)
    assert from_source.returncode == 0 and page == from_source.stdout


PROMPTFOO = """
description: "Order lookup"
prompts:
  - "Return the order {{id}} as JSON"
providers:
  - openrouter:sim/quick-mini
defaultTest:
  assert:
    - type: not-regex
      value: "(?i)as an ai"
tests:
  - description: matches
    vars: {id: "7"}
    assert:
      - type: is-json
        value: {type: object, required: [order], properties: {order: {type: integer}}}
  - description: misses
    vars: {id: "8"}
    assert:
      - type: is-json
        value: {type: object, required: [customer]}
"""


@pytest.mark.slow
def test_bundled_promptfoo_import_and_json_schema_checks(
    bundle: Path, sim: Simulator, tmp_path: Path
) -> None:
    """YAML import, JSON Schema validation (jsonschema, its referencing and metaschemas) and the
    regex engine all work in the bundle."""
    home = tmp_path / "home"
    config = tmp_path / "promptfooconfig.yaml"
    config.write_text(PROMPTFOO, encoding="utf-8")
    imported = _bundled(bundle, "templates", "import", str(config), home=home)
    assert imported.returncode == 0 and "Imported 'Order lookup'" in imported.stdout, imported.stderr
    sim.set_default("sim/quick-mini", Behaviour(text='{"order": 7}'))
    tested = _bundled(bundle, "templates", "test", "Order lookup", "--jsonl", home=home, **sim_env(sim))
    assert tested.returncode == 1, tested.stderr  # one case fails its schema
    events = [json.loads(line) for line in tested.stdout.splitlines()]
    checks = {(e["case"], e["assertion"]): e for e in events if e["type"] == "assertion"}
    verdicts = {key: e["pass"] for key, e in checks.items()}
    assert verdicts == {
        ("matches", "not-regex"): True,
        ("matches", "is-json"): True,
        ("misses", "not-regex"): True,
        ("misses", "is-json"): False,
    }, verdicts
    assert "customer" in checks[("misses", "is-json")]["reason"]


@pytest.mark.slow
@pytest.mark.keyring
def test_bundled_app_keeps_the_key_in_the_keyring(bundle: Path, home: Path, tmp_path: Path) -> None:
    """The bundled keyring backends (secretstorage, with cryptography's session encryption) store a
    key in the real Secret Service and the next command sends it."""
    with (
        private_keyring(tmp_path / "keyring") as daemon,
        Simulator(time_scale=0, valid_keys={FAKE_KEY}) as sim,
    ):
        env = {"OPENROUTER_BASE_URL": sim.base_url, "DBUS_SESSION_BUS_ADDRESS": daemon.address}
        saved = _bundled(bundle, "key", "set", "--name", "work", home=home, input=FAKE_KEY, **env)
        assert saved.returncode == 0 and "It is now the active key" in saved.stdout, saved.stderr
        compared = _bundled(bundle, "compare", "-m", "sim/quick-mini", "Hi", home=home, **env)
        assert compared.returncode == 0, compared.stderr
        sent = sim.chat_requests()[-1].headers.get("authorization", "")
        assert (
            hashlib.sha256(sent.encode()).digest() == hashlib.sha256(f"Bearer {FAKE_KEY}".encode()).digest()
        )


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
