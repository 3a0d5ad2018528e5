"""Settings the window writes through ``session.settings``: a write that fails is said on the status bar
and the window keeps running (before, a favourite that could not be saved raised out of a Qt slot)."""

from __future__ import annotations

from collections.abc import Callable

from playground.core.compare import PaneState
from tests.ui.conftest import Harness

SAVE_FAILED = "Could not save the settings"


def _unwritable_settings(h: Harness) -> None:
    """A folder where the settings file should be: every save fails, as on a broken disk."""
    path = h.ctx.paths.settings_file
    path.unlink(missing_ok=True)
    path.mkdir(parents=True)


def test_a_favourite_that_cannot_be_saved_is_said_and_the_window_keeps_working(
    aio, make_harness: Callable[..., Harness]
) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        _unwritable_settings(h)
        browser = window.show_model_browser()
        browser.searchEdit.setText("sim/quick-mini")
        browser.table.selectRow(0)
        browser.favouriteButton.click()  # pytest-qt fails the test on an exception in a slot
        assert SAVE_FAILED in window.statusBar().currentMessage()
        assert browser.source.favourites == set()  # shown as it is saved: not a favourite
        browser.close()
        h.set_models("sim/quick-mini")
        await h.send()
        await h.finish()
        assert window.compare.panes[0].result.state is PaneState.DONE
        await h.close()

    aio(go())


def test_switches_that_cannot_be_saved_are_said(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        _unwritable_settings(h)
        window.statusBar().clearMessage()
        window.blindSpeedAction.trigger()
        assert SAVE_FAILED in window.statusBar().currentMessage()
        stored = h.session.settings.load()
        assert window.blindSpeedAction.isChecked() == stored.blind_show_speed  # the tick shows what is stored
        window.statusBar().clearMessage()
        window.logPromptsAction.trigger()
        assert SAVE_FAILED in window.statusBar().currentMessage()
        assert window.logPromptsAction.isChecked() == stored.log_prompts
        assert not h.session.settings.load().log_prompts  # nothing was logged on the quiet
        await h.close()

    aio(go())
