"""A test run's results as JSON events, a JSON document, JUnit XML and a plain-text matrix.

Every format is built from the same cells, so the window, the terminal and CI see the same results.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree as ET

from playground.core.evaluation.runner import (
    AGAINST,
    CURRENT,
    Cell,
    CellKey,
    Summary,
    TestPlan,
    group_repeats,
    summarize,
)
from playground.core.export import SafeCsvWriter
from playground.core.format import usd

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """Server text for a terminal: control characters (escape sequences, bidi overrides) escaped."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def assertion_events(cell: Cell) -> list[dict[str, Any]]:
    k = cell.key
    return [
        {
            "type": "assertion",
            "variant": k.variant,
            "case": k.case,
            "model": k.model,
            "repeat": k.repeat,
            "assertion": o.assertion.name,
            "value": o.assertion.value,
            "pass": o.passed,
            "score": o.score,
            "reason": o.reason,
        }
        for o in cell.outcomes
    ]


def cell_event(cell: Cell) -> dict[str, Any]:
    k = cell.key
    return {
        "type": "cell",
        "variant": k.variant,
        "case": k.case,
        "model": k.model,
        "repeat": k.repeat,
        "state": cell.state,
        "pass": cell.passed,
        "score": round(cell.score, 4),
        "reason": cell.why or None,
        "cost": _money(cell.cost),
        "judge_cost": _money(cell.judge_cost),
        "latency_ms": None if cell.latency_ms is None else round(cell.latency_ms, 1),
        "error": cell.error,
    }


def summary_json(s: Summary) -> dict[str, Any]:
    return {
        "cells": s.cells,
        "passed": s.passed,
        "failed": s.cells - s.passed,
        "errors": s.errors,
        "pass_rate": round(s.rate, 4),
        "cost": str(s.cost),
        "median_latency_ms": None if s.median_ms is None else round(s.median_ms, 1),
    }


def current(cells: Iterable[Cell]) -> list[Cell]:
    return [c for c in cells if c.key.variant == CURRENT]


def versions_line(marks: Mapping[tuple[str, str], str], new: str, old: str) -> str:
    counts = {w: sum(m == w for m in marks.values()) for w in ("improved", "regressed", "unchanged")}
    return (
        f"{new} vs {old}: {counts['improved']} improved, {counts['regressed']} regressed, "
        f"{counts['unchanged']} unchanged"
    )


def junit_xml(plan: TestPlan, cells: Sequence[Cell], test_run: int | None) -> str:
    """One testcase per cell (case x model x repeat) of the version under test."""
    chosen = current(cells)
    total = summarize(chosen)
    suite = ET.Element(
        "testsuite",
        name=f"playground templates test {plan.name}",
        tests=str(len(chosen)),
        failures=str(sum(c.state == "done" and not c.passed for c in chosen)),
        errors=str(sum(c.state != "done" for c in chosen)),
    )
    if test_run is not None:
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="test_run", value=str(test_run))
        ET.SubElement(props, "property", name="cost_usd", value=str(total.cost))
    for cell in chosen:
        k = cell.key
        name = k.model if plan.repeats == 1 else f"{k.model} #{k.repeat}"
        seconds = (cell.latency_ms or 0) / 1000
        case = ET.SubElement(
            suite,
            "testcase",
            classname=_xml_safe(f"{plan.name}.{k.case}"),
            name=_xml_safe(name),
            time=f"{seconds:.3f}",
        )
        if cell.state != "done":
            ET.SubElement(case, "error", message=_xml_safe(cell.why or cell.state))
        elif not cell.passed:
            failing = [o for o in cell.outcomes if not o.passed]
            element = ET.SubElement(
                case, "failure", message=_xml_safe(failing[0].reason), type=failing[0].assertion.name
            )
            element.text = _xml_safe("\n".join(f"{o.assertion.describe()}: {o.reason}" for o in failing))
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"


def _xml_safe(text: str) -> str:
    """XML 1.0 cannot hold most control characters, whatever a server sent."""
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "?", text)[:2000]


