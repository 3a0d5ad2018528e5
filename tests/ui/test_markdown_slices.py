"""A long answer given at once (a full-speed stream's first turn, History, a theme switch) is rendered
in slices over several frames: the window keeps handling events, and the answer ends up paged."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from playground.simulator.server import markdown_of_length
from playground.ui.markdown_pages import PAGE_CHARS, AnswerPage
from playground.ui.markdown_slices import SLICE_CHARS, next_cut
from playground.ui.markdown_view import MarkdownView

TEXT = markdown_of_length(7000)  # about 35,000 characters


def _view(qtbot: QtBot) -> MarkdownView:
    view = MarkdownView()
    qtbot.addWidget(view)
    view.resize(500, 400)
    view.show()
    return view


def _pages(view: MarkdownView) -> list[AnswerPage]:
    return [page for page in view.findChildren(AnswerPage) if page.isVisible()]


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def test_a_long_answer_given_at_once_renders_over_several_frames_and_ends_paged(qtbot: QtBot) -> None:
    view, streamed = _view(qtbot), _view(qtbot)
    for i in range(0, len(TEXT), 40):
        streamed.append_text(TEXT[i : i + 40])
    view.append_text(TEXT)
    assert view.rendering and len(view.toPlainText()) < len(TEXT) // 4  # one slice, not the answer
    assert view.text == TEXT  # (copy takes the whole answer at once)
    with qtbot.waitSignal(view.rendered, timeout=10_000):
        pass
    assert not view.rendering
    assert (
        len(_pages(view)) >= len(TEXT) // PAGE_CHARS - 1 and view.document().characterCount() < 2 * PAGE_CHARS
    )
    assert _lines(view.toPlainText()) == _lines(streamed.toPlainText())
    assert view.code_blocks == streamed.code_blocks


def test_the_window_handles_its_events_between_slices(qtbot: QtBot) -> None:
    view = _view(qtbot)
    fired: list[bool] = []
    view.append_text(TEXT)
    QTimer.singleShot(0, lambda: fired.append(view.rendering))
    qtbot.waitUntil(lambda: bool(fired))
    assert fired == [True]  # the timer ran while the answer was still being rendered
    qtbot.waitUntil(lambda: not view.rendering, timeout=10_000)


def test_text_arriving_behind_a_long_batch_renders_after_it_in_order(qtbot: QtBot) -> None:
    view = _view(qtbot)
    view.append_text(TEXT)
    view.append_text("The closing words.")
    with qtbot.waitSignal(view.rendered, timeout=10_000):
        pass
    assert view.text == TEXT + "The closing words."
    assert view.toPlainText().endswith("The closing words.")


def test_a_new_answer_drops_what_was_left_of_the_last_ones_slices(qtbot: QtBot) -> None:
    view = _view(qtbot)
    view.append_text(TEXT)
    view.clear_text()
    view.append_text("A short answer.")
    assert not view.rendering and view.toPlainText() == "A short answer."
    qtbot.wait(100)  # the frames that would have rendered the old slices
    assert view.toPlainText() == "A short answer." and not _pages(view)


def test_a_slice_ends_after_a_finished_paragraph_and_never_inside_a_code_block() -> None:
    code = "```python\n" + "x = 1\n\n" * SLICE_CHARS + "```\n\n"
    text = "intro\n\n" + code + "after\n\n" + "more " * SLICE_CHARS
    cut = next_cut("", text, False)
    assert text[:cut] == "intro\n\n"  # the paragraph before a code block longer than a slice
    rest = text[cut:]
    assert rest[: next_cut("", rest, False)] == code  # then the whole block, its blank lines in it
    assert next_cut("", "short\n\ntext", False) == len("short\n\ntext")
    prose = ("word " * 100 + "\n\n") * 10
    assert prose[: next_cut("", prose, False)].endswith("\n\n") and next_cut("", prose, False) <= SLICE_CHARS


def test_a_long_unfinished_paragraph_is_rendered_again_on_a_frame_not_in_the_call(qtbot: QtBot) -> None:
    """A run's end: each pane's last text renders its long last paragraph again - on the frame
    clock, within its budget, not all in the frame that hands the panes their last text."""
    views = [_view(qtbot) for _ in range(8)]
    long_paragraph = "A sentence with `code` and **bold** words. " * 100  # 4,300 characters
    for view in views:
        view.append_text(long_paragraph)
        qtbot.waitUntil(lambda v=view: not v.rendering)
    shown = views[0].toPlainText()
    for view in views:
        view.append_text("The *last* words.")
    assert all(view.rendering for view in views) and views[0].toPlainText() == shown
    for view in views:
        qtbot.waitUntil(lambda v=view: not v.rendering, timeout=5_000)
    assert all(view.toPlainText().endswith("The last words.") for view in views)


def test_a_long_answer_opened_from_history_is_rendered_in_slices_and_paged(qtbot: QtBot) -> None:
    from playground.core.history import AnswerRecord
    from playground.ui.response_pane import ResponsePane

    pane = ResponsePane("sim/quick-mini")
    qtbot.addWidget(pane)
    pane.resize(500, 500)
    pane.show()
    record = AnswerRecord(
        0, "sim/quick-mini", "sim/quick-mini", None, TEXT, "", "complete", "stop", None,
        0.5, 9.0, 10, 7000, None, None, None,
    )  # fmt: skip
    view = pane.outputView
    with qtbot.waitSignal(view.rendered, timeout=10_000):
        pane.show_record(record)
        assert view.rendering and pane.copyButton.isEnabled()  # Copy has the answer already
    assert len(_pages(view)) >= 3 and view.text == TEXT
    streamed = _view(qtbot)
    for i in range(0, len(TEXT), 40):
        streamed.append_text(TEXT[i : i + 40])
    assert _lines(view.toPlainText()) == _lines(streamed.toPlainText())
