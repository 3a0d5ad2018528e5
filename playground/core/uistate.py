"""The window's remembered state (geometry, panes, parameters) as one small JSON file."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playground.core.atomic import atomic_write, quarantine


@dataclass
class UiStateStore:
    """Free-form JSON; unknown or damaged content falls back to an empty state."""

    path: Path
    warnings: list[str] = field(default_factory=list)

    def load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text("utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            if self.path.exists():
                moved = quarantine(self.path)
                self.warnings.append(f"The window state was damaged and was kept as {moved.name}.")
            return {}
        return data if isinstance(data, dict) else {}

    def save(self, data: dict[str, Any]) -> None:
        try:
            atomic_write(self.path, json.dumps(data, indent=2, ensure_ascii=False))
        except OSError:
            self.warnings.append("Could not save the window state.")
