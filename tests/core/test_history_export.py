"""One exporter: the comparison on screen and ``history export`` write the same JSON field names, and
every format masks keys (before, only the window's JSON/Markdown did); CSV formulas stay escaped."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest

from playground.core.compare import CompareRequest, PaneResult, PaneSpec, PaneState
from playground.core.events import Finished, Usage
from playground.core.export import to_json, to_markdown
from playground.core.history import RunHistory, export_runs
from tests.cli.helpers import playground
from tests.conftest import FAKE_KEY

LEAKY = f"Use the key {FAKE_KEY} like this."


def _comparison() -> tuple[CompareRequest, list[PaneResult]]:
    request = CompareRequest("Show me =HYPERLINK(1)", (PaneSpec("a/x"), PaneSpec("b/y")), system="Be brief")
    good = PaneResult("a/x", PaneState.DONE, [LEAKY])
    good.usage = Usage(prompt_tokens=4, completion_tokens=7, cost=Decimal("0.0003"))
    good.finished = Finished("a/x", "stop", served_model="a/x-1", provider="Prov", ttft=0.1, duration=0.4)
    return request, [good, PaneResult("b/y", PaneState.DONE, ["=SUM(A1:A9)"])]


def _stored(tmp_path: Path) -> RunHistory:
    history = RunHistory(tmp_path / "data" / "history.sqlite3")
    request, results = _comparison()
    run_id = history.start_run(request)
    for pane, result in enumerate(results):
        history.save_answer(run_id, pane, result)
    return history


def _keys(value: object) -> object:
    """The field names of a JSON value, nested, without the values."""
    if isinstance(value, dict):
        return {k: _keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_keys(v) for v in value[:1]]
    return None


def test_the_window_and_history_export_the_same_json_fields(tmp_path: Path) -> None:
    history = _stored(tmp_path)
    (stored,) = json.loads(export_runs(history.list_runs(), "json"))
    shown = json.loads(to_json(*_comparison()))
    assert _keys(shown) == _keys(stored)
    assert shown["id"] is None and isinstance(stored["id"], int)
    for data in (shown, stored):
        first = data["answers"][0]
        assert (first["provider"], first["tokens_out"], first["cost_usd"]) == ("Prov", 7, "0.0003")
        assert data["system"] == "Be brief" and data["prompt"] == "Show me =HYPERLINK(1)"


@pytest.mark.parametrize("fmt", ["md", "json", "csv", "html"])
def test_every_history_format_masks_keys(tmp_path: Path, fmt: str) -> None:
    text = export_runs(_stored(tmp_path).list_runs(), fmt)
    assert "Use the key sk-or-v1-" in text and FAKE_KEY not in text and FAKE_KEY[-12:] not in text


def test_the_comparison_exports_mask_keys() -> None:
    for text in (to_json(*_comparison()), to_markdown(*_comparison())):
        assert "Use the key sk-or-v1-" in text and FAKE_KEY not in text


def test_csv_still_escapes_formulas(tmp_path: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(export_runs(_stored(tmp_path).list_runs(), "csv"))))
    assert [r["answer"] for r in rows][1] == "'=SUM(A1:A9)"
    assert rows[0]["prompt"] == "Show me =HYPERLINK(1)"  # not at the start of the cell: left as it is


def test_the_cli_export_masks_keys_in_json_and_csv(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "data").mkdir(parents=True)
    _stored(home).close()
    for fmt in ("json", "csv", "md"):
        done = playground("history", "export", "--format", fmt, home=home)
        assert done.returncode == 0, done.stderr
        assert "Use the key sk-or-v1-" in done.stdout and FAKE_KEY not in done.stdout
    data = json.loads(playground("history", "export", "--format", "json", home=home).stdout)
    assert data[0]["answers"][1]["answer"] == "=SUM(A1:A9)"  # JSON keeps the exact text
