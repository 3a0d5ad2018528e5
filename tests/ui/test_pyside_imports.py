"""Start-up: PySide6 no longer reads the source of every module imported after it."""

from __future__ import annotations

import importlib
import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import playground.ui  # noqa: F401  (installs the check)
from playground.ui.pyside_imports import uses_pyside


def _import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, source: str):  # type: ignore[no-untyped-def]
    (tmp_path / f"{name}.py").write_text(source, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, name, raising=False)
    return importlib.import_module(name)


def test_modules_imported_after_pyside_are_not_read_from_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import inspect

    read: list[object] = []
    real = inspect.getsource
    monkeypatch.setattr(inspect, "getsource", lambda obj: read.append(obj) or real(obj))
    module = _import(tmp_path, monkeypatch, "pp_plain_module", "VALUE = 'PySide6 in a string'\n")
    assert module.VALUE and read == []
    assert sys.modules["shibokensupport.feature"]._mod_uses_pyside is uses_pyside


def test_a_module_using_pyside_is_told_from_what_it_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    qt = _import(tmp_path, monkeypatch, "pp_qt_module", "from PySide6.QtCore import QObject\n")
    whole = _import(tmp_path, monkeypatch, "pp_qt_whole", "import PySide6.QtGui\n")
    plain = _import(tmp_path, monkeypatch, "pp_no_qt", "import json\nDOC = 'about PySide6'\n")
    assert uses_pyside(qt) and uses_pyside(whole) and not uses_pyside(plain)


def test_pyside_features_still_work_in_a_module_that_asks_for_them(tmp_path: Path) -> None:
    """In its own process: switching a feature on is global to PySide6's type machinery."""
    (tmp_path / "pp_feature_module.py").write_text(
        "from PySide6.QtCore import QObject\n"
        "from __feature__ import snake_case  # noqa\n"
        "def name():\n"
        "    obj = QObject()\n"
        "    obj.set_object_name('snake')\n"
        "    return obj.object_name()\n",
        encoding="utf-8",
    )
    code = "import playground.ui, pp_feature_module; print(pp_feature_module.name())"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "snake"


def test_asking_a_module_never_loads_a_lazy_module_it_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pp_lazy_target.py").write_text("LOADED = True\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "pp_lazy_target", raising=False)
    spec = importlib.util.find_spec("pp_lazy_target")
    assert spec is not None and spec.loader is not None
    spec.loader = importlib.util.LazyLoader(spec.loader)
    lazy = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(lazy)
    holder = ModuleType("pp_holder")
    holder.lazy = lazy  # type: ignore[attr-defined]
    assert not uses_pyside(holder)
    assert "LOADED" not in object.__getattribute__(lazy, "__dict__")  # still not loaded
