"""Word-level diff of two answers, so a user sees what differs without reading twice."""

from __future__ import annotations

import difflib
import re
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
