"""RequestOptionsDialog: the requests beyond plain chat - structured outputs (a schema typed in),
tools (OpenAI-shaped JSON) and tool choice, web search, reasoning budget and exclusion, caching.

The dialog only edits text and choices; the core checks them (a bad schema or tools list is said
in the dialog, and nothing changes until it is right). Loaded when first opened: its Qt classes and
the core's schema and tools checks are not needed before the window's first frame.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from playground.core.errors import ConfigError
from playground.core.request import ChatParams
from playground.core.structured import JSON_OBJECT, check_schema, json_schema_format, schema_of
from playground.core.tools import check_tool_choice, check_tools
from playground.ui.request_options import FORMATS, surface_of


class RequestOptionsDialog(QDialog):
    """Edits the request options; ``options()`` gives them once accepted."""

    def __init__(self, params: ChatParams, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("requestOptionsDialog")
        self.setWindowTitle("Request options")
        self._options = surface_of(params)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self._answer_rows(form, params)
        self._other_rows(form, params)
        layout.addLayout(form)
        self.errorLabel = QLabel()
        self.errorLabel.setObjectName("requestOptionsError")
        self.errorLabel.setWordWrap(True)
        self.errorLabel.hide()
        layout.addWidget(self.errorLabel)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        # a roomy default, never below what the rows need (a fixed minimum width cut the checkboxes)
        self.resize(max(520, self.sizeHint().width()), self.sizeHint().height())

    def _answer_rows(self, form: QFormLayout, params: ChatParams) -> None:
        """Answer format with its schema; tools with the choice among them."""
        self.formatBox = _combo("responseFormatBox", "Answer format", FORMATS)
        fmt = (params.response_format or {}).get("type")
        self.formatBox.setCurrentIndex({"json_object": 1, "json_schema": 2}.get(str(fmt), 0))
        form.addRow("Answer format", self.formatBox)
        self.schemaEdit = _editor("schemaEdit", "JSON Schema", '{"type": "object", "properties": {...}}')
        schema = schema_of(params.response_format)
        if fmt == "json_schema" and schema:
            self.schemaEdit.setPlainText(json.dumps(schema, indent=2))
        form.addRow("Schema", self.schemaEdit)
        self.toolsEdit = _editor("toolsEdit", "Tools", '[{"type": "function", "function": {"name": ...}}]')
        if params.tools:
            self.toolsEdit.setPlainText(json.dumps([dict(t) for t in params.tools], indent=2))
        form.addRow("Tools", self.toolsEdit)
        self.toolChoiceBox = _combo("toolChoiceBox", "Tool choice", ("auto", "none", "required"))
        self.toolChoiceBox.setEditable(True)  # or a tool's name
        self.toolChoiceBox.setCurrentText(params.tool_choice or "auto")
        form.addRow("Tool choice", self.toolChoiceBox)

    def _other_rows(self, form: QFormLayout, params: ChatParams) -> None:
        """Web search, the reasoning budget and exclusion, the cache marks."""
        self.webSearchBox = QCheckBox("Search the web (OpenRouter's web search tool)")
        self.webSearchBox.setObjectName("webSearchBox")
        self.webSearchBox.setChecked(params.web_search is not None)
        self.webResults = _spin("webResultsSpin", "Web search results", 0, 25, params.web_search or 0)
        self.webResults.setSpecialValueText("default")
        form.addRow(self.webSearchBox, self.webResults)
        self.budget = _spin(
            "reasoningBudgetSpin", "Reasoning token budget", 0, 1_000_000, params.reasoning_max_tokens or 0
        )
        self.budget.setSpecialValueText("none (use the effort)")
        form.addRow("Reasoning budget", self.budget)
        self.excludeBox = _check(
            "excludeReasoningBox", "Reason, but leave the reasoning out", params.exclude_reasoning
        )
        form.addRow("", self.excludeBox)
        self.cacheBox = _check(
            "cachePromptBox", "Mark the system prompt and attachments for caching", params.cache_prompt
        )
        form.addRow("", self.cacheBox)

    def _read(self) -> ChatParams:
        values: dict[str, Any] = {}
        answer_format = self.formatBox.currentIndex()
        if answer_format == 1:
            values["response_format"] = JSON_OBJECT
        elif answer_format == 2:
            values["response_format"] = json_schema_format(check_schema(_json(self.schemaEdit, "Schema")))
        tools_text = self.toolsEdit.toPlainText().strip()
        if tools_text:
            values["tools"] = check_tools(_json(self.toolsEdit, "Tools"))
            typed = self.toolChoiceBox.currentText().strip() or "auto"
            choice = check_tool_choice(typed, values["tools"])
            values["tool_choice"] = None if choice == "auto" else choice  # auto: OpenRouter's default
        if self.webSearchBox.isChecked():
            values["web_search"] = self.webResults.value()
        if self.budget.value():
            values["reasoning_max_tokens"] = self.budget.value()
        values["exclude_reasoning"] = True if self.excludeBox.isChecked() else None
        values["cache_prompt"] = True if self.cacheBox.isChecked() else None
        return ChatParams(**values)

    def accept(self) -> None:
        try:
            self._options = self._read()
        except ConfigError as exc:
            self.errorLabel.setText(str(exc))
            self.errorLabel.show()
            return
        super().accept()

    def options(self) -> ChatParams:
        return self._options


def _json(editor: QPlainTextEdit, what: str) -> Any:
    try:
        return json.loads(editor.toPlainText())
    except ValueError as exc:
        raise ConfigError(f"{what}: not valid JSON ({exc})") from None


def _combo(name: str, accessible: str, items: tuple[str, ...]) -> QComboBox:
    box = QComboBox()
    box.setObjectName(name)
    box.setAccessibleName(accessible)
    box.addItems(list(items))
    return box


def _editor(name: str, accessible: str, placeholder: str) -> QPlainTextEdit:
    editor = QPlainTextEdit()
    editor.setObjectName(name)
    editor.setAccessibleName(accessible)
    editor.setPlaceholderText(placeholder)
    editor.setMaximumHeight(120)
    return editor


def _spin(name: str, accessible: str, low: int, high: int, value: int) -> QSpinBox:
    spin = QSpinBox()
    spin.setObjectName(name)
    spin.setAccessibleName(accessible)
    spin.setRange(low, high)
    spin.setValue(value)
    return spin


def _check(name: str, text: str, checked: bool | None) -> QCheckBox:
    box = QCheckBox(text)
    box.setObjectName(name)
    box.setChecked(bool(checked))
    return box
