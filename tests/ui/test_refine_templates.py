"""The template panel never loses what the user made: restores keep cases, outside edits are asked
about, broken files are left alone, unsaved edits survive New and Quit, Ctrl+S saves the template."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QInputDialog

from playground.core.templates import PromptTemplate
from playground.ui.template_conflict import BothDialog, ConflictBox, UnsavedBox
from playground.ui.template_panel import TemplatePanel
from tests.ui.conftest import Harness, wait_until


def _template(h: Harness, name: str = "greet") -> TemplatePanel:
    panel = h.window.templatePanel
    panel.show()
    panel.new_template()
    panel.nameEdit.setText(name)
    panel.promptEdit.setPlainText("Say hello to {{who}}.")
    panel.modelsEdit.setText("sim/quick-mini")
    assert panel.save()
    return panel


def _file(h: Harness, name: str = "greet") -> Path:
    return h.home / "data" / "templates" / f"{name}.toml"


def _box(panel: TemplatePanel, kind: type) -> object:
    box = panel.guard.box
    assert isinstance(box, kind) and box.isVisible()
    return box


def test_restoring_a_version_keeps_the_test_cases(
    aio, make_harness: Callable[..., Harness], monkeypatch: pytest.MonkeyPatch
) -> None:
    h = make_harness()

    async def go() -> None:
        await h.start()
        panel = _template(h)
        for who in ("Ada", "Grace"):
            panel.varEdits["who"].setText(who)
            monkeypatch.setattr(QInputDialog, "getText", lambda *a, w=who, **k: (w, True))
            panel.save_case()
        panel.promptEdit.setPlainText("Wave at {{who}}.")
        panel.saveButton.click()
        panel.show_versions()
        dialog = panel.versions_dialog
        oldest = dialog.versionList.count() - 1
        dialog.versionList.item(oldest).setSelected(True)
        dialog.restoreButton.click()
        restored = h.ctx.templates.get("greet")
        assert restored.prompt == "Say hello to {{who}}."
        assert [name for name, _ in restored.cases] == ["Ada", "Grace"]
        assert [panel.caseBox.itemText(i) for i in range(panel.caseBox.count())][-2:] == ["Ada", "Grace"]
        await h.close()

    aio(go())


def test_restore_is_disabled_with_two_versions_selected(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness()

    async def go() -> None:
        await h.start()
        panel = _template(h)
        panel.promptEdit.setPlainText("Wave at {{who}}.")
        panel.saveButton.click()
        panel.show_versions()
        dialog = panel.versions_dialog
        dialog.versionList.item(0).setSelected(True)
        assert dialog.restoreButton.isEnabled()
        dialog.versionList.item(1).setSelected(True)
        assert not dialog.restoreButton.isEnabled()
        await h.close()

    aio(go())


def test_an_outside_edit_during_unsaved_changes_is_asked_about(
    aio, make_harness: Callable[..., Harness]
) -> None:
    h = make_harness()

    async def go() -> None:
        await h.start()
        panel = _template(h)
        path = _file(h)
        panel.promptEdit.setPlainText("Mine: greet {{who}}.")
        path.write_text(path.read_text().replace("Say hello", "Theirs: hello"))
        await wait_until(lambda: "unsaved edits" in panel.statusLabel.text(), what="the warning")
        assert panel.promptEdit.toPlainText() == "Mine: greet {{who}}."  # not reloaded over my edits

        panel.saveButton.click()
        box = _box(panel, ConflictBox)
        assert "Theirs: hello" in path.read_text()  # nothing written before the answer
        box.bothButton.click()  # type: ignore[attr-defined]
        both = panel.guard.both
        assert isinstance(both, BothDialog) and both.isVisible()
        assert "Theirs: hello" in both.findChild(type(panel.promptEdit), "theirsView").toPlainText()
        assert "Mine: greet" in both.findChild(type(panel.promptEdit), "mineView").toPlainText()
        both.theirsButton.click()
        assert panel.promptEdit.toPlainText() == "Theirs: hello to {{who}}."
        assert not panel.dirty and "Theirs: hello" in path.read_text()

        panel.promptEdit.setPlainText("Mine again {{who}}.")
        path.write_text(path.read_text().replace("Theirs: hello", "Third hand edit"))
        await wait_until(lambda: "unsaved edits" in panel.statusLabel.text(), what="the second warning")
        panel.saveButton.click()
        _box(panel, ConflictBox).mineButton.click()  # type: ignore[attr-defined]
        assert "Mine again" in path.read_text() and not panel.dirty
        kept = [v.content for v in h.session.templates.versions("greet")]
        assert any("Third hand edit" in text for text in kept)  # their text is one click away
        await h.close()

    aio(go())


def test_save_never_overwrites_a_file_broken_on_disk(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness()

    async def go() -> None:
        await h.start()
        panel = _template(h)
        path = _file(h)
        broken = 'name = "greet"\nprompt = "half typed'
        path.write_text(broken)
        await wait_until(lambda: "broken on disk" in panel.statusLabel.text(), what="the broken notice")
        panel.promptEdit.setPlainText("Mine {{who}}.")
        panel.saveButton.click()
        assert path.read_text() == broken
        assert "broken on disk" in panel.statusLabel.text() and panel.dirty
        await h.close()

    aio(go())


def test_new_asks_before_dropping_unsaved_edits(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness()

    async def go() -> None:
        await h.start()
        panel = _template(h)
        panel.promptEdit.setPlainText("Unsaved {{who}}.")
        panel.newButton.click()
        _box(panel, UnsavedBox).cancelButton.click()  # type: ignore[attr-defined]
        assert panel.promptEdit.toPlainText() == "Unsaved {{who}}." and panel.dirty

        panel.newButton.click()
        _box(panel, UnsavedBox).discardButton.click()  # type: ignore[attr-defined]
        assert panel.nameEdit.text() == "" and not panel.dirty
        assert h.ctx.templates.get("greet").prompt == "Say hello to {{who}}."
        panel.templateList.setCurrentRow(0)  # the template shown before New opens again
        assert panel.nameEdit.text() == "greet"

        panel.promptEdit.setPlainText("Saved via the question {{who}}.")
        panel.newButton.click()
        _box(panel, UnsavedBox).saveButton.click()  # type: ignore[attr-defined]
        assert h.ctx.templates.get("greet").prompt == "Saved via the question {{who}}."
        assert panel.nameEdit.text() == ""
        await h.close()

    aio(go())


def test_quit_asks_about_unsaved_template_edits(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        panel = _template(h)
        panel.promptEdit.setPlainText("Keep me {{who}}.")
        quit_action = next(a for a in window.findChildren(QAction) if a.text() == "Quit")
        quit_action.trigger()  # what Ctrl+Q does (the offscreen platform binds no Quit key)
        _box(panel, UnsavedBox).cancelButton.click()  # type: ignore[attr-defined]
        assert window.isVisible() and panel.promptEdit.toPlainText() == "Keep me {{who}}."
        quit_action.trigger()
        _box(panel, UnsavedBox).saveButton.click()  # type: ignore[attr-defined]
        await wait_until(lambda: not window.isVisible(), what="the window to close")
        assert h.ctx.templates.get("greet").prompt == "Keep me {{who}}."
        await h.close()

    aio(go())


def test_ctrl_s_in_the_template_editor_saves_the_template(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        panel = _template(h)
        window.activateWindow()
        panel.promptEdit.setFocus()
        await wait_until(lambda: QApplication.focusWidget() is panel.promptEdit, what="focus")
        panel.promptEdit.setPlainText("Saved by keyboard {{who}}.")
        panel.noteEdit.setText("shorter")
        QTest.keyClick(panel.promptEdit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        assert h.ctx.templates.get("greet").prompt == "Saved by keyboard {{who}}."
        assert h.session.templates.versions("greet")[0].note == "shorter"
        assert "Nothing to export" not in window.statusBar().currentMessage()
        await h.close()

    aio(go())


def test_case_selector_follows_the_form_and_a_run_records_its_case(
    aio, make_harness: Callable[..., Harness], monkeypatch: pytest.MonkeyPatch
) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        panel = _template(h)
        for who in ("Ada", "Grace"):
            panel.varEdits["who"].setText(who)
            monkeypatch.setattr(QInputDialog, "getText", lambda *a, w=who, **k: (w, True))
            panel.save_case()
        assert panel.caseBox.currentText() == "Grace"
        panel.varEdits["who"].setText("Linus")
        assert panel.caseBox.currentIndex() == -1  # own values: no case named
        panel.varEdits["who"].setText("Ada")
        assert panel.caseBox.currentText() == "Ada"
        panel.useButton.click()
        window.send()
        await h.finish()
        assert h.session.runs.list_runs()[0].case_name == "Ada"
        await h.close()

    aio(go())


class _Opened(QObject):
    """Receives the file URLs the app asks the system to open (instead of launching an editor)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    @Slot(QUrl)
    def handle(self, url: QUrl) -> None:
        self.urls.append(url.toLocalFile())


