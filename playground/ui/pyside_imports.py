"""PySide6 reads the source of every module imported after it; this asks the module instead.

PySide6 replaces ``__import__`` to support ``from __feature__ import snake_case``: after each
import it decides whether the new module uses PySide6 by reading its whole source file
(``inspect.getsource``) and looking for the word "PySide6". The window imports some 170 modules
after PySide6 before its first frame: 16 ms of CPU for that check (40-80 ms of wall time on a busy
machine); asking the modules takes 3 ms. Whether a module uses PySide6 only matters to
modules that switch features on, and none here do; what the module holds tells it as well: a
PySide6 module or a PySide6 class or function among its globals.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any

_PYSIDE = ("PySide6", "shiboken6")


def _from_pyside(value: Any) -> bool:
    if isinstance(value, ModuleType):
        return value.__name__.startswith(_PYSIDE)
    try:
        module = type.__getattribute__(value, "__module__") if isinstance(value, type) else None
    except AttributeError:
        module = None
    if module is None:
        module = getattr(type(value), "__module__", None)
    return isinstance(module, str) and module.startswith(_PYSIDE)


def uses_pyside(module: ModuleType) -> bool:
    """Whether ``module`` holds anything of PySide6 (a module, a class, a Qt object or enum)."""
    return any(_from_pyside(value) for value in list(vars(module).values()))


def install() -> None:
    """Replace PySide6's source-reading check, if this PySide6 has it (6.x's shibokensupport)."""
    feature = sys.modules.get("shibokensupport.feature")
    if feature is not None and callable(getattr(feature, "_mod_uses_pyside", None)):
        setattr(feature, "_mod_uses_pyside", uses_pyside)  # noqa: B010 - a module mypy cannot see
