"""Layout a user notices: many panes (how many are out of sight, two rows, one pane focused), a small
screen with both docks open, and an unknown model id marked in its own pane before sending."""

from __future__ import annotations

from collections.abc import Callable

from playground.core.compare import PaneState
from tests.ui.conftest import Harness, wait_until


def test_panes_out_of_sight_are_counted_and_a_failure_among_them_is_said(
    aio, make_harness: Callable[..., Harness]
) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        window.resize(800, 600)
        h.set_models(*["sim/quick-mini"] * 7, "fault/402")
        await h.send()
        await h.finish()
        compare = window.compare
        await wait_until(lambda: compare.moreButton.isVisible(), what="the more button")
        hidden = compare.hidden_panes()
        assert hidden and compare.panes[-1] in hidden
        assert compare.moreButton.text() == f"{len(hidden)} more → (1 failed)"
        compare.moreButton.click()  # scrolls to the end: the failed pane is in sight
        assert compare.panes[-1] not in compare.hidden_panes()
        assert "←" in compare.moreButton.text()
        await h.close()

    aio(go())


def test_two_rows_and_one_focused_pane(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        h.set_models(*["sim/quick-mini"] * 6)
        compare = window.compare
        window.gridAction.trigger()
        first, fourth = compare.panes[0], compare.panes[3]
        await wait_until(lambda: fourth.y() > first.y(), what="a second row")
        assert fourth.x() == first.x()  # three columns: the fourth pane starts the second row
        window.gridAction.trigger()
        await wait_until(lambda: fourth.y() == first.y(), what="one row again")

        third = compare.panes[2]
        third.focusAction.trigger()  # ⋯ > Focus this pane
        assert [p.isVisible() for p in compare.panes] == [False, False, True, False, False, False]
        assert compare.moreButton.text() == "Show all 6 panes"
        compare.moreButton.click()
        assert all(p.isVisible() for p in compare.panes) and not third.focusAction.isChecked()
        await h.close()

    aio(go())


def test_both_docks_fit_a_1280_by_720_screen(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        window.templatePanel.show()
        window.historyView.show()
        await wait_until(lambda: window.historyView.isVisible(), what="the docks")
        hint = window.minimumSizeHint()
        assert hint.width() <= 1280 and hint.height() <= 720, hint

        window.resize(1280, 720)
        before = window.splitter.sizes()
        h.set_models("sim/quick-mini")
        await h.send()
        await h.finish()
        composer, answers = window.splitter.sizes()
        assert composer < before[0] and answers > before[1]  # the answers got the room
        await h.close()

    aio(go())


def test_an_unknown_model_is_marked_in_its_pane_before_sending(
    aio, make_harness: Callable[..., Harness]
) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini", "sim/quick-minii", "@local/llama3", "sim/quick-mini:nitro")
        window.promptEdit.setPlainText("Hello")
        window.update_estimate()
        good, typo, endpoint, variant = window.compare.panes
        assert typo.modelSelector.property("unknown") is True
        assert "Unknown model id 'sim/quick-minii'" in typo.noteLabel.text()
        assert not typo.noteLabel.isHidden() and "spelling" in typo.modelSelector.toolTip()
        for pane in (good, endpoint, variant):
            assert not pane.modelSelector.property("unknown"), pane.model
        assert window.costLabel.text().endswith("(+2 unpriced)")  # the endpoint and the variant, not the typo
        typo.modelSelector.setEditText("sim/quick-mini")
        window.update_estimate()
        assert not typo.modelSelector.property("unknown") and "Unknown" not in typo.noteLabel.text()
        assert typo.result.state is PaneState.QUEUED  # nothing was sent
        await h.close()

    aio(go())


def test_the_model_picker_shows_price_context_and_free(aio, make_harness: Callable[..., Harness]) -> None:
    from playground.ui.widgets import DETAILS_ROLE, FREE_ROLE

    h = make_harness()

    async def go() -> None:
        window = await h.start()
        selector = window.compare.panes[0].modelSelector
        rows = {selector.itemText(i): i for i in range(selector.count())}
        quick, free = rows["sim/quick-mini"], rows["sim/open-llama:free"]
        assert selector.itemData(quick, DETAILS_ROLE) == "$0.15 / $0.60 per M · 128k"
        assert selector.itemData(free, DETAILS_ROLE) == "free · 32k" and selector.itemData(free, FREE_ROLE)
        assert not selector.itemData(quick, FREE_ROLE)
        view = selector.view()
        option_width = view.sizeHintForColumn(0)
        assert option_width > view.fontMetrics().horizontalAdvance("sim/quick-mini  $0.15 / $0.60 per M")
        # the drop-down opens wide enough for the id, the price and the context, in a narrow pane too
        window.compare.panes[0].resize(220, 400)
        selector.showPopup()
        assert view.isVisible() and view.width() >= 360
        selector.hidePopup()
        await h.close()

    aio(go())
