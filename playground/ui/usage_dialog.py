"""UsageDialog: spend per day, model and template; the key's limit; this session; the alert settings."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from playground.core.format import usd
from playground.core.spend import SpendReport, remaining_credit
from playground.ui.session import Session
from playground.ui.widgets import local_day

OFF = "off"


class MoneyBox(QDoubleSpinBox):
    """An amount typed with up to six decimals, shown as money is everywhere ("$15.00", "$0.0049")."""

    def textFromValue(self, value: float) -> str:
        return usd(round(value, self.decimals()))

    def valueFromText(self, text: str) -> float:
        words = text.replace("$", "").replace(",", "").replace("<", "").strip()
        try:
            return float(words) if words and words != OFF else 0.0
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        words = text.replace("$", "").replace(",", "").replace("<", "").strip()
        if words in ("", OFF) or (all(ch.isdigit() or ch == "." for ch in words) and words.count(".") <= 1):
            return QValidator.State.Acceptable, text, pos
        return QValidator.State.Invalid, text, pos


def _amount(name: str, value: float | None, spoken: str) -> QDoubleSpinBox:
    box = MoneyBox()
    box.setObjectName(name)
    box.setAccessibleName(spoken)
    box.setRange(0, 100_000)
    box.setDecimals(6)  # a comparison of small models can cost well under a cent
    box.setSpecialValueText(OFF)  # 0 = off
    box.setValue(value or 0)
    return box


def _table(name: str, header: str, rows: Sequence[tuple[str, Decimal]]) -> QTableWidget:
    table = QTableWidget(len(rows), 2)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels([header, "cost"])
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    for row, (label, cost) in enumerate(rows):
        table.setItem(row, 0, QTableWidgetItem(label))
        item = QTableWidgetItem(usd(cost))
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        table.setItem(row, 1, item)
    return table


class UsageDialog(QDialog):
    """Built from a SpendReport the Session computed; saving alerts goes back through the Session."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("usageDialog")
        self.setWindowTitle("Usage and spend")
        self.resize(760, 560)
        self.report: SpendReport = session.spend.report()
        layout = QVBoxLayout(self)
        layout.addWidget(self._key_box())
        tables = QHBoxLayout()
        r = self.report
        self.dayTable = _table("dayTable", "day", [(local_day(day), cost) for day, cost in r.per_day])
        self.modelTable = _table("modelTable", "model", r.per_model)
        self.templateTable = _table("templateTable", "template", r.per_template)
        for title, table in (
            ("Per day", self.dayTable),
            ("Per model", self.modelTable),
            ("Per template", self.templateTable),
        ):
            box = QGroupBox(title)
            inner = QVBoxLayout(box)
            inner.addWidget(table)
            tables.addWidget(box)
        layout.addLayout(tables, 1)
        layout.addWidget(self._alerts_box())
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _key_box(self) -> QGroupBox:
        box = QGroupBox("Key and spend")
        form = QFormLayout(box)
        info = self.report.key_info
        if info is None:
            limit = "unknown - the key's figures could not be read (no key, or offline)"
            spent = "-"
        else:
            remaining = remaining_credit(info)
            reset = f", resets {info.limit_reset}" if info.limit_reset else ""
            limit = "no limit" if info.limit is None else f"{usd(remaining)} left of {usd(info.limit)}{reset}"
            spent = (
                f"today {usd(info.usage_daily)} · this week {usd(info.usage_weekly)} · "
                f"this month {usd(info.usage_monthly)} · all time {usd(info.usage)}"
            )
        self.limitLabel = QLabel(limit)
        self.limitLabel.setObjectName("limitLabel")
        self.keySpentLabel = QLabel(spent)
        self.keySpentLabel.setObjectName("keySpentLabel")
        self.localLabel = QLabel(
            f"today {usd(self.report.today)} · this session {usd(self.report.session or Decimal(0))}"
        )
        self.localLabel.setObjectName("localSpentLabel")
        for label in (self.limitLabel, self.keySpentLabel, self.localLabel):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow("Limit", self.limitLabel)
        form.addRow("Key's spend (OpenRouter)", self.keySpentLabel)
        form.addRow("Spent through this app", self.localLabel)
        return box

    def _alerts_box(self) -> QGroupBox:
        box = QGroupBox("Alerts - shown in the window before they bite ($0 = off)")
        form = QFormLayout(box)
        s = self.session.settings.load()
        self.remainingBox = _amount(
            "alertRemaining", s.alert_remaining_below_usd, "Alert when remaining credit is at or below"
        )
        self.dailyBox = _amount(
            "alertDaily", s.alert_daily_spend_usd, "Alert when today's spend is at or above"
        )
        self.estimateBox = _amount(
            "alertEstimate", s.spend_cap_usd, "Ask before a comparison estimated at or above"
        )
        form.addRow("Remaining credit at or below", self.remainingBox)
        form.addRow("Spend today at or above", self.dailyBox)
        form.addRow("One comparison estimated at or above (asks first)", self.estimateBox)
        self.alertsLabel = QLabel("\n".join(a.message for a in self.report.alerts) or "No alert has fired.")
        self.alertsLabel.setObjectName("usageAlertsLabel")
        self.alertsLabel.setWordWrap(True)
        form.addRow(self.alertsLabel)
        return box

    def save(self) -> None:
        def value(box: QDoubleSpinBox) -> float | None:
            return box.value() or None

        spend = self.session.spend
        spend.save_alerts(value(self.remainingBox), value(self.dailyBox), value(self.estimateBox))
        self.accept()
