"""Test-run checks and reports against hostile answers: the grid CSV (the matrix's "Copy as CSV")
escapes every cell a spreadsheet would run as a formula - also behind a tab or a carriage return -
with the one rule history and leaderboard exports use; a deep answer fails its schema check instead
of the whole cell."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest

from playground.core.errors import ConfigError
from playground.core.evaluation import report
from playground.core.evaluation.assertions import Observation, check, parse_assertion
from playground.core.evaluation.runner import CURRENT, Cell, CellKey, TestPlan, Variant
from playground.core.evaluation.suite import build_cases
from playground.core.structured import load_schema, validate_answer
from playground.core.templates import PromptTemplate
from playground.core.tools import load_tools
from tests.hostile import HostileServer


def test_grid_csv_escapes_formulas_behind_a_tab_or_a_return() -> None:
    t = PromptTemplate(name="t", prompt="Explain {{text}}", cases=(("one", {"text": "x"}),))
    models = ("\t=HYPERLINK(1)", "sim/quick-mini")
    plan = TestPlan(t.name, (Variant(CURRENT, t, t.content_hash),), build_cases(t, "t.toml"), models)
    cells = {
        CellKey(CURRENT, "one", models[0], 1): Cell(CellKey(CURRENT, "one", models[0], 1), "done"),
        CellKey(CURRENT, "one", models[1], 1): Cell(
            CellKey(CURRENT, "one", models[1], 1), "error", error="\r=cmd|' /C calc'!A0"
        ),
    }
    rows = list(csv.reader(io.StringIO(report.grid_csv(plan, cells))))
    shown = [cell for row in rows[1:] for cell in row]
    assert "'\t=HYPERLINK(1)" in shown
    assert any(cell.startswith("'\r=cmd") for cell in shown)
    assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for cell in shown)


def test_a_deep_answer_against_a_recursive_schema_fails_the_check_not_the_cell() -> None:
    tree = {"type": "array", "items": {"$ref": "#"}}
    for kind in ("is-json", "contains-json"):
        assertion = parse_assertion({"type": kind, "value": tree}, "t.toml")
        outcome = check(assertion, Observation("[" * 900 + "]" * 900, None, None))
        assert not outcome.passed and outcome.reason == "nested too deeply to check against the schema"
    shallow = check(
        parse_assertion({"type": "is-json", "value": tree}, "t.toml"), Observation("[[]]", None, None)
    )
    assert shallow.passed


def test_a_schema_never_fetches_a_remote_ref() -> None:
    with HostileServer() as server:
        for schema in (
            {"$ref": f"{server.base_url}/schema.json"},
            {"$id": f"{server.base_url}/", "properties": {"a": {"$ref": "item.json"}}},
        ):
            outcome = check(
                parse_assertion({"type": "is-json", "value": schema}, "t.toml"),
                Observation('{"a": 1}', None, None),
            )
            assert not outcome.passed and "which is never fetched" in outcome.reason
        assert server.seen == []  # no request left the machine's test run
    local = {"$defs": {"n": {"type": "integer"}}, "properties": {"a": {"$ref": "#/$defs/n"}}}
    assert check(
        parse_assertion({"type": "is-json", "value": local}, "t.toml"), Observation('{"a": 1}', None, None)
    ).passed


@pytest.mark.parametrize("threshold", [float("nan"), float("inf"), 10**400])
def test_a_threshold_that_is_not_a_finite_number_is_refused(threshold: float) -> None:
    with pytest.raises(ConfigError, match="'threshold' must be a finite number"):
        parse_assertion({"type": "latency", "threshold": threshold}, "t.toml")


def test_schema_and_tools_files_fetch_nothing_and_read_no_device(tmp_path: Path) -> None:
    with HostileServer() as server:
        check_ = validate_answer('{"a": 1}', {"$ref": f"{server.base_url}/schema.json"})
        assert not check_.valid and "which is never fetched" in check_.message
        assert server.seen == []
    fifo = tmp_path / "schema.json"
    os.mkfifo(fifo)
    for path in (Path("/dev/zero"), fifo):
        with pytest.raises(ConfigError, match=f"Cannot read the schema file {path.name}: not a regular file"):
            load_schema(path)
        with pytest.raises(ConfigError, match=f"Cannot read the tools file {path.name}: not a regular file"):
            load_tools(path)
