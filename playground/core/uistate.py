"""The window's remembered state (geometry, panes, parameters) as one small JSON file.

The file is read as untrusted: each known entry must have its type (``geometry`` valid base64, ``panes``
a list of model ids, ...). A file that is not JSON is set aside; one with bad entries is kept aside as
it was and the window starts with the good entries only - either way the window opens and says so.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playground.core.atomic import atomic_write, keep_copy, quarantine, read_json

MAX_PANES = 64
MAX_TEXT = 1_000_000  # an unsent prompt of a million characters is already generous


def _text(limit: int) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, str) and len(v) <= limit


def _geometry(value: Any) -> bool:
    if not isinstance(value, str) or len(value) > 65_536:
        return False
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def _list_of(kind: type, limit: int = MAX_PANES) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, list) and len(v) <= limit and all(isinstance(x, kind) for x in v)


# The entries the window reads, and what each must be. Entries not listed are kept as they are.
RULES: dict[str, Callable[[Any], bool]] = {
    "geometry": _geometry,
    "panes": _list_of(str),
    "overrides": _list_of(dict),
    "routing": _list_of(dict),
    "params": lambda v: isinstance(v, dict),
    "system": _text(MAX_TEXT),
    "prompt": _text(MAX_TEXT),
    "system_visible": lambda v: isinstance(v, bool),
    "sync": lambda v: isinstance(v, bool),
    "theme": _text(40),
}


def bad_entries(data: dict[str, Any]) -> list[str]:
    """The known entries whose value does not have the expected shape."""
    return [name for name, ok in RULES.items() if name in data and not ok(data[name])]


@dataclass
class UiStateStore:
    """The window state; damaged or wrongly shaped content never stops the window from opening."""

    path: Path
    warnings: list[str] = field(default_factory=list)

    def load(self) -> dict[str, Any]:
        try:
            data = read_json(self.path)
            if not isinstance(data, dict):
                raise ValueError("not an object")
        except FileNotFoundError:
            return {}
        except OSError:
            self.warnings.append("Could not read the window state; the window starts fresh.")
            return {}
        except ValueError as exc:
            try:
                kept = f"was kept as {quarantine(self.path).name}"
            except OSError as error:
                kept = f"could not be moved aside ({error.strerror})"
            self.warnings.append(f"The window state was damaged ({exc}) and {kept}.")
            return {}
        bad = bad_entries(data)
        if bad:
            self._keep_aside(bad)
        return {k: v for k, v in data.items() if k not in bad}

    def _keep_aside(self, bad: list[str]) -> None:
        names = ", ".join(bad)
        try:
            kept = f" and was kept as {keep_copy(self.path).name}"
        except OSError:
            kept = ""
        self.warnings.append(f"The window state had bad values ({names}){kept}; they were left out.")

    def save(self, data: dict[str, Any]) -> None:
        try:
            atomic_write(self.path, json.dumps(data, indent=2, ensure_ascii=False))
        except OSError:
            self.warnings.append("Could not save the window state.")