def matrix_rows(plan: TestPlan, cells: Mapping[CellKey, Cell], variant: str = CURRENT) -> list[list[str]]:
    """One row per case: each model's result (PASS, FAIL, 2/3 ...), then the row's pass rate."""
    rows = []
    for case in plan.cases:
        row = [case.name]
        for model in plan.models:
            group = [cells[CellKey(variant, case.name, model, r)] for r in range(1, plan.repeats + 1)]
            row.append(_cell_word(group))
        row_cells = [c for k, c in cells.items() if k.variant == variant and k.case == case.name]
        row.append(f"{summarize(row_cells).rate:.0%}")
        rows.append(row)
    footer = ["pass rate"]
    for model in plan.models:
        column = [c for k, c in cells.items() if k.variant == variant and k.model == model]
        footer.append(f"{summarize(column).rate:.0%}")
    footer.append(f"{summarize(c for k, c in cells.items() if k.variant == variant).rate:.0%}")
    return [*rows, footer]


def grid_csv(plan: TestPlan, cells: Mapping[CellKey, Cell]) -> str:
    """One row per cell (case, model, repeat) with its result and reason; formula-like text escaped."""
    out = io.StringIO()
    writer = SafeCsvWriter(out)  # model ids, reasons and errors come from users and servers
    writer.writerow(
        ["version", "case", "model", "repeat", "state", "pass", "score", "reason", "cost", "latency_ms"]
    )
    for key in plan.cell_keys():
        c = cells[key]
        row = [key.variant, key.case, key.model, key.repeat, c.state, c.passed, f"{c.score:.4g}", c.why]
        row += [c.total_cost, "" if c.latency_ms is None else f"{c.latency_ms:.0f}"]
        writer.writerow([str(v) for v in row])
    return out.getvalue()


def _cell_word(group: Sequence[Cell]) -> str:
    if len(group) == 1:
        cell = group[0]
        return {"done": "PASS" if cell.passed else "FAIL"}.get(cell.state, cell.state.upper())
    repeats = group_repeats(group)
    if repeats.total == 0:
        return "-"
    distinct = len(repeats.distinct)
    return f"{repeats.passed}/{len(group)}" + (f" ({distinct} answers)" if distinct > 1 else "")


def summary_line(s: Summary) -> str:
    median = f", median latency {s.median_ms / 1000:.2f} s" if s.median_ms is not None else ""
    errors = f", {s.errors} without an answer" if s.errors else ""
    return f"{s.passed} of {s.cells} passed{errors}; cost {usd(s.cost)}{median}."


def html_report(plan: TestPlan, cells: Mapping[CellKey, Cell], title: str) -> str:
    """The test run as one self-contained page, drawn by the report package (the same page as the
    history reports): the matrix with each failing assertion and, with ``--against``, what regressed."""
    from playground.core.report.testrun import Against, MatrixCell, render_test_run_html

    def matrix_cell(key: CellKey, cell: Cell) -> MatrixCell:
        failing = tuple(f"{o.assertion.describe()}: {o.reason}" for o in cell.outcomes if not o.passed)
        if cell.state != "done":
            failing = (cell.error or "no answer", *failing)
        latency = cell.latency_ms / 1000 if cell.latency_ms is not None else None
        return MatrixCell(
            key.case, key.model, cell.text, cell.passed, failing, cell.cost, latency, key.repeat
        )

    shown = [matrix_cell(k, c) for k, c in cells.items() if k.variant == CURRENT]
    against = None
    if any(v.label == AGAINST for v in plan.variants):
        passed: dict[tuple[str, str], bool] = {}
        for key, cell in cells.items():
            if key.variant == AGAINST:
                spot = (key.case, key.model)
                passed[spot] = passed.get(spot, True) and cell.passed
        against = Against(plan.variant(AGAINST).version[:12], passed)
    return render_test_run_html(plan.name, shown, version=plan.variant(CURRENT).version[:12], against=against)
