"""Start-up: PySide6 no longer reads the source of every module imported after it."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

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


def test_pyside_features_still_work_in_a_module_that_asks_for_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = (
        "from PySide6.QtCore import QObject\n"
        "from __feature__ import snake_case  # noqa\n"
        "def name():\n"
        "    obj = QObject()\n"
        "    obj.set_object_name('snake')\n"
        "    return obj.object_name()\n"
    )
    module = _import(tmp_path, monkeypatch, "pp_feature_module", source)
    assert module.name() == "snake"
