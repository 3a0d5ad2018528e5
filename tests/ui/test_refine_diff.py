"""The answers' diff is readable in both themes: the colours Qt actually draws reach WCAG AA."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette, QTextCursor
from PySide6.QtWidgets import QApplication

from playground.core.textdiff import DIFF_COLOURS, contrast_ratio
from playground.ui.dialogs import DiffDialog

ANSWERS = [
    ("model/a", "Caching stores responses so the server answers faster."),
    ("model/b", "Caching keeps copies so a server replies quicker."),
]


def _drawn_pairs(dialog: DiffDialog) -> list[tuple[str, QColor, QColor]]:
    """(text, foreground, background) of every highlighted run of text in the rendered view."""
    document = dialog.view.document()
    pairs = []
    block = document.begin()
    while block.isValid():
        iterator = block.begin()
        while not iterator.atEnd():
            fragment = iterator.fragment()
            fmt = fragment.charFormat()
            if fmt.background().style().value != 0:  # a highlighted (added or removed) word
                pairs.append((fragment.text(), fmt.foreground().color(), fmt.background().color()))
            iterator += 1
        block = block.next()
    assert QTextCursor(document).position() == 0
    return pairs


def _hex(colour: QColor) -> str:
    assert colour.alpha() == 255, f"{colour.name(QColor.NameFormat.HexArgb)} is see-through"
    return colour.name()


def _assert_readable(dialog: DiffDialog) -> None:
    pairs = _drawn_pairs(dialog)
    assert len(pairs) >= 2  # some words were added and some removed
    for text, foreground, background in pairs:
        ratio = contrast_ratio(_hex(foreground), _hex(background))
        assert ratio >= 4.5, f"{text!r}: {foreground.name()} on {background.name()} is {ratio:.1f}:1"


def _dark() -> QPalette:
    palette = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Base, "#1e1f22"),
        (QPalette.ColorRole.Window, "#2b2d30"),
        (QPalette.ColorRole.Text, "#e6e6e6"),
        (QPalette.ColorRole.WindowText, "#e6e6e6"),
    ):
        palette.setColor(role, QColor(colour))
    return palette


def test_diff_colours_read_at_aa_in_light_and_after_switching_to_dark(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = DiffDialog(ANSWERS)
    qtbot.addWidget(dialog)
    _assert_readable(dialog)
    light = {c.name() for _t, fg, bg in _drawn_pairs(dialog) for c in (fg, bg)}
    dialog.setPalette(_dark())  # what a theme switch does to an open dialog
    _assert_readable(dialog)
    dark = {c.name() for _t, fg, bg in _drawn_pairs(dialog) for c in (fg, bg)}
    assert light.isdisjoint(dark)  # the colours were chosen again for the dark background
    assert QApplication.instance() is not None


def test_every_theme_pair_passes_aa() -> None:
    assert round(contrast_ratio("#000000", "#ffffff"), 1) == 21.0
    for colours in DIFF_COLOURS.values():
        assert contrast_ratio(colours.added_text, colours.added_background) >= 4.5
        assert contrast_ratio(colours.removed_text, colours.removed_background) >= 4.5
