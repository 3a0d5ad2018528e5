"""Fresh-eyes review of the redesigned window: what a user saw break, walking the README's flows."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt

from tests.ui.conftest import Harness, wait_until


def test_two_rows_of_panes_come_back_after_a_restart(
    aio, make_harness: Callable[..., Harness], qtbot
) -> None:
    """View > Panes in two rows (Ctrl+G) is remembered: the next start lays the panes out in two rows
    again, and the menu's tick says so (it used to be ticked over a single row)."""
    first = make_harness()

    async def go() -> None:
        window = await first.start()
        first.set_models("sim/quick-mini", "sim/balanced-pro", "sim/deep-reasoner", "sim/vision-large")
        window.activateWindow()
        await wait_until(window.isActiveWindow, what="the window to be active")
        qtbot.keyClick(window, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
        assert window.compare.rows == 2
        await first.close()

        again = make_harness()
        window = await again.start()
        assert window.gridAction.isChecked()
        assert window.compare.rows == 2
        top, bottom = window.compare.panes[0], window.compare.panes[-1]
        await wait_until(
            lambda: (
                bottom.mapTo(window, bottom.rect().topLeft()).y()
                > top.mapTo(window, top.rect().bottomLeft()).y()
            ),
            what="a second row",
        )
        await again.close()

    aio(go())
