"""The design's two rules that tests can check: core never imports Qt; settings never hold a key."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import playground

ROOT = Path(playground.__file__).parent
QT_MODULES = ("PySide6", "shiboken6", "qasync", "playground.ui")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_simulator_and_commands_import_no_qt_statically() -> None:
    for package in ("core", "simulator", "commands"):
        for path in (ROOT / package).rglob("*.py"):
            bad = {n for n in _imports(path) if n.startswith(QT_MODULES)}
            assert not bad, f"{path} imports {bad}"


def test_core_loads_and_streams_with_qt_unavailable() -> None:
    code = """
import sys, asyncio, importlib.abc
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split('.')[0] in ('PySide6', 'shiboken6', 'qasync'):
            raise ImportError(name)
sys.meta_path.insert(0, Block())
import pkgutil, importlib, playground.core, playground.commands
for pkg in (playground.core, playground.commands):
    for info in pkgutil.iter_modules(pkg.__path__):
        importlib.import_module(pkg.__name__ + '.' + info.name)
import playground.cli
from playground.simulator import Simulator
from playground.core.openrouter import OpenRouterClient, ClientConfig
from playground.core.request import ChatRequest
async def go(url):
    async with OpenRouterClient('sk-or-v1-' + '1' * 64, ClientConfig(base_url=url)) as c:
        return [e async for e in c.stream_chat(ChatRequest.simple('sim/quick-mini', 'hi'))]
with Simulator(time_scale=0) as sim:
    events = asyncio.run(go(sim.base_url))
assert type(events[-1]).__name__ == 'Finished', events[-1]
assert not any(m.startswith(('PySide6', 'qasync')) for m in sys.modules)
print('ok')
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok" and result.stderr == ""
