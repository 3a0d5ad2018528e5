"""The window's test matrix: live pass/fail per cell, summaries, filter, repeats, expand, export,
versions, and 900 answers against the simulator."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QLabel

from playground.core.templates import PromptTemplate
from playground.simulator import Behaviour
from playground.ui.markdown_view import MarkdownView
from playground.ui.matrix_dialog import MatrixDialog
from tests.ui.conftest import Harness, wait_until

A, B = "sim/quick-mini", "sim/balanced-pro"
TEMPLATE = """name = "explain"
prompt = "Explain {{text}}"
models = ["sim/quick-mini", "sim/balanced-pro"]

[[cases]]
name = "short"
vars = { text = "caching" }
assert = [ { type = "icontains", value = "etag" } ]

[[cases]]
name = "long"
vars = { text = "ETags" }
"""


def _open(h: Harness, text: str = TEMPLATE, other: PromptTemplate | None = None) -> MatrixDialog:
    template = PromptTemplate.from_toml(text)
    h.ctx.library().save(template)
    dialog = MatrixDialog(h.session, template, [], h.window.params.params(), h.window, other=other)
    dialog.show()
    return dialog


async def _finish(dialog: MatrixDialog, timeout: float = 20) -> None:
    await wait_until(lambda: dialog.run is not None and not dialog.run.running, timeout, "the matrix")
    # its cells are written to history off the window's thread: a test reads them after
    await wait_until(lambda: not dialog.session.runs.writer.pending, timeout, "the cells saved")


def _text(dialog: MatrixDialog, row: int, column: int) -> str:
    assert dialog.model is not None
    return str(dialog.model.index(row, column).data())


def test_cells_show_pass_fail_and_why_with_summaries(
    aio, make_harness: Callable[..., Harness], qtmodeltester
) -> None:
    h = make_harness()

    async def go() -> None:
        await h.start()
        h.sim.set_default(A, Behaviour(text="Caching keeps an ETag."))
        h.sim.set_default(B, Behaviour(text="It depends."))
        dialog = _open(h)
        assert "2 cases x 2 models = 4 answers" in dialog.summary.text()
        assert "Estimated maximum cost $" in dialog.summary.text()
        assert _text(dialog, 0, 0) == ""  # idle cells say nothing, not "queued"
        assert not dialog.stopButton.isEnabled() and not dialog.retryButton.isEnabled()
        dialog.startButton.click()
        assert dialog.stopButton.isEnabled()
        await _finish(dialog)
        assert _text(dialog, 0, 0).startswith("PASS")
        assert _text(dialog, 0, 1).startswith("FAIL: 'etag' not found")
        assert _text(dialog, 0, 2).startswith("50% passed (1/2)")  # the row's summary
        assert _text(dialog, 2, 1).startswith("50% passed (1/2)")  # the column's summary
        assert "3 of 4 passed" in dialog.summary.text() or "of 4 passed" in dialog.summary.text()
        assert not dialog.stopButton.isEnabled() and not dialog.retryButton.isEnabled()
        assert dialog.startButton.text() == "Run again" and dialog.exportButton.isEnabled()
        qtmodeltester.check(dialog.model)
        dialog.failuresBox.setChecked(True)
        assert not dialog.grid.isRowHidden(0) and dialog.grid.isRowHidden(1)  # "long" passed everywhere
        dialog.close()
        await h.close()

    aio(go())


def test_a_failed_answer_can_be_retried_and_history_links_every_cell(
    aio, make_harness: Callable[..., Harness]
) -> None:
    h = make_harness()

    async def go() -> None:
        await h.start()
        h.sim.set_default(A, Behaviour(text="ETag"))
        h.sim.set_default(B, Behaviour(text="ETag"))
        h.sim.script(B, Behaviour(status=402, error_message="no credits"))
        dialog = _open(h)
        dialog.startButton.click()
        await _finish(dialog)
        failed = _text(dialog, 0, 1)
        assert failed.startswith("ERROR: ") and "credit" in failed.lower(), failed
        assert dialog.retryButton.isEnabled()
        h.sim.clear_log()
        dialog.retryButton.click()
        await _finish(dialog)
        assert [r.json()["model"] for r in h.sim.chat_requests()] == [B]
        assert all(c.passed for c in dialog.run.cells.values())  # type: ignore[union-attr]
        assert not dialog.retryButton.isEnabled()
        runs = h.session.runs.list_runs(template="explain")
        assert sorted(r.case_name for r in runs) == ["long", "short"]  # the retry replaced the failed answer
        short = h.session.runs.get(next(r.id for r in runs if r.case_name == "short"))
        assert [a.state for a in short.answers] == ["done", "done"]
        dialog.close()
        await h.close()

    aio(go())


def test_repeats_models_expand_and_export(aio, make_harness: Callable[..., Harness], tmp_path: Path) -> None:
    h = make_harness()

    async def go() -> None:
        await h.start()
        h.sim.script(
            A,
            Behaviour(text="ETag\n\n" + "A paragraph.\n\n" * 80),
            Behaviour(text="no"),
            Behaviour(text="ETag\n\n" + "A paragraph.\n\n" * 80),
        )
        dialog = _open(h, TEMPLATE.split('[[cases]]\nname = "long"')[0])  # the "short" case only
        dialog.modelsEdit.setText(A)
        dialog.modelsEdit.editingFinished.emit()
        dialog.repeatBox.setValue(3)
        assert dialog.model is not None and dialog.model.columnCount() == 2
        assert "1 cases x 1 models x 3 repeats = 3 answers" in dialog.summary.text()
        dialog.startButton.click()
        await _finish(dialog)
        first = _text(dialog, 0, 0)
        assert first.startswith("2/3 passed · 2 different answers") and "'etag' not found" in first
        expanded = dialog.expand(dialog.model.index(0, 0))
        assert expanded is not None
        views = expanded.findChildren(MarkdownView, "matrixCellAnswer")
        long = [v for v in views if "ETag" in v.toPlainText()]  # repeats run at once: any order
        assert len(views) == 2 and len(long) == 1  # the two identical answers show once...
        heads = [label.text() for label in expanded.findChildren(QLabel)]
        assert any("(2× the same answer)" in text for text in heads)  # ...with their count
        await wait_until(lambda: long[0].verticalScrollBar().maximum() > 0, what="the answer laid out")
        assert long[0].verticalScrollBar().value() == 0  # ...and is read from the top, not the end
        target = tmp_path / "grid.csv"
        assert dialog.export(target)
        rows = list(csv.DictReader(io.StringIO(target.read_text())))
        assert sorted(r["pass"] for r in rows) == ["False", "True", "True"]
        expanded.close()
        dialog.close()
        await h.close()

    aio(go())


def test_two_versions_side_by_side_are_marked(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness()

    async def go() -> None:
        await h.start()
        older = PromptTemplate.from_toml(TEMPLATE.replace("Explain {{text}}", "Old {{text}}"))
        h.sim.set_default(A, Behaviour(text="no"))
        dialog = _open(h, other=older)
        dialog.modelsEdit.setText(A)
        dialog.modelsEdit.editingFinished.emit()
        dialog.parallelBox.setValue(1)  # the scripted answers go to the cells in the order they are sent
        h.sim.script(
            A, Behaviour(text="no"), Behaviour(text="no"), Behaviour(text="ETag"), Behaviour(text="x")
        )
        dialog.startButton.click()
        await _finish(dialog)
        assert "▼ regressed" in _text(dialog, 0, 0) and "= unchanged" in _text(dialog, 1, 0)
        assert "0 improved, 1 regressed, 1 unchanged" in dialog.summary.text()
        dialog.close()
        await h.close()

    aio(go())


def test_900_answers_complete_with_the_window_updating_along_the_way(
    aio, make_harness: Callable[..., Harness]
) -> None:
    h = make_harness()
    cases = "\n".join(f'[[cases]]\nname = "c{i}"\nvars = {{ text = "topic {i}" }}\n' for i in range(50))
    models = [
        "sim/quick-mini",
        "sim/balanced-pro",
        "sim/deep-reasoner",
        "sim/open-llama:free",
        "sim/vision-large",
        "sim/long-context",
    ]
    text = f'name = "big"\nprompt = "Explain {{{{text}}}}"\nmodels = {models!r}\n'.replace("'", '"')
    text += '[[assert]]\ntype = "not-icontains"\nvalue = "as an ai"\n' + cases

    async def go() -> None:
        await h.start()
        for model in models:
            h.sim.set_default(model, Behaviour(text="A short answer about it.", tokens_per_second=0, ttft=0))
        dialog = _open(h, text)
        dialog.repeatBox.setValue(3)
        seen: set[int] = set()
        dialog.progress.valueChanged.connect(seen.add)
        dialog.startButton.click()
        await _finish(dialog, timeout=110)
        assert dialog.progress.value() == 900
        assert len(seen) > 10  # progress moved in many frames, not once at the end
        assert "900 of 900 passed" in dialog.summary.text()
        dialog.close()
        await h.close()

    aio(go())


def test_invalid_assertions_are_shown_and_nothing_can_be_sent(
    aio, make_harness: Callable[..., Harness]
) -> None:
    h = make_harness()

    async def go() -> None:
        await h.start()
        dialog = _open(h, TEMPLATE.replace('type = "icontains"', 'type = "javascript"'))
        assert "case 'short', assertion 1: 'javascript' runs code" in dialog.summary.text()
        assert not dialog.startButton.isEnabled()
        dialog.startButton.click()
        assert h.sim.chat_requests() == []
        dialog.close()
        await h.close()

    aio(go())
