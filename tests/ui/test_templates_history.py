"""Templates and history in the window: create, fill, run, version, matrix, reopen, restore."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog

from playground.simulator import Behaviour
from tests.ui.conftest import Harness, wait_until


def _make_template(window, name: str = "greet") -> None:  # type: ignore[no-untyped-def]
    panel = window.templatePanel
    panel.new_template()
    panel.nameEdit.setText(name)
    panel.systemEdit.setPlainText("You greet {{audience|everyone}}.")
    panel.promptEdit.setPlainText("Say hello to {{who}} in {{lang}}.")
    panel.modelsEdit.setText("sim/quick-mini, sim/balanced-pro")
    assert list(panel.varEdits) == ["audience", "who", "lang"]
    assert panel.saveButton.text() == "Save *"
    assert panel.save()


def test_create_fill_run_version_and_restore(
    aio, make_harness: Callable[..., Harness], monkeypatch: pytest.MonkeyPatch
) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        window.templatePanel.show()
        _make_template(window)
        panel = window.templatePanel
        assert (h.home / "data" / "templates" / "greet.toml").exists()
        panel.varEdits["who"].setText("Ada")
        panel.useButton.click()
        assert "Fill in: lang" in panel.statusLabel.text()
        panel.varEdits["lang"].setText("French")
        panel.useButton.click()
        assert window.promptEdit.toPlainText() == "Say hello to Ada in French."
        assert window.systemPromptEdit.toPlainText() == "You greet everyone."
        assert window.compare.models() == ["sim/quick-mini", "sim/balanced-pro"]
        window.send()
        await h.finish()
        run = h.session.runs.list_runs()[0]
        assert run.template == "greet" and run.variables == {"who": "Ada", "lang": "French"}
        assert [a.state for a in run.answers] == ["done", "done"]

        first_hash = run.template_version
        panel.promptEdit.setPlainText("Say HELLO to {{who}} in {{lang}}.")
        assert panel.save(note="louder")
        versions = h.session.templates.versions("greet")
        assert [v.note for v in versions] == ["louder", ""] and versions[1].hash == first_hash

        panel.show_versions()
        dialog = panel.versions_dialog
        dialog.versionList.selectAll()
        assert "Prompt" in dialog.diffView.toPlainText() and "HELLO" in dialog.diffView.toPlainText()
        dialog.versionList.clearSelection()
        dialog.versionList.item(1).setSelected(True)
        dialog.restore()
        assert h.ctx.templates.get("greet").prompt == "Say hello to {{who}} in {{lang}}."
        assert panel.promptEdit.toPlainText() == "Say hello to {{who}} in {{lang}}."
        await h.close()

    aio(go())


def test_matrix_over_three_cases_and_two_models(
    aio, make_harness: Callable[..., Harness], monkeypatch: pytest.MonkeyPatch
) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        window.templatePanel.show()
        _make_template(window)
        panel = window.templatePanel
        for who, lang in (("Ada", "French"), ("Linus", "Finnish"), ("Grace", "English")):
            panel.varEdits["who"].setText(who)
            panel.varEdits["lang"].setText(lang)
            monkeypatch.setattr(QInputDialog, "getText", lambda *a, w=who, **k: (w, True))
            panel.save_case()
        assert [n for n, _ in h.ctx.templates.get("greet").cases] == ["Ada", "Linus", "Grace"]
        h.sim.script("sim/balanced-pro", Behaviour(status=402, error_message="no credits"))
        panel.matrixButton.click()
        matrix = window.matrix_dialog
        assert "3 cases x 2 models = 6 answers" in matrix.summary.text()
        matrix.startButton.click()
        await wait_until(lambda: not matrix.run.running, timeout=20, what="the matrix")
        cells = matrix.run.cells.values()
        assert sum(c.state == "done" for c in cells) == 5
        (failed,) = [c for c in cells if c.state == "error"]
        assert failed.key.model == "sim/balanced-pro" and "credit" in failed.why.lower()
        assert matrix.run.text(next(c.key for c in cells if c.state == "done"))
        matrix.retryButton.click()
        await wait_until(lambda: not matrix.run.running, timeout=20, what="the retried cell")
        assert all(c.state == "done" for c in matrix.run.cells.values())
        await wait_until(lambda: not h.session.runs.writer.pending, timeout=20, what="the cells saved")
        runs = h.session.runs.list_runs(template="greet")
        assert sorted(run.case_name for run in runs) == ["Ada", "Grace", "Linus"]
        matrix.close()
        await h.close()

    aio(go())


def test_history_view_search_open_and_rerun(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness()
    h.sim.script("sim/quick-mini", Behaviour(text="stored answer about otters"))

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini", "fault/402")
        window.promptEdit.setPlainText("Tell me about otters")
        window.send()
        await h.finish()
        view = window.historyView
        view.show()
        view.refresh()
        assert view.model.rowCount() == 1 and "otters" in view.model.index(0, 6).data()
        assert view.model.index(0, 4).data() == "failed"
        view.searchEdit.setText("zebras")
        view.refresh()
        assert view.model.rowCount() == 0
        view.searchEdit.setText("otters")
        view.refresh()
        view.table.selectRow(0)
        window.promptEdit.setPlainText("something else")
        view._open()
        assert window.promptEdit.toPlainText() == "Tell me about otters"
        first = window.compare.panes[0]
        assert first.outputView.text == "stored answer about otters"
        assert first.statsLabel.text().startswith("from history: done")
        assert "not enough credits" in window.compare.panes[1].errorLabel.text().lower()
        assert "Cost per model" in view.totalsLabel.text()
        view._rerun()
        await h.finish()
        assert len(h.session.runs.list_runs()) == 2
        await h.close()

    aio(go())


def test_broken_template_files_are_listed_not_loaded(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness()
    folder = h.home / "data" / "templates"
    folder.mkdir(parents=True)
    (folder / "broken.toml").write_text("name = [")

    async def go() -> None:
        window = await h.start()
        panel = window.templatePanel
        panel.refresh()
        item = panel.templateList.item(0)
        assert "broken" in item.text() and "not valid TOML" in item.toolTip()
        _make_template(window, "fine")
        panel.delete()
        assert not (folder / "fine.toml").exists() and not panel.undoButton.isHidden()
        panel.undo_delete()
        assert (folder / "fine.toml").exists()
        await h.close()

    aio(go())


def test_file_edited_outside_is_picked_up_and_versions_compared(
    aio, make_harness: Callable[..., Harness], monkeypatch: pytest.MonkeyPatch
) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        _make_template(window, "ext")
        panel = window.templatePanel
        panel.varEdits["who"].setText("Ada")
        panel.varEdits["lang"].setText("Latin")
        monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("only", True))
        panel.save_case()
        path = h.home / "data" / "templates" / "ext.toml"
        path.write_text(path.read_text().replace("Say hello", "Wave at"))
        await wait_until(lambda: panel.promptEdit.toPlainText().startswith("Wave at"), what="outside edit")
        assert "changed outside the app" in panel.statusLabel.text()
        panel.save(note="after the outside edit")
        panel.show_versions()
        dialog = panel.versions_dialog
        dialog.versionList.selectAll()
        dialog.versionList.item(dialog.versionList.count() - 1).setSelected(False)
        dialog.versionList.item(0).setSelected(True)
        dialog.versionList.item(1).setSelected(True)
        dialog.compare_versions()
        matrix = window.matrix_dialog
        grid = matrix.grid.model()
        headers = [grid.headerData(c, Qt.Orientation.Horizontal) for c in range(grid.columnCount() - 1)]
        assert len(headers) == 4 and headers[0].startswith("sim/quick-mini @ ")
        matrix.startButton.click()
        await wait_until(lambda: not matrix.run.running, timeout=20, what="both versions")
        await wait_until(lambda: not h.session.runs.writer.pending, timeout=20, what="the cells saved")
        sent = [r.json()["messages"][-1]["content"] for r in h.sim.chat_requests("sim/quick-mini")]
        assert any(t.startswith("Say hello") for t in sent) and any(t.startswith("Wave at") for t in sent)
        versions = {run.template_version for run in h.session.runs.list_runs(template="ext")}
        assert len(versions) == 2
        matrix.close()
        dialog.close()
        await h.close()

    aio(go())


def test_one_failed_matrix_cell_retried_by_double_click(
    aio, make_harness: Callable[..., Harness], monkeypatch: pytest.MonkeyPatch
) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        _make_template(window, "cells")
        panel = window.templatePanel
        panel.varEdits["who"].setText("Ada")
        panel.varEdits["lang"].setText("Latin")
        monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("one", True))
        panel.save_case()
        h.sim.script("sim/balanced-pro", Behaviour(status=402, error_message="no credits"))
        panel.matrixButton.click()
        matrix = window.matrix_dialog
        matrix.startButton.click()
        finished = lambda: not matrix.run.running  # noqa: E731
        await wait_until(finished, timeout=20, what="the matrix")
        assert "double-click to see it and retry" in matrix.grid.model().index(0, 1).data()
        cell = matrix.expand(matrix.grid.model().index(0, 1))
        assert cell.retryButton.isVisibleTo(cell)
        cell.retryButton.click()
        await wait_until(finished, timeout=20, what="the retried cell")
        assert all(c.state == "done" for c in matrix.run.cells.values())
        matrix.close()
        await h.close()

    aio(go())


def test_history_since_filter(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini")
        await h.send("today")
        await h.finish()
        view = window.historyView
        view.show()
        view.sinceBox.setChecked(True)
        view.sinceDate.setDate(view.sinceDate.date().currentDate().addDays(1))
        view.refresh()
        assert view.model.rowCount() == 0
        view.sinceDate.setDate(view.sinceDate.date().currentDate())
        view.refresh()
        assert view.model.rowCount() == 1
        await h.close()

    aio(go())
