"""RoutingDialog: how OpenRouter routes one pane's request - variant, fallback models, providers."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from playground.core.errors import PlaygroundError
from playground.core.routing import (
    SORTS,
    VARIANTS,
    Routing,
    RoutingError,
    parse_price,
    split_variant,
    variants_for,
)


def _line(name: str, placeholder: str, text: str = "", *, spoken: str) -> QLineEdit:
    edit = QLineEdit(text)
    edit.setObjectName(name)
    edit.setAccessibleName(spoken)
    edit.setPlaceholderText(placeholder)
    edit.setClearButtonEnabled(True)
    return edit


class RoutingDialog(QDialog):
    """Routing for one pane. ``routing()`` and ``model()`` give the choices once accepted."""

    def __init__(
        self, model: str, routing: Routing | None, catalog_ids: list[str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("routingDialog")
        self.setWindowTitle("Routing for this pane")
        self.setMinimumWidth(460)
        routing = routing or Routing()
        self._base, variant = split_variant(model)
        if variant not in VARIANTS:  # e.g. ``:extended`` is part of the id, not a routing variant
            self._base, variant = model, None
        layout = QVBoxLayout(self)
        intro = QLabel(
            "How OpenRouter picks who answers this pane. Leave a field empty to use OpenRouter's default."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self._provider_rows(form, model, variant, catalog_ids, routing)
        self._price_rows(form, routing)
        self._filter_rows(form, routing)
        layout.addLayout(form)
        self.errorLabel = QLabel()
        self.errorLabel.setObjectName("routingError")
        self.errorLabel.setWordWrap(True)
        self.errorLabel.hide()
        layout.addWidget(self.errorLabel)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        clear = QPushButton("Clear")
        clear.setObjectName("clearRoutingButton")
        clear.clicked.connect(self.clear)
        buttons.addButton(clear, QDialogButtonBox.ButtonRole.ResetRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._routing = routing

    def _provider_rows(
        self, form: QFormLayout, model: str, variant: str | None, catalog_ids: list[str], routing: Routing
    ) -> None:
        """Variant, fallback models, provider order, only, ignore, sort."""
        self.variantBox = QComboBox()
        self.variantBox.setObjectName("variantBox")
        self.variantBox.setAccessibleName("Variant")
        self.variantBox.addItem("none", None)
        for name in variants_for(model, catalog_ids):
            self.variantBox.addItem(f":{name} - {VARIANTS[name]}", name)
        found = self.variantBox.findData(variant)
        self.variantBox.setCurrentIndex(max(found, 0))
        self.variantBox.setEnabled(self.variantBox.count() > 1)
        form.addRow("Variant", self.variantBox)
        self.fallbacksEdit = _line(
            "fallbacksEdit",
            "model ids, comma-separated (up to 3)",
            ", ".join(routing.fallbacks),
            spoken="Fallback models",
        )
        form.addRow("Fallback models", self.fallbacksEdit)
        self.orderEdit = _line(
            "orderEdit", "providers to try first, in order", ", ".join(routing.order), spoken="Provider order"
        )
        form.addRow("Provider order", self.orderEdit)
        self.onlyEdit = _line(
            "onlyEdit", "use only these providers", ", ".join(routing.only), spoken="Only these providers"
        )
        form.addRow("Only", self.onlyEdit)
        self.ignoreEdit = _line(
            "ignoreEdit",
            "never use these providers",
            ", ".join(routing.ignore),
            spoken="Ignore these providers",
        )
        form.addRow("Ignore", self.ignoreEdit)
        self.sortBox = QComboBox()
        self.sortBox.setObjectName("sortBox")
        self.sortBox.setAccessibleName("Sort providers by")
        self.sortBox.addItem("OpenRouter's default", None)
        for sort in SORTS:
            self.sortBox.addItem(sort, sort)
        self.sortBox.setCurrentIndex(max(self.sortBox.findData(routing.sort), 0))
        form.addRow("Sort providers by", self.sortBox)

    def _price_rows(self, form: QFormLayout, routing: Routing) -> None:
        """Maximum prices, fallbacks to other providers, data collection."""
        prices = QHBoxLayout()
        self.maxPromptEdit = _line(
            "maxPromptEdit", "$ per M in", _price(routing.max_price_prompt), spoken="Maximum prompt price"
        )
        self.maxCompletionEdit = _line(
            "maxCompletionEdit",
            "$ per M out",
            _price(routing.max_price_completion),
            spoken="Maximum completion price",
        )
        prices.addWidget(self.maxPromptEdit)
        prices.addWidget(self.maxCompletionEdit)
        form.addRow("Max price", prices)
        self.allowFallbacksBox = QCheckBox("Fall back to other providers when these fail")
        self.allowFallbacksBox.setObjectName("allowFallbacksBox")
        self.allowFallbacksBox.setChecked(routing.allow_fallbacks is not False)
        form.addRow("", self.allowFallbacksBox)
        self.denyDataBox = QCheckBox("Only providers that do not store or train on prompts")
        self.denyDataBox.setObjectName("denyDataBox")
        self.denyDataBox.setChecked(routing.deny_data_collection)
        form.addRow("", self.denyDataBox)

    def _filter_rows(self, form: QFormLayout, routing: Routing) -> None:
        """Quantizations, a throughput preference, zero data retention, parameters honoured."""
        self.quantizationsEdit = _line(
            "quantizationsEdit",
            "only these quantizations, e.g. fp8, bf16",
            ", ".join(routing.quantizations),
            spoken="Quantizations to allow",
        )
        form.addRow("Quantizations", self.quantizationsEdit)
        self.throughputEdit = _line(
            "throughputEdit",
            "prefer providers at least this fast (tokens/s)",
            _price(routing.preferred_min_throughput),
            spoken="Preferred minimum throughput, tokens per second",
        )
        form.addRow("Min throughput", self.throughputEdit)
        self.zdrBox = QCheckBox("Only providers with zero data retention")
        self.zdrBox.setObjectName("zdrBox")
        self.zdrBox.setAccessibleName("Only providers with zero data retention")
        self.zdrBox.setChecked(routing.zdr)
        form.addRow("", self.zdrBox)
        self.requireParametersBox = QCheckBox("Only providers that honour every parameter sent")
        self.requireParametersBox.setObjectName("requireParametersBox")
        self.requireParametersBox.setAccessibleName("Only providers that honour every parameter sent")
        self.requireParametersBox.setChecked(routing.require_parameters)
        form.addRow("", self.requireParametersBox)

    def clear(self) -> None:
        for edit in (self.fallbacksEdit, self.orderEdit, self.onlyEdit, self.ignoreEdit):
            edit.clear()
        self.quantizationsEdit.clear()
        self.throughputEdit.clear()
        self.zdrBox.setChecked(False)
        self.requireParametersBox.setChecked(False)
        self.maxPromptEdit.clear()
        self.maxCompletionEdit.clear()
        self.variantBox.setCurrentIndex(0)
        self.sortBox.setCurrentIndex(0)
        self.allowFallbacksBox.setChecked(True)
        self.denyDataBox.setChecked(False)

    def _read(self) -> Routing:
        def names(edit: QLineEdit) -> list[str]:
            return [n.strip() for n in edit.text().split(",") if n.strip()]

        data: dict[str, object] = {
            "fallbacks": names(self.fallbacksEdit),
            "order": names(self.orderEdit),
            "only": names(self.onlyEdit),
            "ignore": names(self.ignoreEdit),
            "deny_data_collection": self.denyDataBox.isChecked(),
            "sort": self.sortBox.currentData(),
            "quantizations": names(self.quantizationsEdit),
            "zdr": self.zdrBox.isChecked(),
            "require_parameters": self.requireParametersBox.isChecked(),
        }
        throughput = self.throughputEdit.text().strip()
        if throughput:
            if not throughput.isdigit():
                raise RoutingError("Min throughput must be a whole number of tokens per second.")
            data["preferred_min_throughput"] = int(throughput)
        if not self.allowFallbacksBox.isChecked():
            data["allow_fallbacks"] = False
        if self.maxPromptEdit.text().strip():
            data["max_price_prompt"] = parse_price(self.maxPromptEdit.text(), "Max price in")
        if self.maxCompletionEdit.text().strip():
            data["max_price_completion"] = parse_price(self.maxCompletionEdit.text(), "Max price out")
        return Routing.from_mapping(data)

    def accept(self) -> None:
        try:
            self._routing = self._read()
        except PlaygroundError as exc:
            self.errorLabel.setText(str(exc))
            self.errorLabel.show()
            return
        super().accept()

    def routing(self) -> Routing:
        return self._routing

    def model(self) -> str:
        variant = self.variantBox.currentData()
        return f"{self._base}:{variant}" if variant else self._base


def _price(value: object) -> str:
    return "" if value is None else str(value)
