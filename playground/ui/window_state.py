"""MainWindow's state saved at close and restored at start: geometry, panes, parameters, prompt, theme.

A mixin: its methods run on the MainWindow."""

from __future__ import annotations

import base64
from typing import Any

from PySide6.QtCore import QByteArray
from PySide6.QtWidgets import QApplication

from playground.core.errors import PlaygroundError
from playground.core.request import ChatParams
from playground.core.routing import Routing
from playground.ui.theme import THEMES, apply_theme


class WindowStateMixin:
    """MainWindow's state saved at close and restored at start."""

    def set_theme(self, theme: str) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication) and self._system_palette is not None:
            apply_theme(app, theme, self._system_palette)
        self.theme = theme
        self.themeActions[theme].setChecked(True)

    def _restore(self, state: dict[str, Any]) -> None:
        geometry = state.get("geometry")
        if isinstance(geometry, str):
            self.restoreGeometry(QByteArray(base64.b64decode(geometry)))
        panes = [m for m in state.get("panes", []) if isinstance(m, str)] or ["", "", ""]
        overrides = state.get("overrides") if isinstance(state.get("overrides"), list) else []
        routings = state.get("routing") if isinstance(state.get("routing"), list) else []
        for index, model in enumerate(panes[:16]):
            pane = self.compare.add_pane(model)
            if index < len(overrides) and isinstance(overrides[index], dict):
                pane.set_overrides(_params_from_state(overrides[index]))
            if index < len(routings) and isinstance(routings[index], dict):
                pane.set_routing(_routing_from_state(routings[index]))
        params = state.get("params")
        if isinstance(params, dict):
            self.params.set_params(_params_from_state(params))
        self.systemPromptEdit.setPlainText(str(state.get("system", "")))
        self.systemToggle.setChecked(bool(state.get("system_visible")) or bool(state.get("system")))
        self.promptEdit.setPlainText(str(state.get("prompt", "")))
        self.syncBox.setChecked(bool(state.get("sync")))
        self.gridAction.setChecked(state.get("rows") == 2)
        theme = state.get("theme")
        self.set_theme(theme if theme in THEMES else "system")

    def state(self) -> dict[str, Any]:
        params = self.params.params()
        return {
            "geometry": base64.b64encode(bytes(self.saveGeometry().data())).decode("ascii"),
            "panes": self.compare.models(),
            "overrides": [_params_state(p.overrides) for p in self.compare.panes],
            "routing": [p.routing.to_mapping() if p.routing else {} for p in self.compare.panes],
            "params": _params_state(params),
            "system": self.systemPromptEdit.toPlainText(),
            "system_visible": self.systemToggle.isChecked(),
            "prompt": self._unsent_prompt(),
            "sync": self.syncBox.isChecked(),
            "rows": self.compare.rows,
            "theme": self.theme,
        }

    def _unsent_prompt(self) -> str:
        """The prompt box, unless it still holds what was sent (a restart must not offer it again)."""
        text = self.promptEdit.toPlainText()
        return "" if text == self._sent_prompt else text


def _params_state(params: ChatParams | None) -> dict[str, Any]:
    if params is None:
        return {}
    return {name: getattr(params, name) for name in params.set_names()}


def _params_from_state(data: dict[str, Any]) -> ChatParams:
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
