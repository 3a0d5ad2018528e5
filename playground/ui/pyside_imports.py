"""PySide6 reads the source of every module imported after it; this asks the module instead.

PySide6 replaces ``__import__`` to support ``from __feature__ import snake_case``: after each
import it decides whether the new module uses PySide6 by reading its whole source file
(``inspect.getsource``) and looking for the word "PySide6". The window imports some 170 modules
after PySide6 before its first frame: 16 ms of CPU for that check (40-80 ms of wall time on a busy
machine); asking the modules takes about 2 ms (a module held is told by its own name: listing
PySide6's entries in ``sys.modules`` again after every import took as long again). Whether a
module uses PySide6 only matters to modules that switch features on, and none here do; what the
module holds tells it as well: a PySide6 module or a PySide6 class or function among its globals.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any

_PYSIDE = ("PySide6", "shiboken6")


def _module_of(value: Any) -> object:
    """``value``'s ``__module__`` (its own if a class, else its type's), read past any ``__getattr__``
    or lazy module: asking must never import anything (PySide6 asks while it walks sys.modules)."""
    cls = value if issubclass(type(value), type) else type(value)
    try:
        return type.__getattribute__(cls, "__module__")
    except AttributeError:
        return None


def uses_pyside(module: ModuleType) -> bool:
    """Whether ``module`` holds anything of PySide6 (a module, a class, a Qt object or enum)."""
    for value in list(vars(module).values()):
        if issubclass(type(value), ModuleType):  # type(), not isinstance: no __class__ is asked
            # its name from its own dict, read past any __getattribute__: a lazy module stays unloaded
            name = object.__getattribute__(value, "__dict__").get("__name__")
            if isinstance(name, str) and name.startswith(_PYSIDE):
                return True
            continue
        owner = _module_of(value)
        if isinstance(owner, str) and owner.startswith(_PYSIDE):
            return True
    return False


def install() -> None:
    """Replace PySide6's source-reading check, if this PySide6 has it (6.x's shibokensupport)."""
    feature = sys.modules.get("shibokensupport.feature")
    if feature is not None and callable(getattr(feature, "_mod_uses_pyside", None)):
        setattr(feature, "_mod_uses_pyside", uses_pyside)  # noqa: B010 - a module mypy cannot see
