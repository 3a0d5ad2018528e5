"""Only the StreamBackend builds HTTP clients in the window: no other module under playground/ui does.

A client built elsewhere would live on the window's thread or outlive a settings change; runs get
theirs from ``session.runs.chat_client()``, one-off calls go through ``StreamBackend.call()``.
"""

from __future__ import annotations

import ast
from pathlib import Path

UI = Path(__file__).resolve().parents[2] / "playground" / "ui"
OWNER = "backend.py"
CONSTRUCTORS = {"OpenRouterClient", "RoutedClient", "AsyncClient"}
CONTEXT_BUILDERS = {"client", "endpoint_client", "chat_client"}  # AppContext's: for the CLI


def _client_builds(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        on_ctx = isinstance(func, ast.Attribute) and ast.unparse(func.value).endswith("ctx")
        if name in CONSTRUCTORS or (on_ctx and name in CONTEXT_BUILDERS):
            lines.append(node.lineno)
    return sorted(lines)


def test_no_module_but_the_backend_builds_a_client() -> None:
    found = {
        path.name: lines
        for path in sorted(UI.rglob("*.py"))
        if path.name != OWNER and (lines := _client_builds(ast.parse(path.read_text("utf-8"))))
    }
    assert found == {}, f"HTTP clients built outside ui/{OWNER} (file: lines): {found}"


def test_the_check_finds_a_client_built_on_the_window_side() -> None:
    sample = "def f(self):\n    return self.ctx.client(self.active)\n\nx = OpenRouterClient(None)\n"
    assert _client_builds(ast.parse(sample)) == [2, 4]
