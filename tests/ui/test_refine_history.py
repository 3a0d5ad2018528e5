"""History keeps pointing at the run the user chose: selection by run id, a confirmed delete of
exactly that run, a working Export..., and the template version in the table and the exports."""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from playground.simulator import Behaviour
from tests.ui.conftest import Harness, wait_until


async def _run(h: Harness, prompt: str) -> None:
    await h.send(prompt)
    await h.finish()


def test_selection_follows_the_run_when_a_new_one_lands(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini")
        await _run(h, "about otters")
        view = window.historyView
        view.show()
        await wait_until(lambda: view.model.rowCount() == 1, what="the first run listed")
        view.table.selectRow(0)
        otters = view.selected()[0].id

        await _run(h, "about zebras")  # lands while History is open, above the selected row
        await wait_until(lambda: view.model.rowCount() == 2, what="the new run listed")
        assert [run.id for run in view.selected()] == [otters]
        assert view.table.currentIndex().row() == 1 and "otters" in view.model.index(1, 6).data()
        window.promptEdit.setPlainText("")
        _button(view, "openRunButton").click()
        assert window.promptEdit.toPlainText() == "about otters"
        await h.close()

    aio(go())


def _button(view: object, name: str):  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QPushButton

    button = view.findChild(QPushButton, name)  # type: ignore[attr-defined]
    assert button is not None
    return button


def test_delete_asks_and_deletes_exactly_the_selected_run(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini")
        await _run(h, "keep me")
        view = window.historyView
        view.show()
        await wait_until(lambda: view.model.rowCount() == 1, what="the run listed")
        view.table.selectRow(0)
        chosen = view.selected()[0].id
        await _run(h, "landed meanwhile")
        await wait_until(lambda: view.model.rowCount() == 2, what="the new run listed")

        _button(view, "deleteRunButton").click()
        box = view.delete_box
        assert isinstance(box, QMessageBox) and box.isVisible()
        assert f"run {chosen} " in box.text()
        box.button(QMessageBox.StandardButton.Cancel).click()
        assert len(h.session.runs.list_runs()) == 2

        _button(view, "deleteRunButton").click()
        view.confirmDeleteButton.click()
        left = h.session.runs.list_runs()
        assert [run.prompt for run in left] == ["landed meanwhile"]
        assert view.model.rowCount() == 1 and "Deleted 1 run" in view.totalsLabel.text()
        await h.close()

    aio(go())


def test_a_delete_that_fails_says_so_and_keeps_the_run(aio, make_harness: Callable[..., Harness]) -> None:
    """The database refuses the delete (here a trigger; a full disk or a read-only file alike): History
    says nothing was deleted and why, and the run stays listed - it used to say "Deleted 1 run(s)"."""
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini")
        await _run(h, "keep me")
        view = window.historyView
        view.show()
        await wait_until(lambda: view.model.rowCount() == 1, what="the run listed")
        with sqlite3.connect(h.home / "data" / "history.sqlite3") as db:
            db.execute(
                "CREATE TRIGGER refuse BEFORE DELETE ON runs BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )
        view.table.selectRow(0)
        _button(view, "deleteRunButton").click()
        view.confirmDeleteButton.click()  # pytest-qt fails the test on an exception in the slot
        said = view.totalsLabel.text()
        assert "Nothing was deleted." in said and "Deleted 1 run" not in said
        assert view.model.rowCount() == 1 and [r.prompt for r in h.session.runs.list_runs()] == ["keep me"]
        await h.close()

    aio(go())


def test_export_button_writes_the_file_with_the_template_version(
    aio, make_harness: Callable[..., Harness], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = make_harness()
    h.sim.script("sim/quick-mini", Behaviour(text="bonjour"))

    async def go() -> None:
        window = await h.start()
        panel = window.templatePanel
        panel.show()
        panel.new_template()
        panel.nameEdit.setText("greet")
        panel.promptEdit.setPlainText("Say hello to {{who}}.")
        panel.modelsEdit.setText("sim/quick-mini")
        assert panel.save()
        panel.varEdits["who"].setText("Ada")
        panel.useButton.click()
        window.send()
        await h.finish()
        version = h.session.runs.list_runs()[0].template_version
        assert version
        view = window.historyView
        view.show()
        await wait_until(lambda: view.model.rowCount() == 1, what="the run listed")
        assert view.model.index(0, 1).data() == f"greet @ {version}"

        for name in ("runs.md", "runs.csv"):
            target = tmp_path / name
            monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, t=target, **k: (str(t), ""))
            _button(view, "exportRunsButton").click()
            assert target.exists(), f"Export... wrote no {name}"
        assert f"template greet @ {version}" in (tmp_path / "runs.md").read_text()
        rows = list(csv.DictReader(io.StringIO((tmp_path / "runs.csv").read_text())))
        assert rows[0]["template_version"] == version
        await h.close()

    aio(go())


def test_open_of_a_run_deleted_elsewhere_says_so(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini")
        await _run(h, "gone soon")
        view = window.historyView
        view.show()
        await wait_until(lambda: view.model.rowCount() == 1, what="the run listed")
        view.table.selectRow(0)
        run_id = view.selected()[0].id
        h.ctx.history().delete_run(run_id)  # as `playground history` in a terminal could
        window.promptEdit.setPlainText("unchanged")
        _button(view, "openRunButton").click()
        assert f"No run with id {run_id}" in view.totalsLabel.text()
        assert window.promptEdit.toPlainText() == "unchanged" and view.model.rowCount() == 0
        await h.close()

    aio(go())


def test_runs_with_attachments_are_marked(aio, make_harness: Callable[..., Harness], tmp_path: Path) -> None:
    h = make_harness()
    notes = tmp_path / "notes.md"
    notes.write_text("# Notes\n", "utf-8")

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini")
        window.attach_files([str(notes)])
        await _run(h, "with a file")
        await _run(h, "without")
        view = window.historyView
        view.show()
        await wait_until(lambda: view.model.rowCount() == 2, what="both runs listed")
        assert view.model.index(0, 6).data() == "without"
        assert view.model.index(1, 6).data() == "📎 with a file"
        await h.close()

    aio(go())
