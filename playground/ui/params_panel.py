"""ParamsPanel: the sampling parameters shared by all panes; unset fields are not sent.

Signals:
    changed(): any parameter changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from playground.core import preflight
from playground.core.request import REASONING_EFFORTS, ChatParams
from playground.core.routing import Routing
from playground.ui.request_options import describe, surface_of, with_options

if TYPE_CHECKING:
    from playground.core.catalog import ModelInfo
    from playground.ui.request_options_dialog import RequestOptionsDialog

UNSET = "default"


def _double(name: str, spoken: str, low: float, high: float, step: float) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setObjectName(name)
    box.setAccessibleName(spoken)
    box.setRange(low - step, high)  # the value below the range means "not set"
    box.setSingleStep(step)
    box.setDecimals(2)
    box.setSpecialValueText(UNSET)
    box.setValue(box.minimum())
    return box


def _int(name: str, spoken: str, low: int, high: int) -> QSpinBox:
    box = QSpinBox()
    box.setObjectName(name)
    box.setAccessibleName(spoken)
    box.setRange(low - 1, high)
    box.setSpecialValueText(UNSET)
    box.setValue(box.minimum())
    return box


class ParamsPanel(QWidget):
    """A compact row of parameter fields."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("paramsPanel")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.temperature = _double("temperature", "Temperature", 0.0, 2.0, 0.1)
        self.top_p = _double("top_p", "Top p", 0.0, 1.0, 0.05)
        self.max_tokens = _int("max_tokens", "Max tokens", 1, 1_000_000)
        self.seed = _int("seed", "Seed", 0, 2_147_483_646)
        self.effort = QComboBox()
        self.effort.setObjectName("reasoning_effort")
        self.effort.setAccessibleName("Reasoning effort")
        self.effort.addItems([UNSET, *REASONING_EFFORTS])
        self.stop = QLineEdit()
        self.stop.setObjectName("stop")
        self.stop.setAccessibleName("Stop sequences")
        self.stop.setPlaceholderText("e.g. ###, END")
        self.stop.setMinimumWidth(110)
        self.options = ChatParams()  # structured outputs, tools, web search...: the options dialog
        self.optionsButton = QPushButton("Options: none")
        self.optionsButton.setObjectName("requestOptionsButton")
        self.optionsButton.setAccessibleName(
            "Request options: structured outputs, tools, web search, caching"
        )
        self.optionsButton.clicked.connect(self.edit_options)
        fields: list[tuple[str, QWidget]] = [
            ("Temperature", self.temperature),
            ("Top p", self.top_p),
            ("Max tokens", self.max_tokens),
            ("Seed", self.seed),
            ("Reasoning", self.effort),
            ("Stop", self.stop),
        ]
        # the window places this button beside the System prompt toggle: the row of parameters
        # must fit a 1280 px screen with both docks open
        self.optionsButton.setToolTip(TOOLTIPS["requestOptionsButton"])
        for _label, field in fields[:4]:
            field.setMinimumWidth(76)  # "default" fits; the seed's range would ask for twice that
        for label, field in fields:
            caption = QLabel(label)
            caption.setBuddy(field)
            tip = TOOLTIPS[field.objectName()]
            caption.setToolTip(tip)
            field.setToolTip(tip)
            layout.addWidget(caption)
            layout.addWidget(field)
        layout.addStretch(1)
        for box in (self.temperature, self.top_p):
            box.valueChanged.connect(self.changed)
        for spin in (self.max_tokens, self.seed):
            spin.valueChanged.connect(self.changed)
        self.effort.currentIndexChanged.connect(self.changed)
        self.stop.textChanged.connect(self.changed)

    def params(self) -> ChatParams:
        def value(box: QDoubleSpinBox | QSpinBox) -> Any:
            return None if box.value() == box.minimum() else box.value()

        stops = tuple(s.strip() for s in self.stop.text().split(",") if s.strip())
        effort = self.effort.currentText()
        params = ChatParams(
            temperature=value(self.temperature),
            top_p=value(self.top_p),
            max_tokens=value(self.max_tokens),
            seed=value(self.seed),
            stop=stops or None,
            reasoning_effort=None if effort == UNSET else effort,
        )
        return with_options(params, self.options)

    def set_params(self, params: ChatParams) -> None:
        for box, current in (
            (self.temperature, params.temperature),
            (self.top_p, params.top_p),
            (self.max_tokens, params.max_tokens),
            (self.seed, params.seed),
        ):
            box.setValue(box.minimum() if current is None else current)  # type: ignore[arg-type]
        self.effort.setCurrentText(params.reasoning_effort or UNSET)
        self.stop.setText(", ".join(params.stop or ()))
        self.set_options(surface_of(params))

    def set_options(self, options: ChatParams) -> None:
        self.options = options
        self.optionsButton.setText(f"Options: {describe(options)}")
        self.changed.emit()

    def edit_options(self) -> RequestOptionsDialog:
        """The request options dialog (open, not modal to the event loop: tests drive it)."""
        from playground.ui.request_options_dialog import RequestOptionsDialog  # loaded when first opened

        dialog = RequestOptionsDialog(self.params(), self)
        dialog.accepted.connect(lambda: self.set_options(dialog.options()))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog


# What each parameter does, in the words of a tooltip.
TOOLTIPS = {
    "temperature": "Randomness: 0 always picks the likeliest words, higher gives more varied answers "
    "(default: the model's own, usually 1)",
    "top_p": "Nucleus sampling: only the likeliest words whose chances add up to this share are "
    "considered (1 = all). Change this or Temperature, not both",
    "max_tokens": "The longest answer allowed, in tokens (about 3/4 of a word each); also caps the "
    "estimated cost",
    "seed": "The same seed with the same settings asks for the same answer again (not every provider "
    "honours it)",
    "reasoning_effort": "How long a reasoning model thinks before answering: more effort, better "
    "answers on hard problems, more tokens",
    "stop": "Text that ends the answer when the model writes it; several separated by commas",
    "requestOptionsButton": "Structured outputs (a JSON schema), tools, web search, reasoning budget, "
    "prompt caching and image output for this comparison",
}

PARAMETER_NAMES = preflight.PARAMETER_NAMES  # one table, in core (kept here for old callers)


def surface_notes(
    model: str, info: ModelInfo | None, params: ChatParams, routing: Routing | None
) -> list[str]:
    """A pane's notes before sending: a preset named as such, what the model may not honour."""
    require = routing is not None and routing.require_parameters
    offer = "tick 'honour every parameter' in the pane's Routing"
    return [f.text for f in preflight.unsupported(model, info, params, require, offer)]
