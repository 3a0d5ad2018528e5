"""Fresh-eyes review of the redesigned window: what a user saw break, walking the README's flows."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox

from playground.core.request import ChatParams
from playground.core.routing import Routing
from playground.core.templates import PromptTemplate
from playground.simulator import Behaviour
from playground.ui.dialogs import CodeDialog
from playground.ui.params_dialog import ParamsDialog
from playground.ui.template_dialogs import VersionsDialog
from tests.core.test_conversation import png_bytes
from tests.ui.conftest import Harness, wait_until
from tests.ui.test_a11y_names import unnamed


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


def _readme_shortcut_keys() -> list[str]:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Keyboard shortcuts", 1)[1].split("\n\n", 2)[1]
    return [line.split("|")[1].strip() for line in table.splitlines()[2:] if line.startswith("|")]


def test_f1_lists_every_shortcut_of_the_readme_with_its_words_as_written(
    aio, make_harness: Callable[..., Harness], qtbot
) -> None:
    """F1's table is the README's: F1 itself is in it, and 'Markdown' is not lowered to 'markdown'."""
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        window.activateWindow()
        await wait_until(window.isActiveWindow, what="the window to be active")
        qtbot.keyClick(window, Qt.Key.Key_F1)
        dialog = window.shortcuts_dialog
        assert dialog is not None and dialog.isVisible()
        table = dialog.table
        rows = [(table.item(r, 0).text(), table.item(r, 1).text()) for r in range(table.rowCount())]
        assert [keys for keys, _ in rows] == _readme_shortcut_keys()
        words = dict(rows)
        assert words["Ctrl+Shift+C"] == "Copy the comparison as Markdown"
        assert all(action[:1].isupper() for _, action in rows)
        dialog.close()
        await h.close()

    aio(go())


MODELS = ("sim/quick-mini", "sim/balanced-pro", "sim/deep-reasoner")


async def _blind_run(h: Harness, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = h.window
    h.set_models(*MODELS)
    window.blind_rng = random.Random(3)
    window.blindButton.setChecked(True)
    await h.send("Explain idempotency")
    await h.finish()
    await wait_until(lambda: window.voteBar.isVisible(), what="the vote bar")


def test_the_diff_of_a_blind_run_waiting_for_its_vote_names_no_model(
    aio, make_harness: Callable[..., Harness], qtbot
) -> None:
    """Compare > Differences (Ctrl+D) before the vote used to list '1. sim/deep-reasoner': the
    answers are named by their blind labels until the vote or reveal."""
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        await _blind_run(h, qtbot)
        window.show_diff()
        dialog = window.diff_dialog
        assert dialog is not None
        shown = " ".join(
            box.itemText(i) for box in dialog.findChildren(QComboBox) for i in range(box.count())
        )
        assert "Model A" in shown and "Model B" in shown
        assert not any(model in shown for model in MODELS)
        dialog.close()
        window.reveal()
        window.show_diff()  # after the reveal the models are named again
        dialog = window.diff_dialog
        assert dialog is not None
        shown = " ".join(
            box.itemText(i) for box in dialog.findChildren(QComboBox) for i in range(box.count())
        )
        assert all(model in shown for model in MODELS)
        dialog.close()
        await h.close()

    aio(go())


def test_closing_during_a_blind_run_keeps_the_users_pane_order_for_the_next_start(
    aio, make_harness: Callable[..., Harness], qtbot
) -> None:
    """The blind shuffle is put back before the window's state is saved: closing before the vote used
    to bring the panes back shuffled at the next start."""
    first = make_harness()

    async def go() -> None:
        window = await first.start()
        await _blind_run(first, qtbot)
        assert window.compare.models() != list(MODELS)  # this seed shuffles them
        await first.close()
        again = make_harness()
        window = await again.start()
        assert window.compare.models() == list(MODELS)
        await again.close()

    aio(go())


def test_a_blind_follow_up_after_the_vote_is_shuffled_again(
    aio, make_harness: Callable[..., Harness], qtbot
) -> None:
    """After a vote the panes are back in the user's order; a blind follow-up used to label them A, B,
    C in that known order, so 'Model A' was plainly the first model picked."""
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        await _blind_run(h, qtbot)
        window.voteBar.voted.emit("tie")
        assert window.compare.models() == list(MODELS)
        window.promptEdit.setPlainText("Shorter, please")
        window.follow_up()
        await wait_until(lambda: window.compare.run is not None and window.compare.running, what="the run")
        assert window.compare.models() != list(MODELS)  # this seed moves them
        assert [p.blind for p in window.compare.panes] == ["Model A", "Model B", "Model C"]
        await h.finish()
        window.reveal()
        assert window.compare.models() == list(MODELS)
        assert all(len(p.messages) == 4 for p in window.compare.panes)  # each kept its own conversation
        await h.close()

    aio(go())


def test_get_code_is_the_request_send_would_make_for_that_pane(
    aio, make_harness: Callable[..., Harness], qtbot
) -> None:
    """The pane's own parameters and routing (its ⋯ menu, right beside Get code) are in the snippet;
    it used to show the model with the shared parameters only."""
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        h.set_models(*MODELS)
        pane = window.compare.panes[1]
        pane.set_overrides(ChatParams(temperature=0.2))
        pane.set_routing(Routing(sort="price", fallbacks=("sim/quick-mini",)))
        window.promptEdit.setPlainText("Explain caching")
        window.show_code(1)
        await wait_until(lambda: window.findChild(CodeDialog) is not None, what="the code dialog")
        dialog = window.findChild(CodeDialog)
        assert dialog is not None and dialog.isVisible()
        for text in dialog.texts.values():
            assert "sim/balanced-pro" in text and "Explain caching" in text
            assert '"temperature": 0.2' in text or "'temperature': 0.2" in text
            assert '"sort": "price"' in text or "'sort': 'price'" in text
            assert "sim/quick-mini" in text  # the fallback, in models: [...]
        dialog.close()
        await h.close()

    aio(go())


def test_the_code_and_template_versions_dialogs_are_named_in_words(
    aio, make_harness: Callable[..., Harness]
) -> None:
    """Get code's snippets and a template's version list were read out as nameless text boxes."""
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini")
        window.promptEdit.setPlainText("Explain caching")
        window.show_code(0)
        code = window.findChild(CodeDialog)
        h.session.templates.save(PromptTemplate(name="greet", prompt="Hello {{who}}"), replacing=None)
        versions = VersionsDialog(h.session, "greet", window)
        assert versions.versionList.count() == 1
        for dialog in (code, versions):
            assert dialog is not None
            assert unnamed(dialog) == []
            dialog.close()
        await h.close()

    aio(go())


def test_a_model_marked_favourite_in_the_browser_stays_selected_to_add(
    aio, make_harness: Callable[..., Harness]
) -> None:
    """★ Favourite then Add to panes: the favourite used to drop the selection, so Add did nothing."""
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        browser = window.show_model_browser()
        browser.searchEdit.setText("vision")
        await wait_until(lambda: browser.proxy.rowCount() == 1, what="the search")
        browser.table.selectRow(0)
        browser.favouriteButton.click()
        assert h.session.settings.load().favourite_models == ("sim/vision-large",)
        assert browser.selected_ids() == ["sim/vision-large"]
        h.set_models("sim/quick-mini", "")
        browser.addButton.click()
        assert window.compare.models() == ["sim/quick-mini", "sim/vision-large"]
        assert window.compare.panes[0].modelSelector.itemText(0) == "sim/vision-large"  # favourites first
        browser.close()
        await h.close()

    aio(go())


def test_a_model_just_used_is_offered_first_in_every_picker_without_a_restart(
    aio, make_harness: Callable[..., Harness]
) -> None:
    """'Favourites and recent models come first': the pickers used to learn the recent models only
    at the next start or catalog refresh."""
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/long-context", "sim/quick-mini")
        await h.send("Explain caching")
        await h.finish()
        picker = window.compare.panes[1].modelSelector
        first = [picker.itemText(i) for i in range(2)]
        assert first == ["sim/long-context", "sim/quick-mini"]
        assert window.compare.models() == ["sim/long-context", "sim/quick-mini"]  # choices kept
        await h.close()

    aio(go())


def test_sending_the_same_models_again_does_not_rewrite_the_settings(
    aio, make_harness: Callable[..., Harness]
) -> None:
    """Every Send used to rewrite settings.json (two fsyncs, up to 50 ms on a busy disk, on the
    window's thread) to remember the recent models even when they had not changed."""
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/long-context", "sim/quick-mini")
        await h.send("Explain caching")
        await h.finish()
        settings = h.home / "config" / "settings.json"
        written = settings.stat().st_ino  # an atomic write replaces the file: a new inode
        await h.send("Explain ETags")
        await h.finish()
        assert settings.stat().st_ino == written
        h.set_models("sim/quick-mini", "sim/vision-large")  # a new model: remembered
        await h.send("Explain otters")
        await h.finish()
        assert settings.stat().st_ino != written
        assert window.compare.models() == ["sim/quick-mini", "sim/vision-large"]
        await h.close()

    aio(go())


def test_history_opened_on_a_720_px_window_leaves_the_answers_their_room(
    aio, make_harness: Callable[..., Harness]
) -> None:
    """The history dock grew with its rows and totals until the answers were down to a few lines at
    1280x720; it opens at a third of the height at most and stays there until the user drags it."""
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        window.resize(1280, 720)
        await wait_until(lambda: window.height() == 720, what="the window's size")
        window.historyAction.trigger()
        view = window.historyView
        await wait_until(lambda: view.isVisible() and view.height() > 0, what="the history dock")
        h.set_models(*MODELS)
        for prompt in ("Explain otters", "Explain caching", "Explain ETags"):
            await h.send(prompt)
            await h.finish()
        await wait_until(lambda: len(view.runs) == 3, what="the runs in history")
        await wait_until(lambda: view.height() <= 720 // 3, what="the dock at a third")
        assert window.compare.height() > 200
        await h.close()

    aio(go())


def test_request_options_show_their_checkboxes_whole(aio, make_harness: Callable[..., Harness]) -> None:
    """'Reason, but leave the reasoning out' and 'Mark the system prompt and attachments for
    caching' were cut off at the dialog's edge: a fixed minimum width replaced the layout's own."""
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        dialog = window.params.edit_options()
        await wait_until(dialog.isVisible, what="the options dialog")
        boxes = dialog.findChildren(QCheckBox)
        assert len(boxes) >= 3
        for box in boxes:
            assert box.width() >= box.sizeHint().width(), box.text()
            assert box.mapTo(dialog, box.rect().topRight()).x() <= dialog.width(), box.text()
        dialog.reject()
        await h.close()

    aio(go())


def test_leave_out_and_follow_up_does_not_leave_not_sent_on_the_status_bar(
    aio, make_harness: Callable[..., Harness], tmp_path: Path
) -> None:
    """The follow-up went to the other panes, but the status bar kept saying 'Not sent: see the note
    in the flagged panes.'"""
    h = make_harness()
    picture = tmp_path / "chart.png"
    picture.write_bytes(png_bytes())

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini", "sim/vision-large")
        await h.send("first")
        await h.finish()
        window.attach_files([str(picture)])
        window.promptEdit.setPlainText("What is in this chart?")
        window.follow_up()
        assert window.statusBar().currentMessage().startswith("Not sent")
        assert window.leaveOutButton is not None
        window.leaveOutButton.click()
        await h.finish()
        assert len(h.sim.chat_requests("sim/vision-large")) == 2  # it went
        assert "Not sent" not in window.statusBar().currentMessage()
        await h.close()

    aio(go())


def test_parameters_for_this_pane_can_add_request_options_for_that_pane(
    aio, make_harness: Callable[..., Harness]
) -> None:
    """README: '⋯ > Parameters for this pane... can add to it for one pane'. The Request options
    button had moved beside the System prompt toggle and was in no layout in the pane's dialog."""
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini", "sim/balanced-pro")
        pane = window.compare.panes[1]
        pane.edit_overrides()
        dialog = pane.findChild(ParamsDialog)
        assert dialog is not None
        await wait_until(dialog.isVisible, what="the pane's parameters")
        button = dialog.panel.optionsButton
        assert button.isVisible() and dialog.isAncestorOf(button)
        options = dialog.panel.edit_options()
        await wait_until(options.isVisible, what="the request options")
        options.webSearchBox.setChecked(True)
        options.accept()
        assert button.text() != "Options: none"
        dialog.accept()
        assert pane.overrides is not None and pane.overrides.web_search is not None
        await h.send("Latest HTTP caching news")
        await h.finish()
        tools = {
            m: h.sim.chat_requests(m)[0].json().get("tools") for m in ("sim/quick-mini", "sim/balanced-pro")
        }
        assert tools["sim/quick-mini"] is None
        assert tools["sim/balanced-pro"] and tools["sim/balanced-pro"][0]["type"] == "openrouter:web_search"
        await h.close()

    aio(go())


def test_a_prompt_sent_then_a_turn_edited_is_not_offered_again_at_the_next_start(
    aio, make_harness: Callable[..., Harness]
) -> None:
    """'A prompt you sent is not offered again': editing a turn (a branch) made the edited text the
    'sent' one, so the prompt box's already-sent prompt came back after a restart."""
    first = make_harness()

    async def go() -> None:
        window = await first.start()
        first.set_models(*MODELS)
        await first.send("Explain caching")
        await first.finish()
        pane = window.compare.panes[1]
        window.sending.branch_pane(pane, 0, "Explain caching in one line")
        await wait_until(lambda: window.compare.running, what="the branch to run")
        await first.finish()
        assert len(pane.left_behind) == 1
        assert window.promptEdit.toPlainText() == "Explain caching"
        await first.close()
        again = make_harness()
        window = await again.start()
        assert window.promptEdit.toPlainText() == ""
        await again.close()

    aio(go())


def test_retrying_a_pane_of_a_blind_run_holds_the_vote_until_its_answer_is_in(
    aio, make_harness: Callable[..., Harness], qtbot
) -> None:
    """Retry on a blind pane left the vote bar and every ★ Best up while that pane was still
    answering: a vote could be cast on an answer not yet given."""
    h = make_harness()
    h.sim.set_default("sim/quick-mini", Behaviour(tokens_per_second=40))

    async def go() -> None:
        window = await h.start()
        await _blind_run(h, qtbot)
        pane = next(p for p in window.compare.panes if p.model == "sim/quick-mini")
        assert all(p.voteButton.isVisible() for p in window.compare.panes)
        pane.retryButton.click()
        await wait_until(lambda: window.compare.running, what="the retry to run")
        assert not window.voteBar.isVisible()
        assert not any(p.voteButton.isVisible() for p in window.compare.panes)
        await h.finish()
        await wait_until(window.voteBar.isVisible, what="the vote bar again")
        assert all(p.voteButton.isVisible() for p in window.compare.panes)
        assert pane.blind is not None  # still hidden until the vote
        await h.close()

    aio(go())


def test_opening_a_past_run_during_a_blind_vote_reveals_it_instead_of_mixing_them_up(
    aio, make_harness: Callable[..., Harness], qtbot
) -> None:
    """History > Open while a blind run waited for its vote kept the labels on panes now showing the
    other run; a vote then read a deleted pane (a crash) or counted the wrong models."""
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/long-context", "sim/vision-large")
        await h.send("first")
        await h.finish()
        first = h.session.runs.list_runs()[0]
        await _blind_run(h, qtbot)
        window.open_run(h.session.runs.get(first.id))
        assert window.blind_pending is None and not window.voteBar.isVisible()
        assert [p.blind for p in window.compare.panes] == [None, None]
        assert window.compare.models() == ["sim/long-context", "sim/vision-large"]
        for pane, answer in zip(window.compare.panes, first.answers, strict=True):
            assert pane.outputView.text == answer.answer  # each pane shows its own model's answer
        window.voteBar.voted.emit("tie")  # a stray click on the bar does nothing now
        assert h.session.runs.leaderboard_votes() == []
        await h.close()

    aio(go())


def test_removing_a_pane_of_a_blind_run_before_the_vote_reveals_the_rest(
    aio, make_harness: Callable[..., Harness], qtbot
) -> None:
    """A script or template that changes the panes during a blind vote: the vote must not read a
    pane that is gone (it crashed the window)."""
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        await _blind_run(h, qtbot)
        window.compare.remove_pane(window.compare.panes[0])
        assert window.blind_pending is None
        assert all(p.blind is None for p in window.compare.panes)
        window.voteBar.voted.emit("tie")
        assert h.session.runs.leaderboard_votes() == []
        await h.close()

    aio(go())


def test_the_leaderboard_after_one_vote_says_one_vote(
    aio, make_harness: Callable[..., Harness], qtbot
) -> None:
    """'1 votes. Bradley-Terry ratings...' under the leaderboard after the first vote."""
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        await _blind_run(h, qtbot)
        window.voteBar.voted.emit("tie")
        board = window.show_leaderboard()
        await wait_until(lambda: not board.pending, what="the ratings")
        assert board.summaryLabel.text().startswith("1 vote. ")
        board.close()
        await _blind_run(h, qtbot)
        window.voteBar.voted.emit("all_bad")
        board = window.show_leaderboard()
        await wait_until(lambda: not board.pending, what="the ratings")
        assert board.summaryLabel.text().startswith("2 votes. ")
        board.close()
        await h.close()

    aio(go())


def test_follow_up_with_nothing_to_follow_says_why(aio, make_harness: Callable[..., Harness], qtbot) -> None:
    """Ctrl+Shift+Enter after every pane was stopped said 'send a comparison first' (one was just
    sent); with every pane left out it said the same instead of how to tick one back in."""
    h = make_harness()
    h.sim.set_default("sim/quick-mini", Behaviour(tokens_per_second=20))

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini")
        await h.send("Explain caching")
        window.compare.stop_all()
        await h.finish()
        window.promptEdit.setPlainText("And ETags?")
        window.follow_up()
        assert "Retry" in window.statusBar().currentMessage()
        assert "send a comparison first" not in window.statusBar().currentMessage()
        h.sim.set_default("sim/quick-mini", Behaviour())  # the retry answers at full speed
        window.compare.panes[0].retryButton.click()
        await wait_until(lambda: window.compare.running, what="the retry")
        await h.finish()
        window.compare.panes[0].set_in_conversation(False)
        window.promptEdit.setPlainText("And ETags?")
        window.follow_up()
        assert "Include in follow-ups" in window.statusBar().currentMessage()
        await h.close()

    aio(go())


def test_a_pane_left_out_of_a_follow_up_loses_its_old_badges(
    aio, make_harness: Callable[..., Harness]
) -> None:
    """Badges compare the answers of one run: a pane left out of the follow-up kept "longest" from the
    run before, beside a longer answer of the new run."""
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini", "sim/balanced-pro", "sim/deep-reasoner")
        await h.send("Explain caching")
        await h.finish()
        left_out = window.compare.panes[0]
        assert any(p.badges for p in window.compare.panes)  # the first run gave badges
        left_out.set_in_conversation(False)
        window.promptEdit.setPlainText("And ETags?")
        window.follow_up()
        await wait_until(lambda: window.compare.running, what="the follow-up")
        await h.finish()
        assert left_out.badges == []
        assert any(p.badges for p in window.compare.panes[1:])
        await h.close()

    aio(go())


def test_an_endpoint_that_refuses_its_key_is_named_not_openrouter() -> None:
    """A 401 from another endpoint said "OpenRouter rejected this key - open Key settings"."""
    from playground.core.compare import PaneResult
    from playground.core.events import Failed, FailureKind
    from playground.ui.pane_figures import failure_words

    def refused(model: str) -> str:
        return failure_words(PaneResult(model, failed=Failed(model, FailureKind.AUTH, "refused", 401)))

    said = refused("@local/sim/quick-mini")
    assert "OpenRouter" not in said and "local" in said and "Endpoints" in said
    assert "OpenRouter rejected this key" in refused("sim/quick-mini")


def test_each_get_code_dialog_is_deleted_when_closed(aio, make_harness: Callable[..., Harness]) -> None:
    """Every Get code used to leave its dialog (three snippets) alive under the window until it closed."""
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini")
        window.promptEdit.setPlainText("Explain caching")
        for _ in range(3):
            window.show_code(0)
            dialog = window.findChild(CodeDialog)
            assert dialog is not None and dialog.isVisible()
            gone = asyncio.Event()
            dialog.destroyed.connect(lambda *_a, g=gone: g.set())
            dialog.close()
            await asyncio.wait_for(gone.wait(), 10)
            assert window.findChildren(CodeDialog) == []
        await h.close()

    aio(go())
