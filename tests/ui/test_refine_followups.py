"""Follow-ups carry exactly the conversation: attachments go once, a re-run keeps its turn's thread,
"left out" belongs to the conversation it was set in, the estimate counts what is sent, and
"Edit an earlier turn..." edits the turn the user picked."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QInputDialog, QPlainTextEdit

from playground.simulator import Behaviour
from tests.ui.conftest import Harness, wait_until


def _contents(h: Harness, model: str, index: int) -> list[Any]:
    return [m["content"] for m in h.sim.chat_requests(model)[index].json()["messages"]]


def _files_sent(content: Any) -> int:
    """How many attached files a user message's content carries."""
    if isinstance(content, str):
        return content.count("<file name=")
    return sum(1 for part in content if part.get("type") == "text" and part["text"].startswith("<file name="))


def test_attachments_go_with_one_turn_only(aio, make_harness: Callable[..., Harness], tmp_path: Path) -> None:
    h = make_harness()
    notes = tmp_path / "notes.md"
    notes.write_text("# Release notes\nCaching arrived.\n", "utf-8")

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini")
        window.attach_files([str(notes)])
        await h.send("Summarise the notes")
        await h.finish()
        assert window.attachmentStrip.attachments == []
        window.promptEdit.setPlainText("Shorter?")
        window.follow_up()
        await h.finish()
        first, _answer, second = _contents(h, "sim/quick-mini", 1)
        assert _files_sent(first) == 1 and second == "Shorter?"

        # reopened from history and followed up: still once
        run = h.session.runs.list_runs()[-1]
        window.open_run(h.ctx.history().get_run(run.id))
        assert window.attachmentStrip.attachments == []
        window.promptEdit.setPlainText("And in French?")
        window.follow_up()
        await h.finish()
        sent = _contents(h, "sim/quick-mini", 2)
        assert sum(_files_sent(c) for c in sent[::2]) == 1 and sent[-1] == "And in French?"
        await h.close()

    aio(go())


