"""ParamsDialog: one pane's (or a template's) own parameters, over the shared ones. Loaded when it
is first opened."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from playground.core.request import ChatParams
from playground.ui.params_panel import ParamsPanel


class ParamsDialog(QDialog):
    """Parameters for one pane; fields left at "default" use the shared ones."""

    def __init__(self, params: ChatParams, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("paneParamsDialog")
        self.setWindowTitle("Parameters for this pane")
        layout = QVBoxLayout(self)
        note = QLabel("Set only what this pane should do differently; 'default' uses the shared value.")
        note.setWordWrap(True)
        layout.addWidget(note)
        self.panel = ParamsPanel()
        self.panel.set_params(params)
        layout.addWidget(self.panel)
        # in the window this button sits beside the System prompt toggle; here it is the only way
        # to give one pane (or a template) its own schema, tools or web search
        options = QHBoxLayout()
        options.addWidget(self.panel.optionsButton)
        options.addStretch(1)
        layout.addLayout(options)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
