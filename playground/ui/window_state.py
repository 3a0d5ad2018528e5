"""What the window saves at close and restores at start: geometry, panes, parameters, prompt, theme.

`WindowState` also owns the theme in use (View > System / Light / Dark).

Signals:
    themeChanged(str): the theme now in use.
    rowsRestored(int): how many rows of panes the saved state asked for.
"""

from __future__ import annotations

import base64
from typing import Any

from PySide6.QtCore import QByteArray, QObject, Signal
from PySide6.QtWidgets import QApplication, QWidget

from playground.core.errors import PlaygroundError
from playground.core.request import ChatParams
from playground.core.routing import Routing
from playground.ui.compare_view import CompareView
from playground.ui.composer import Composer
from playground.ui.theme import THEMES, apply_theme

MAX_RESTORED_PANES = 16


class WindowState(QObject):
    """Save and restore ``window``'s state, and apply the theme."""

    themeChanged = Signal(str)
    rowsRestored = Signal(int)

    def __init__(self, window: QWidget, composer: Composer, compare: CompareView) -> None:
        super().__init__(window)
        self.window = window
        self.composer = composer
        self.compare = compare
        app = QApplication.instance()
        self._system_palette = app.palette() if isinstance(app, QApplication) else None
        self.theme = "system"

    def set_theme(self, theme: str) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication) and self._system_palette is not None:
            apply_theme(app, theme, self._system_palette)
        self.theme = theme
        self.themeChanged.emit(theme)

    def restore(self, state: dict[str, Any]) -> None:
        geometry = state.get("geometry")
        if isinstance(geometry, str):
            self.window.restoreGeometry(QByteArray(base64.b64decode(geometry)))
        self._restore_panes(state)
        params = state.get("params")
        composer = self.composer
        composer.fill(
            str(state.get("prompt", "")),
            str(state.get("system", "")),
            params_from_state(params) if isinstance(params, dict) else None,
        )
        composer.systemToggle.setChecked(bool(state.get("system_visible")) or bool(state.get("system")))
        composer.syncBox.setChecked(bool(state.get("sync")))
        rows = 2 if state.get("rows") == 2 else 1
        self.compare.set_rows(rows)  # the menu's tick alone (rowsRestored) does not lay them out
        self.rowsRestored.emit(rows)
        theme = state.get("theme")
        self.set_theme(theme if theme in THEMES else "system")

    def _restore_panes(self, state: dict[str, Any]) -> None:
        panes = [m for m in state.get("panes", []) if isinstance(m, str)] or ["", "", ""]
        overrides = _list(state.get("overrides"))
        routings = _list(state.get("routing"))
        for index, model in enumerate(panes[:MAX_RESTORED_PANES]):
            pane = self.compare.add_pane(model)
            own = overrides[index] if index < len(overrides) else None
            if isinstance(own, dict):
                pane.set_overrides(params_from_state(own))
            routing = routings[index] if index < len(routings) else None
            if isinstance(routing, dict):
                pane.set_routing(_routing_from_state(routing))

    def state(self) -> dict[str, Any]:
        ws = self.composer.read()
        return {
            "geometry": base64.b64encode(bytes(self.window.saveGeometry().data())).decode("ascii"),
            "panes": self.compare.models(),
            "overrides": [_params_state(p.overrides) for p in ws.panes],
            "routing": [p.routing.to_mapping() if p.routing else {} for p in ws.panes],
            "params": _params_state(ws.params),
            "system": ws.system,
            "system_visible": self.composer.systemToggle.isChecked(),
            "prompt": ws.unsent_prompt(),  # what was sent is not offered again at the next start
            "sync": self.composer.syncBox.isChecked(),
            "rows": self.compare.rows,
            "theme": self.theme,
        }


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def _params_state(params: ChatParams | None) -> dict[str, Any]:
    if params is None:
        return {}
    return {name: getattr(params, name) for name in params.set_names()}


def params_from_state(data: dict[str, Any]) -> ChatParams:
    """Parameters read back from a saved state or a history row; anything not valid is dropped."""
    known = {k: v for k, v in data.items() if k in ChatParams.__dataclass_fields__}
    if isinstance(known.get("stop"), list):
        known["stop"] = tuple(str(s) for s in known["stop"])
    from playground.core.structured import surface_params

    try:
        known.update(surface_params(known))  # a schema or tools list read back is checked again
        return ChatParams(**known)
    except (TypeError, PlaygroundError):
        return ChatParams()


def _routing_from_state(data: dict[str, Any]) -> Routing | None:
    try:
        return Routing.from_mapping(data)
    except PlaygroundError:  # a hand-edited state file: drop the routing, keep the pane
        return None
