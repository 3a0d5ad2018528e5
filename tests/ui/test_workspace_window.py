"""The window's parts as their own classes over the Workspace (issue 14): the composer works without
a window, the menus' settings writes never escape a slot, the diff dialog renders like any widget."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtGui import QPixmap

from playground.core.request import ChatParams
from playground.core.workspace import Workspace
from playground.ui.compare_view import CompareView
from playground.ui.composer import Composer
from playground.ui.dialogs import DiffDialog
from tests.core.test_conversation import png_bytes
from tests.ui.conftest import Harness, wait_until


def test_the_composer_writes_what_is_on_screen_into_its_workspace(
    aio, make_harness: Callable[..., Harness], qtbot
) -> None:
    """Built on its own (no MainWindow), the composer is the one point the next request reads."""
    h = make_harness()

    async def go() -> None:
        await h.start()
        compare = CompareView()
        workspace = Workspace()
        composer = Composer(h.session, workspace, compare)
        qtbot.addWidget(composer)
        qtbot.addWidget(compare)
        compare.add_pane("sim/quick-mini")
        compare.add_pane("")
        assert not composer.sendButton.isEnabled()
        composer.fill("Explain caching", "Be brief", ChatParams(temperature=0.3))
        assert composer.sendButton.isEnabled() and composer.systemPromptEdit.isVisibleTo(composer)
        composer.promptEdit.imagePasted.emit(png_bytes())
        read = composer.read()
        assert read is workspace and workspace.prompt == "Explain caching"
        assert workspace.system == "Be brief" and workspace.params.temperature == 0.3
        assert [a.name for a in workspace.attachments] == ["pasted image.png"]
        assert [p.model for p in workspace.panes] == ["sim/quick-mini", ""]
        assert workspace.send_problem() == "Pick a model in every pane first."
        assert not composer.followUpButton.isEnabled()  # no conversation yet
        composer.update_estimate()
        assert composer.costLabel.text().startswith("Est. max $")
        await h.close()

    aio(go())


def test_a_favourite_that_cannot_be_saved_is_said_and_the_window_goes_on(
    aio, make_harness: Callable[..., Harness]
) -> None:
    """Ticking a favourite in the model browser when the settings cannot be written used to raise
    out of the Qt slot; now the status bar says why and nothing else changes."""
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        browser = window.show_model_browser()
        settings = h.ctx.paths.config_dir / "settings.json"
        settings.unlink(missing_ok=True)
        settings.mkdir(parents=True)  # a folder where the file should be: every write fails
        (settings / "keep").write_text("x")
        browser.searchEdit.setText("sim/quick-mini")
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        browser.table.selectionModel().select(browser.proxy.index(0, 0), flags)
        browser.favouriteButton.click()
        await wait_until(lambda: "Could not save the settings" in window.statusBar().currentMessage())
        browser.close()
        await h.close()

    aio(go())


def test_the_diff_dialog_renders_into_an_image_like_any_widget(qtbot) -> None:
    """Its own redraw no longer hides QWidget.render (screenshots and printing use it)."""
    dialog = DiffDialog([("a/one", "the cache keeps answers"), ("b/two", "the cache drops answers")])
    qtbot.addWidget(dialog)
    dialog.resize(400, 300)
    picture = QPixmap(400, 300)
    dialog.render(picture)
    assert not picture.toImage().isNull()
    assert "drops" in dialog.html  # the diff itself is still drawn by the dialog's redraw