def test_a_broken_template_shows_its_path_and_error_with_ways_to_open_it(
    aio, make_harness: Callable[..., Harness]
) -> None:
    h = make_harness()
    folder = h.home / "data" / "templates"
    folder.mkdir(parents=True)
    (folder / "broken.toml").write_text("name = [")
    opened = _Opened()
    QDesktopServices.setUrlHandler("file", opened, "handle")

    async def go() -> None:
        window = await h.start()
        panel = window.templatePanel
        panel.show()
        _template(h, "fine")
        row = next(
            i for i in range(panel.templateList.count()) if "broken" in panel.templateList.item(i).text()
        )
        panel.templateList.setCurrentRow(row)
        assert panel.brokenBox.isVisible()
        words = panel.brokenBox.message.text()
        assert str(folder / "broken.toml") in words and "not valid TOML" in words
        assert panel.nameEdit.text() == "fine"  # nothing was loaded over the editor
        panel.refresh()  # as an outside change or a save does: still on the broken file
        assert panel.brokenBox.isVisible() and panel.templateList.currentRow() == row
        panel.brokenBox.openButton.click()
        panel.brokenBox.folderButton.click()
        assert opened.urls == [str(folder / "broken.toml"), str(folder)]
        panel.templateList.setCurrentRow(next(i for i in range(panel.templateList.count()) if i != row))
        assert not panel.brokenBox.isVisible()
        await h.close()

    try:
        aio(go())
    finally:
        QDesktopServices.unsetUrlHandler("file")


