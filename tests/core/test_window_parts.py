"""MainWindow is layout and wiring; its parts are classes of their own (issue 14). Read from the
source (no Qt): a part that went back to being a mixin on the window, or a part that reached for the
window module, fails here; so does a part that left `mypy --strict`."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UI = ROOT / "playground" / "ui"
PARTS = [
    "composer.py",
    "sending.py",
    "menus.py",
    "blind_controller.py",
    "window_state.py",
    "model_choice.py",
    "reopen.py",
]


def _tree(name: str) -> ast.Module:
    return ast.parse((UI / name).read_text(encoding="utf-8"))


def _bases(tree: ast.Module, name: str) -> list[str]:
    node = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == name)
    return [ast.unparse(base) for base in node.bases]


def test_the_window_is_one_qt_class_and_no_mixins() -> None:
    assert _bases(_tree("main_window.py"), "MainWindow") == ["QMainWindow"]


@pytest.mark.parametrize("name", PARTS)
def test_each_part_is_its_own_class_and_never_imports_the_window(name: str) -> None:
    tree = _tree(name)
    classes = [n for n in tree.body if isinstance(n, ast.ClassDef)]
    assert not [c.name for c in classes if c.name.endswith("Mixin")]
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert "playground.ui.main_window" not in imported


def test_the_window_and_its_parts_are_checked_by_mypy_strict() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
    assert config["strict"] is True
    files = set(config["files"])
    covered = {"playground/ui", "playground"}
    for name in ["main_window.py", *PARTS]:
        assert f"playground/ui/{name}" in files or files & covered, name