def test_rerun_of_a_follow_up_turn_sends_its_conversation(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness()
    h.sim.script("sim/quick-mini", Behaviour(text="first answer"), Behaviour(text="second answer"))

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini")
        await h.send("Turn one")
        await h.finish()
        window.promptEdit.setPlainText("Turn two")
        window.follow_up()
        await h.finish()
        follow_up_run = h.session.runs.list_runs()[0]
        assert follow_up_run.prompt == "Turn two"
        window.rerun(h.ctx.history().get_run(follow_up_run.id))
        await h.finish()
        assert _contents(h, "sim/quick-mini", 2) == ["Turn one", "first answer", "Turn two"]
        await h.close()

    aio(go())


def test_left_out_belongs_to_its_conversation(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini", "sim/balanced-pro")
        await h.send("first")
        await h.finish()
        first_run = h.session.runs.list_runs()[0]
        window.promptEdit.setPlainText("next")
        quick, balanced = window.compare.panes
        for pane in (quick, balanced):
            pane.conversationAction.trigger()
        assert not window.followUpButton.isEnabled()  # nobody to follow up
        balanced.conversationAction.trigger()  # ticked back in
        assert window.followUpButton.isEnabled()

        window.open_run(h.ctx.history().get_run(first_run.id))
        assert quick.in_conversation and "Left out" not in quick.noteLabel.text()

        quick.conversationAction.trigger()
        await h.send("a new comparison")
        await h.finish()
        assert quick.in_conversation  # a new comparison includes every pane again
        await h.close()

    aio(go())


def _link(pane: Any, scheme: str) -> str:
    """The href of one of the thread view's own links, as a click on it would pass."""
    found = re.search(rf'href="({scheme}:[^"]+)"', pane.threadView.toHtml())
    assert found, f"no {scheme} link in the thread view"
    return found.group(1)


def _follow_up_cost(text: str) -> Decimal:
    found = re.search(r"follow-up \$([0-9.]+)", text)
    assert found, text
    return Decimal(found.group(1))


def test_follow_up_estimate_counts_attachments_and_left_out_panes(
    aio, make_harness: Callable[..., Harness], tmp_path: Path
) -> None:
    h = make_harness()
    big = tmp_path / "big.txt"
    big.write_text("word " * 160_000, "utf-8")  # 800 kB of text

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini", "sim/balanced-pro")
        await h.send("first")
        await h.finish()
        window.promptEdit.setPlainText("next")
        window.update_estimate()
        plain = _follow_up_cost(window.costLabel.text())
        window.attach_files([str(big)])
        await wait_until(lambda: _follow_up_cost(window.costLabel.text()) > plain, what="attachment counted")
        with_file = _follow_up_cost(window.costLabel.text())
        window.compare.panes[1].conversationAction.trigger()
        await wait_until(
            lambda: _follow_up_cost(window.costLabel.text()) < with_file, what="the left-out pane dropped"
        )
        await h.close()

    aio(go())


def test_edit_an_earlier_turn_edits_the_turn_picked(
    aio, make_harness: Callable[..., Harness], monkeypatch: pytest.MonkeyPatch
) -> None:
    h = make_harness()
    h.sim.script("sim/quick-mini", Behaviour(text="a1"), Behaviour(text="a2"), Behaviour(text="a-branch"))

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini")
        await h.send("first question")
        await h.finish()
        window.promptEdit.setPlainText("second question")
        window.follow_up()
        await h.finish()
        pane = window.compare.panes[0]
        offered: list[str] = []

        def pick(
            _parent: object, _title: str, _label: str, items: list[str], *_a: object
        ) -> tuple[str, bool]:
            offered.extend(items)
            return items[0], True

        monkeypatch.setattr(QInputDialog, "getItem", pick)
        action = next(a for a in pane.menuButton.menu().actions() if a.text() == "Edit an earlier turn...")
        action.trigger()
        dialog = pane.turn_dialog
        assert dialog.isVisible() and dialog.editor.toPlainText() == "first question"
        assert dialog.editor.lineWrapMode() is QPlainTextEdit.LineWrapMode.WidgetWidth  # prose wraps
        dialog.editor.setPlainText("")
        assert not dialog.resendButton.isEnabled()
        dialog.editor.setPlainText("first question, rephrased")
        dialog.resendButton.click()
        await h.finish()
        assert offered == ["Turn 1: first question", "Turn 2: second question"]
        assert _contents(h, "sim/quick-mini", 2) == ["first question, rephrased"]
        await h.close()

    aio(go())


def test_a_blocked_follow_up_offers_to_leave_the_pane_out(
    aio, make_harness: Callable[..., Harness], tmp_path: Path
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from tests.core.test_conversation import png_bytes

    h = make_harness()
    picture = tmp_path / "chart.png"
    picture.write_bytes(png_bytes())

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini", "sim/vision-large")
        await h.send("first")
        await h.finish()
        quick = window.compare.panes[0]
        quick.conversationAction.trigger()
        window.attach_files([str(picture)])
        window.promptEdit.setPlainText("What is in this chart?")
        window.update_estimate()
        assert "cannot read images" not in quick.noteLabel.text()  # left out: not flagged
        quick.conversationAction.trigger()
        window.update_estimate()
        assert "cannot read images" in quick.noteLabel.text()

        window.follow_up()
        box = window.leave_out_box
        assert isinstance(box, QMessageBox) and box.isVisible() and "sim/quick-mini" in box.text()
        assert len(h.sim.chat_requests()) == 2  # nothing sent yet
        window.leaveOutButton.click()
        await h.finish()
        assert not quick.in_conversation
        assert len(h.sim.chat_requests("sim/quick-mini")) == 1
        sent = h.sim.chat_requests("sim/vision-large")[1].json()["messages"][-1]["content"]
        assert any(part.get("type") == "image_url" for part in sent)
        await h.close()

    aio(go())


def test_each_attachment_has_a_remove_button(
    aio, make_harness: Callable[..., Harness], tmp_path: Path
) -> None:
    h = make_harness()
    files = [tmp_path / "a.md", tmp_path / "b.md"]
    for path in files:
        path.write_text(f"# {path.stem}\n", "utf-8")

    async def go() -> None:
        window = await h.start()
        strip = window.attachmentStrip
        window.attach_files([str(p) for p in files])
        chips = strip.chips()
        assert [c.removeButton.accessibleName() for c in chips] == ["Remove a.md", "Remove b.md"]
        chips[0].removeButton.click()
        assert [a.name for a in strip.attachments] == ["b.md"]
        strip.chips()[0].removeButton.click()
        assert strip.attachments == [] and strip.isHidden()
        await h.close()

    aio(go())


def test_a_branch_leaves_a_way_back_to_the_turns_it_left_behind(
    aio, make_harness: Callable[..., Harness]
) -> None:
    from PySide6.QtCore import QUrl

    h = make_harness()
    h.sim.script("sim/quick-mini", Behaviour(text="a1"), Behaviour(text="a2"), Behaviour(text="a-branch"))

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini")
        await h.send("first question")
        await h.finish()
        window.promptEdit.setPlainText("second question")
        window.follow_up()
        await h.finish()
        pane = window.compare.panes[0]
        before = pane.messages
        pane.branchRequested.emit(0, "first, said better")
        await h.finish()
        assert [m.text for m in pane.messages] == ["first, said better", "a-branch"]
        assert pane.threadToggle.isVisible()  # even with no earlier turn, the marker is reachable
        pane.threadToggle.setChecked(True)
        assert "1 earlier version of this conversation left behind" in pane.threadView.toPlainText()
        pane.threadView.anchorClicked.emit(QUrl(_link(pane, "back")))
        assert pane.messages == before and pane.outputView.text == "a2"
        assert [m.text for m in pane.left_behind[0]] == ["first, said better", "a-branch"]
        window.promptEdit.setPlainText("third question")  # the follow-up continues the restored thread
        window.follow_up()
        await h.finish()
        sent = _contents(h, "sim/quick-mini", 3)
        assert sent == ["first question", "a1", "second question", "a2", "third question"]
        await h.close()

    aio(go())


def test_the_whole_conversation_opens_in_its_own_window(aio, make_harness: Callable[..., Harness]) -> None:
    from PySide6.QtCore import QUrl

    h = make_harness()
    h.sim.script("sim/quick-mini", Behaviour(text="a1"), Behaviour(text="a2 with [a link](back:0)"))

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini")
        await h.send("first question")
        await h.finish()
        window.promptEdit.setPlainText("second question")
        window.follow_up()
        await h.finish()
        pane = window.compare.panes[0]
        pane.threadToggle.setChecked(True)
        assert "Open the whole conversation" in pane.threadView.toPlainText()
        pane.threadView.anchorClicked.emit(QUrl("back:0"))  # as written inside the answer: no action
        pane.threadView.anchorClicked.emit(QUrl("edit:0"))
        assert not hasattr(pane, "turn_dialog") and len(pane.messages) == 4
        pane.threadView.anchorClicked.emit(QUrl(_link(pane, "open")))
        dialog = pane.thread_dialog
        assert dialog.isVisible() and dialog.width() >= 700
        text = dialog.view.toPlainText()
        assert (
            text.index("first question") < text.index("a1") < text.index("second question") < text.index("a2")
        )
        assert not dialog.view.openLinks()  # a link inside an answer does nothing here
        await h.close()

    aio(go())