def test_export_one_template_or_all_from_the_panel(
    aio, make_harness: Callable[..., Harness], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = make_harness()

    async def go() -> None:
        await h.start()
        panel = _template(h, "greet")
        _template(h, "other")
        panel.open_template("greet")
        target = tmp_path / "shared.toml"
        monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
        panel.exportOneAction.trigger()
        assert PromptTemplate.from_toml(target.read_text()).name == "greet"
        out = tmp_path / "all"
        out.mkdir()
        monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(out))
        panel.exportAllAction.trigger()
        assert sorted(p.name for p in out.iterdir()) == ["greet.toml", "other.toml"]
        assert "Exported 2 template(s)" in panel.statusLabel.text()
        await h.close()

    aio(go())


def test_version_diff_names_the_changed_fields_and_marks_words(
    aio, make_harness: Callable[..., Harness]
) -> None:
    h = make_harness()

    async def go() -> None:
        await h.start()
        panel = _template(h)
        panel.promptEdit.setPlainText("Say goodbye to {{who}}.")
        panel.modelsEdit.setText("sim/quick-mini, sim/balanced-pro")
        panel.saveButton.click()
        panel.show_versions()
        dialog = panel.versions_dialog
        dialog.versionList.selectAll()
        shown = dialog.diffView.toPlainText()
        assert "Prompt" in shown and "Models" in shown
        assert "System prompt" not in shown  # unchanged fields are not listed
        assert "prompt =" not in shown and "schema_version" not in shown  # not raw TOML
        html = dialog.diffView.toHtml()
        assert "line-through" in html  # "hello" struck through, "goodbye" marked as added
        await h.close()

    aio(go())


def test_a_close_from_a_signal_never_waits_on_the_question(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        panel = _template(h)
        panel.promptEdit.setPlainText("Unsaved {{who}}.")
        window.close()  # what SIGTERM / Ctrl+C in the terminal do
        assert not window.isVisible() and panel.guard.box is None
        await h.close()

    aio(go())


def test_restore_asks_about_unsaved_edits_and_never_overwrites_a_broken_file(
    aio, make_harness: Callable[..., Harness]
) -> None:
    h = make_harness()

    async def go() -> None:
        await h.start()
        panel = _template(h)
        panel.promptEdit.setPlainText("Wave at {{who}}.")
        panel.saveButton.click()
        panel.promptEdit.setPlainText("Unsaved draft {{who}}.")
        panel.show_versions()
        dialog = panel.versions_dialog
        dialog.versionList.item(dialog.versionList.count() - 1).setSelected(True)
        dialog.restoreButton.click()
        _box(panel, UnsavedBox).cancelButton.click()  # type: ignore[attr-defined]
        assert h.ctx.templates.get("greet").prompt == "Wave at {{who}}." and panel.dirty
        dialog.restoreButton.click()
        _box(panel, UnsavedBox).discardButton.click()  # type: ignore[attr-defined]
        assert h.ctx.templates.get("greet").prompt == "Say hello to {{who}}."
        assert panel.promptEdit.toPlainText() == "Say hello to {{who}}." and not panel.dirty

        path = _file(h)
        path.write_text('name = "greet"\nprompt = "half typed')
        panel.show_versions()
        dialog = panel.versions_dialog
        dialog.versionList.item(0).setSelected(True)
        dialog.restoreButton.click()
        assert (
            "Not restored" in dialog.diffView.toPlainText()
            and "broken on disk" in dialog.diffView.toPlainText()
        )
        assert path.read_text() == 'name = "greet"\nprompt = "half typed'
        await h.close()

    aio(go())


def test_names_from_files_are_shown_as_text_not_markup(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness()
    folder = h.home / "data" / "templates"
    folder.mkdir(parents=True)
    hostile = "<b>bold</b> name"
    (folder / "odd.toml").write_text(f'name = "{hostile}"\nprompt = "Hi"\n')

    async def go() -> None:
        window = await h.start()
        panel = window.templatePanel
        panel.show()
        panel.open_template(hostile)
        (folder / "odd.toml").write_text(f'name = "{hostile}"\nprompt = "Hi again"\n')
        await wait_until(lambda: "changed outside" in panel.statusLabel.text(), what="the reload notice")
        assert panel.statusLabel.textFormat() is Qt.TextFormat.PlainText
        assert hostile in panel.statusLabel.text()
        await h.close()

    aio(go())
