"""MatrixModel: a test run's cells as a table (cases x versions and models, with summaries)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from playground.core.evaluation.runner import (
    AGAINST,
    CURRENT,
    Cell,
    CellKey,
    compare_versions,
    group_repeats,
    summarize,
)
from playground.core.format import usd
from playground.ui.matrix_run import MatrixRun

Index = QModelIndex | QPersistentModelIndex
_COLOURS = {
    "pass": QColor(46, 160, 67, 60),
    "fail": QColor(207, 34, 46, 60),
    "error": QColor(191, 135, 0, 70),
}
_ROLES = (
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.AccessibleTextRole,
    Qt.ItemDataRole.BackgroundRole,
    Qt.ItemDataRole.ToolTipRole,
)
ONE_BY_ONE = 16  # more changed entries than this in a frame are told as the one rectangle around them
MARKS = {"improved": "▲ improved", "regressed": "▼ regressed", "unchanged": "= unchanged"}


class MatrixModel(QAbstractTableModel):
    """Rows: the cases, then "all cases". Columns: (version, model) pairs, then "all models"."""

    def __init__(self, run: MatrixRun, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.run = run
        plan = run.plan
        self.columns = [(v.label, m) for v in plan.variants for m in plan.models]
        self.marks: dict[tuple[str, str], str] = {}
        self._rows = {case.name: row for row, case in enumerate(plan.cases)}
        self._columns = {pair: column for column, pair in enumerate(self.columns)}
        self._keys: dict[tuple[int, int], list[CellKey]] = {}  # a grid entry's cells, built once
        self._own: dict[CellKey, CellKey] = {}

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.run.plan.cases) + 1

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns) + 1

    def group(self, row: int, column: int) -> list[Cell]:
        """The cells under one grid entry (every repeat; a summary entry: its whole row or column)."""
        keys = self._keys.get((row, column))
        if keys is None:
            plan = self.run.plan
            cases = [plan.cases[row].name] if row < len(plan.cases) else [c.name for c in plan.cases]
            columns = [self.columns[column]] if column < len(self.columns) else self.columns
            own = self._own_keys()
            keys = self._keys[(row, column)] = [
                own[CellKey(v, case, m, r)]
                for case in cases
                for v, m in columns
                for r in range(1, plan.repeats + 1)
            ]
        cells = self.run.cells
        return [cells[k] for k in keys]

    def _own_keys(self) -> dict[CellKey, CellKey]:
        """The run's own key objects (the same for the model's life): a lookup then matches by identity."""
        if not self._own:
            self._own = {k: k for k in self.run.cells}
        return self._own

    def is_summary(self, index: Index) -> bool:
        return index.row() >= len(self.run.plan.cases) or index.column() >= len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in _ROLES:  # a view asks for a dozen roles per cell
            return None
        group = self.group(index.row(), index.column())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return _summary_text(group) if self.is_summary(index) else self._cell_text(index, group)
        if role == Qt.ItemDataRole.BackgroundRole and not self.is_summary(index):
            verdict = _verdict(group)
            return _COLOURS.get(verdict) if verdict is not None else None
        if role == Qt.ItemDataRole.ToolTipRole and not self.is_summary(index):
            return (
                "\n".join(f"{'✓' if o.passed else '✗'} {o.reason}" for c in group for o in c.outcomes) or None
            )
        return None

    def _cell_text(self, index: Index, group: list[Cell]) -> str:
        text = _group_text(group, self.run)
        variant, model = self.columns[index.column()]
        mark = self.marks.get((self.run.plan.cases[index.row()].name, model))
        return f"{text}\n{MARKS[mark]}" if mark and variant == CURRENT else text

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        if orientation == Qt.Orientation.Vertical:
            cases = self.run.plan.cases
            return cases[section].name if section < len(cases) else "all cases"
        if section >= len(self.columns):
            return "all models"
        variant, model = self.columns[section]
        if len(self.run.plan.variants) == 1:
            return model
        return f"{model} @ {self.run.plan.variant(variant).version[:6]}" + (
            " (older)" if variant == AGAINST else ""
        )

    def refresh(self, changed: set[CellKey] | None = None, *, summaries: bool = True) -> None:
        """Tell the view what to redraw: the entries of the ``changed`` cells (None: everything) and,
        with ``summaries``, the "all cases" row and "all models" column."""
        if len(self.run.plan.variants) > 1 and not self.run.running:
            self.marks = compare_versions(self.run.cells, self.run.plan)
        rows, columns = self.rowCount(), self.columnCount()
        if not rows or not columns:
            return
        if changed is None:
            self.dataChanged.emit(self.index(0, 0), self.index(rows - 1, columns - 1))
            return
        entries = {(self._rows[k.case], self._columns[(k.variant, k.model)]) for k in changed}
        if len(entries) > ONE_BY_ONE:  # a run starting: hundreds at once, one signal for them all
            top, bottom = min(r for r, _c in entries), max(r for r, _c in entries)
            left, right = min(c for _r, c in entries), max(c for _r, c in entries)
            self.dataChanged.emit(self.index(top, left), self.index(bottom, right))
        else:
            for row, column in entries:
                entry = self.index(row, column)
                self.dataChanged.emit(entry, entry)
        if summaries:
            self.dataChanged.emit(self.index(rows - 1, 0), self.index(rows - 1, columns - 1))
            self.dataChanged.emit(self.index(0, columns - 1), self.index(rows - 1, columns - 1))


def _verdict(group: list[Cell]) -> str | None:
    finished = [c for c in group if c.finished]
    if not finished:
        return None
    if any(c.state == "error" for c in finished):
        return "error"
    return "pass" if all(c.passed for c in finished) else "fail"


def _group_text(group: list[Cell], run: MatrixRun) -> str:
    if all(c.state == "waiting" for c in group):
        return ""  # idle: nothing was sent, so it says nothing
    if len(group) == 1:
        return _one_text(group[0], run)
    repeats = group_repeats(group)
    running = sum(c.state == "running" for c in group)
    first = f"{repeats.passed}/{len(group)} passed" + (f", {running} running" if running else "")
    distinct = len(repeats.distinct)
    first += f" · {distinct} different answer{'s' if distinct != 1 else ''}" if repeats.total else ""
    failing = next((c.why for c in group if c.why and c.state != "stopped"), "")
    return "\n".join(line for line in (first, _figures(group), failing) if line)


def _one_text(cell: Cell, run: MatrixRun) -> str:
    if cell.state == "running":
        return f"answering… {len(run.text(cell.key).split())} words"
    if cell.state in ("error", "stopped"):
        head = f"ERROR: {cell.why}" if cell.state == "error" else "stopped"
        return f"{head}\n(double-click to see it and retry)"
    word = "PASS" if cell.passed else f"FAIL: {cell.why}"
    figures = _figures([cell])
    return f"{word}\n{figures}" if figures else word


def _figures(group: list[Cell]) -> str:
    repeats = group_repeats(group)
    parts = []
    if repeats.latency:
        low, high = (v / 1000 for v in repeats.latency)
        parts.append(f"{low:.1f} s" if abs(high - low) < 0.05 else f"{low:.1f}–{high:.1f} s")
    if repeats.cost:
        low_c, high_c = repeats.cost
        parts.append(usd(low_c) if low_c == high_c else f"{usd(low_c)}–{usd(high_c)}")
    return " · ".join(parts)


def _summary_text(group: list[Cell]) -> str:
    s = summarize(group)
    if not s.cells:
        return ""
    median = f" · median {s.median_ms / 1000:.1f} s" if s.median_ms is not None else ""
    return f"{s.rate:.0%} passed ({s.passed}/{s.cells})\n{usd(s.cost)}{median}"
