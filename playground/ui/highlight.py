"""Code highlighting for answers: Pygments picks the lexer by the fence's language.

Token colours come from a light or a dark Pygments style, then each is nudged until it reads at
WCAG AA (4.5:1) on the code block's background - a style's faint comment grey would not.
Pygments is imported on the first code block, not at start-up.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from PySide6 import QtGui  # text classes on first use: PySide6 makes each (and its enums) when first reached
from PySide6.QtGui import QColor, QFont

from playground.ui.theme import readable

if TYPE_CHECKING:
    from pygments.lexer import Lexer

LIGHT_STYLE = "default"
DARK_STYLE = "github-dark"
MAX_HIGHLIGHTED = 20_000  # characters; beyond this a block is shown plain (lexing cost per frame)


@lru_cache(maxsize=64)
def _lexer(language: str) -> Lexer | None:
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    name = language.strip().lower().split()[0] if language.strip() else ""
    if not name:
        return None
    try:
        return get_lexer_by_name(name, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


@lru_cache(maxsize=8)
def _style_formats(dark: bool, background: str) -> dict[object, tuple[str | None, bool, bool]]:
    """Token type -> (colour that reads on ``background``, bold, italic) for the theme's style."""
    from pygments.styles import get_style_by_name

    style = get_style_by_name(DARK_STYLE if dark else LIGHT_STYLE)
    bg = QColor(background)
    formats: dict[object, tuple[str | None, bool, bool]] = {}
    for token, spec in style:
        colour = readable(QColor(f"#{spec['color']}"), bg).name() if spec["color"] else None
        formats[token] = (colour, bool(spec["bold"]), bool(spec["italic"]))
    return formats


def highlight(
    code: str, language: str, base: QtGui.QTextCharFormat, dark: bool, background: QColor
) -> list[tuple[str, QtGui.QTextCharFormat]]:
    """``code`` split into runs, each with its character format (``base`` plus the token's colour)."""
    lexer = _lexer(language) if len(code) <= MAX_HIGHLIGHTED else None
    if lexer is None:
        return [(code, base)]
    formats = _style_formats(dark, background.name())
    runs: list[tuple[str, QtGui.QTextCharFormat]] = []
    for token, text in lexer.get_tokens(code):
        while token not in formats and token.parent is not None:
            token = token.parent
        colour, bold, italic = formats.get(token, (None, False, False))
        fmt = QtGui.QTextCharFormat(base)
        if colour:
            fmt.setForeground(QColor(colour))
        if bold:
            fmt.setFontWeight(QFont.Weight.Bold)
        if italic:
            fmt.setFontItalic(True)
        runs.append((text, fmt))
    return runs
