"""Follow-ups (one thread per model), branching, leaving a pane out, context warnings and
attachments, in the window against the simulator."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QMimeData, QUrl
from PySide6.QtGui import QImage

from playground.simulator import Behaviour
from tests.core.test_conversation import png_bytes
from tests.ui.conftest import Harness

MODELS = ("sim/quick-mini", "sim/balanced-pro", "sim/deep-reasoner")


def test_follow_up_gives_each_model_only_its_own_answers(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness()
    for index, model in enumerate(MODELS):
        h.sim.script(
            model,
            Behaviour(text=f"answer {index} to turn one"),
            Behaviour(text=f"answer {index} to turn two"),
        )

    async def go() -> None:
        window = await h.start()
        h.set_models(*MODELS)
        assert not window.followUpButton.isEnabled()  # nothing to follow up yet
        await h.send("Turn one?")
        await h.finish()
        window.promptEdit.setPlainText("Turn two?")
        assert window.followUpButton.isEnabled()
        window.update_estimate()
        assert "· follow-up $" in window.costLabel.text()  # the estimate counts each pane's thread
        window.follow_up()
        await h.finish()
        for index, model in enumerate(MODELS):
            sent = h.sim.chat_requests(model)[1].json()["messages"]
            assert [(m["role"], m["content"]) for m in sent] == [
                ("user", "Turn one?"),
                ("assistant", f"answer {index} to turn one"),
                ("user", "Turn two?"),
            ]
            pane = window.compare.panes[index]
            assert pane.outputView.text == f"answer {index} to turn two"
            assert pane.threadToggle.isVisible() and pane.threadToggle.text() == "▸ Earlier turns (1)"
            pane.threadToggle.setChecked(True)
            assert f"answer {index} to turn one" in pane.threadView.toPlainText()
        # the whole thread is in history, per pane
        run = h.ctx.history().list_runs(limit=1)[0]
        record = h.ctx.history().get_run(run.id)
        assert [m.text for m in record.answers[1].thread] == [
            "Turn one?",
            "answer 1 to turn one",
            "Turn two?",
        ]
        await h.close()

    aio(go())


def test_edit_an_earlier_turn_branches_one_pane(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness()
    h.sim.script("sim/quick-mini", Behaviour(text="q1"), Behaviour(text="q2"), Behaviour(text="q-branched"))
    h.sim.script("sim/balanced-pro", Behaviour(text="b1"), Behaviour(text="b2"))

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini", "sim/balanced-pro")
        await h.send("first")
        await h.finish()
        window.promptEdit.setPlainText("second")
        window.follow_up()
        await h.finish()
        quick, balanced = window.compare.panes
        quick.branchRequested.emit(1, "second, said better")  # as the thread view's "edit" link does
        await h.finish()
        sent = h.sim.chat_requests("sim/quick-mini")[2].json()["messages"]
        assert [m["content"] for m in sent] == ["first", "q1", "second, said better"]
        assert quick.outputView.text == "q-branched"
        assert balanced.outputView.text == "b2"  # the other pane is untouched
        assert len(h.sim.chat_requests("sim/balanced-pro")) == 2
        assert [m.text for m in quick.messages] == ["first", "q1", "second, said better", "q-branched"]
        await h.close()

    aio(go())


def test_a_pane_left_out_gets_no_follow_up_and_retry_regenerates(
    aio, make_harness: Callable[..., Harness]
) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini", "sim/balanced-pro")
        await h.send("first")
        await h.finish()
        left = window.compare.panes[1]
        left.conversationAction.trigger()
        assert not left.in_conversation and "Left out of follow-ups" in left.noteLabel.text()
        window.promptEdit.setPlainText("second")
        window.follow_up()
        await h.finish()
        assert len(h.sim.chat_requests("sim/balanced-pro")) == 1
        assert len(h.sim.chat_requests("sim/quick-mini")) == 2
        # regenerate the last answer: the same thread is sent again
        window.compare.panes[0].retryButton.click()
        await h.finish()
        again, before = (h.sim.chat_requests("sim/quick-mini")[i].json()["messages"] for i in (2, 1))
        assert again == before
        await h.close()

    aio(go())


def test_context_warning_before_sending(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness()
    # a long first answer: about 25,000 tokens of the model's 32,768
    h.sim.script("sim/open-llama:free", Behaviour(text="word " * 20_000, tokens_per_second=0, ttft=0))

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/open-llama:free")
        await h.send("Write a lot")
        await h.finish(timeout=30)
        window.params.max_tokens.setValue(4000)  # room for the next answer counts too
        pane = window.compare.panes[0]
        window.promptEdit.setPlainText("And more?")
        window.update_estimate()
        assert "Near sim/open-llama:free's context" in pane.noteLabel.text()
        window.promptEdit.setPlainText("And more? " + "x" * 4 * 6000)
        window.update_estimate()
        assert "Too long for sim/open-llama:free" in pane.noteLabel.text()
        window.follow_up()
        assert len(h.sim.chat_requests()) == 1  # refused before sending
        assert "Not sent" in window.statusBar().currentMessage()
        await h.close()

    aio(go())


def test_images_attach_by_picker_paste_and_drop_and_are_sent(
    aio, make_harness: Callable[..., Harness], tmp_path: Path
) -> None:
    h = make_harness()
    picture = tmp_path / "chart.png"
    picture.write_bytes(png_bytes())
    notes = tmp_path / "notes.md"
    notes.write_text("# Notes\n", "utf-8")

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini", "sim/vision-large")
        assert window.composer.attachments == ()  # nothing attached: no strip is built for it
        window.attach_files([str(picture)])
        strip = window.attachmentStrip
        assert strip.isVisible() and [a.name for a in strip.attachments] == ["chart.png"]
        # built on the first attachment, it sits right under the prompt
        layout = window.composer.layout()
        assert layout.indexOf(strip) == layout.indexOf(window.promptEdit) + 1
        assert strip.geometry().top() >= window.promptEdit.geometry().bottom()
        window.attach_files([str(picture)])  # the same file once
        assert len(strip.attachments) == 1
        # paste an image from the clipboard, drop a text file
        pasted = QMimeData()
        image = QImage(4, 3, QImage.Format.Format_RGB32)
        image.fill(0x3366CC)
        pasted.setImageData(image)
        window.promptEdit.insertFromMimeData(pasted)
        dropped = QMimeData()
        dropped.setUrls([QUrl.fromLocalFile(str(notes))])
        window.promptEdit.insertFromMimeData(dropped)
        assert [a.name for a in strip.attachments] == ["chart.png", "pasted image.png", "notes.md"]
        assert window.promptEdit.toPlainText() == ""  # files became attachments, not text
        # the text-only model is flagged, and nothing is sent
        window.promptEdit.setPlainText("What is in these?")
        window.update_estimate()
        quick = window.compare.panes[0]
        assert "sim/quick-mini cannot read images (chart.png, pasted image.png)" in quick.noteLabel.text()
        window.send()
        assert h.sim.chat_requests() == []
        quick.modelSelector.setEditText("sim/vision-large")
        await h.send("What is in these?")
        await h.finish()
        content = h.sim.chat_requests()[0].json()["messages"][0]["content"]
        assert [p["type"] for p in content] == ["text", "image_url", "image_url", "text"]
        assert content[1]["image_url"]["url"].startswith("data:image/png;base64,")
        assert content[3]["text"].startswith('<file name="notes.md">')
        # sent with the turn: the strip is for the next message, each pane's thread keeps them
        assert strip.attachments == [] and strip.isHidden()
        # reopened from history, the attachments come back in the thread, not as the next turn's
        run = h.ctx.history().list_runs(limit=1)[0]
        window.open_run(h.ctx.history().get_run(run.id))
        assert strip.attachments == []
        sent = window.compare.panes[0].messages[0].attachments
        assert [a.name for a in sent] == ["chart.png", "pasted image.png", "notes.md"]
        assert sent[0].data == png_bytes()
        await h.close()

    aio(go())


def test_oversize_or_unknown_attachment_is_refused_with_a_message(
    aio, make_harness: Callable[..., Harness], tmp_path: Path
) -> None:
    h = make_harness()
    big = tmp_path / "scan.pdf"
    with big.open("wb") as f:
        f.write(b"%PDF-1.7\n")
        f.truncate(21 * 1024 * 1024)
    binary = tmp_path / "tool.exe"
    binary.write_bytes(b"MZ\x90\x00")

    async def go() -> None:
        window = await h.start()
        window.attach_files([str(big)])
        assert (
            "scan.pdf is 21.0 MB; attachments can be at most 20.0 MB" in window.statusBar().currentMessage()
        )
        window.attach_files([str(binary)])
        assert "tool.exe: not an image" in window.statusBar().currentMessage()
        assert window.attachmentStrip.attachments == [] and not window.attachmentStrip.isVisible()
        await h.close()

    aio(go())
