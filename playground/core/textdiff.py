"""Word-level diff of two answers, so a user sees what differs without reading twice."""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

_WORDS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class DiffPiece:
    kind: Literal["same", "added", "removed"]
    text: str


def word_diff(left: str, right: str) -> list[DiffPiece]:
    """Pieces that rebuild ``left`` from same+removed and ``right`` from same+added."""
    a, b = _WORDS.findall(left), _WORDS.findall(right)
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    pieces: list[DiffPiece] = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(DiffPiece("same", "".join(a[a1:a2])))
            continue
        if a2 > a1:
            pieces.append(DiffPiece("removed", "".join(a[a1:a2])))
        if b2 > b1:
            pieces.append(DiffPiece("added", "".join(b[b1:b2])))
    return pieces


def similarity(left: str, right: str) -> float:
    """Share of words (not spaces) the two texts have in common, 0..1."""
    a, b = left.split(), right.split()
    return difflib.SequenceMatcher(a=a, b=b, autojunk=False).ratio()


@dataclass(frozen=True)
class DiffColours:
    """Text and background of added and removed words, as opaque ``#RRGGBB`` (Qt reads eight hex
    digits as ``#AARRGGBB``, so a CSS-style ``#RRGGBBAA`` would come out as another colour)."""

    added_text: str
    added_background: str
    removed_text: str
    removed_background: str


# Chosen per theme so each pair reads at WCAG AA (4.5:1 or more); tests check the ratios.
DIFF_COLOURS = {
    "light": DiffColours("#0f5323", "#d7f5dd", "#86061d", "#ffe4e1"),
    "dark": DiffColours("#b4f1be", "#0f3d1c", "#ffd8d3", "#5c1119"),
}


def diff_colours(dark: bool) -> DiffColours:
    return DIFF_COLOURS["dark" if dark else "light"]


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2 contrast ratio of two opaque ``#RRGGBB`` colours, from 1 to 21."""
    high, low = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _luminance(colour: str) -> float:
    digits = colour.lstrip("#")
    if len(digits) != 6:
        raise ValueError(f"expected #RRGGBB, got {colour!r}")
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def field_changes(old: Mapping[str, str], new: Mapping[str, str]) -> list[tuple[str, list[DiffPiece]]]:
    """For each named field that differs (in order of first appearance), its words' diff."""
    names = dict.fromkeys([*old, *new])
    return [
        (name, word_diff(old.get(name, ""), new.get(name, "")))
        for name in names
        if old.get(name, "") != new.get(name, "")
    ]


def pieces_html(pieces: list[DiffPiece], *, dark: bool = False) -> str:
    """The pieces as escaped HTML: added words marked, removed ones struck through, in AA colours."""
    colours = diff_colours(dark)
    styles = {
        "added": f"background:{colours.added_background};color:{colours.added_text}",
        "removed": f"background:{colours.removed_background};color:{colours.removed_text};"
        "text-decoration:line-through",
    }
    parts = []
    for piece in pieces:
        text = html.escape(piece.text).replace("\n", "<br>")
        parts.append(text if piece.kind == "same" else f'<span style="{styles[piece.kind]}">{text}</span>')
    return "".join(parts)
