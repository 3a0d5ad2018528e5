"""The streaming Markdown view: same result however the text is split, raw toggle, code fences."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QTextFormat
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from playground.simulator.server import markdown_of_length
from playground.ui.markdown_pages import AnswerPage
from playground.ui.markdown_view import MarkdownView, safe_split


def test_safe_split_never_cuts_inside_a_code_fence() -> None:
    text = "para one\n\n```python\nx = 1\n\ny = 2\n```\n\nafter"
    cut, fence_open = safe_split(text)
    assert text[:cut].endswith("```\n\n") and not fence_open
    cut, fence_open = safe_split("intro\n\n```\ncode\n\nmore code")
    assert cut == len("intro\n\n") and not fence_open
    assert safe_split("still in code\n\nmore\n```\n\nend", fence_open=True)[0] == len(
        "still in code\n\nmore\n```\n\n"
    )


def _at_once(qtbot: QtBot, view: MarkdownView, text: str) -> None:
    """``text`` in one call (an answer from History), rendered over the frames it takes."""
    view.append_text(text)
    qtbot.waitUntil(lambda: not view.rendering)


def _blocks(view: MarkdownView) -> list[tuple[str, int, bool]]:
    """The answer's blocks, in every page and the live document."""
    out = []
    for document in [*(page.document() for page in view.findChildren(AnswerPage)), view.document()]:
        block = document.begin()
        while block.isValid():
            fmt = block.blockFormat()
            if block.text():
                code = fmt.hasProperty(QTextFormat.Property.BlockCodeFence)
                out.append((block.text(), fmt.headingLevel(), code))
            block = block.next()
    return out


def test_streamed_in_small_pieces_renders_like_all_at_once(qtbot: QtBot) -> None:
    text = markdown_of_length(400)
    whole, pieces = MarkdownView(), MarkdownView()
    _at_once(qtbot, whole, text)
    for i in range(0, len(text), 7):
        pieces.append_text(text[i : i + 7])
    assert pieces.text == text
    assert _blocks(pieces) == _blocks(whole)
    headings = [b for b in _blocks(pieces) if b[1] == 2]
    code = [b for b in _blocks(pieces) if b[2]]
    assert headings and code and "**" not in pieces.toPlainText()


def test_raw_toggle_shows_the_source(qapp: QApplication) -> None:
    view = MarkdownView()
    view.append_text("# Title\n\nSome **bold**")
    view.set_raw(True)
    assert view.toPlainText() == "# Title\n\nSome **bold**"
    view.append_text(" more")
    view.set_raw(False)
    assert "**" not in view.toPlainText() and view.text.endswith("**bold** more")


def test_plain_words_appended_fast_still_match_a_full_render(qtbot: QtBot) -> None:
    text = "plain words, numbers 1.5 and (brackets) " * 200 + "then **bold** at the end\n\nNext para."
    whole, pieces = MarkdownView(), MarkdownView()
    _at_once(qtbot, whole, text)
    for i in range(0, len(text), 5):
        pieces.append_text(text[i : i + 5])
    qtbot.waitUntil(lambda: not pieces.rendering)  # the long paragraph's re-render: a later frame
    assert pieces.toPlainText() == whole.toPlainText() and "**" not in pieces.toPlainText()
    assert _blocks(pieces) == _blocks(whole)


def test_a_paragraph_that_stops_being_plain_and_the_next_one_still_render_right(qtbot: QtBot) -> None:
    # how much of the unfinished paragraph is plain is remembered between appends (not looked at
    # again each time): it must not outlive a markup character, nor the paragraph's end
    text = (
        "plain words " * 150
        + "then `code` and *stars* "
        + "plain again " * 150
        + "\n\n"
        + "second paragraph words " * 100
        + "with a [link](https://example.com) and **bold**\n\n"
        + "third, plain to the end " * 50
    )
    whole, pieces = MarkdownView(), MarkdownView()
    _at_once(qtbot, whole, text)
    for i in range(0, len(text), 6):
        pieces.append_text(text[i : i + 6])
    qtbot.waitUntil(lambda: not pieces.rendering)
    assert pieces.toPlainText() == whole.toPlainText()
    assert _blocks(pieces) == _blocks(whole)
    assert "`" not in pieces.toPlainText() and "**" not in pieces.toPlainText()


def test_raw_html_in_an_answer_is_shown_as_text_never_rendered(qapp: QApplication) -> None:
    """An answer is a server's text: a fake button, a hidden span or an image tag must read as text."""
    view = MarkdownView()
    view.append_text('Click <a href="http://evil.example">here</a> <img src="x.png"> **bold**\n\nnext')
    text = view.toPlainText()
    assert '<a href="http://evil.example">here</a>' in text and '<img src="x.png">' in text
    assert "bold" in text and "**bold**" not in text  # Markdown itself still renders
    assert 'href="http://evil.example"' not in view.toHtml()  # no live link, only its text


def test_a_streamed_table_is_built_once_when_its_blank_line_arrives(qapp: QApplication) -> None:
    """The tail shown is kept when only its blank line was missing: its table is not rebuilt (each
    rebuild costs a walk over every table of the answer), and the result reads as a full render."""
    from PySide6.QtGui import QTextTable

    table = "| key | value |\n|---|---|\n| a | 1 |"
    view, whole = MarkdownView(), MarkdownView()
    view.append_text("Intro\n\n" + table)
    first = [f for f in view.document().rootFrame().childFrames() if isinstance(f, QTextTable)]
    view.append_text("\n\nAfter the table, **bold**.")
    after = [f for f in view.document().rootFrame().childFrames() if isinstance(f, QTextTable)]
    assert len(first) == 1 and after == first
    whole.append_text(view.text)
    assert _blocks(view) == _blocks(whole) and "**" not in view.toPlainText()


@pytest.mark.parametrize(
    ("chunk", "plain"),
    [
        (' more words, (and) 1.5% of "quotes"? yes! a/b @x +y =z -w;', True),
        (" héllo wörld 中文 ünïcode", True),
        (" snake_case", False),  # emphasis in Markdown
        (" *stars*", False),
        (" `code`", False),
        (" [link]", False),
        (" # not a heading here, but a marker", False),
        (" a line\nbreak", False),
        (" an &amp; entity", False),
        (" <b>html</b>", False),
    ],
)
def test_words_that_render_as_themselves_are_added_without_a_render(
    qapp: QApplication, chunk: str, plain: bool
) -> None:
    view = MarkdownView()
    view.append_text("An unfinished paragraph of plain words")
    assert view._plain(chunk) is plain
