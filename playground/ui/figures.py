"""A pane's figures as compact chips (TTFT, speed, tokens, cost) and its badges as coloured pills.

Both widgets paint themselves and wrap to the pane's width. Each chip kind keeps one width, that of
the widest text its formatter can produce over the figures' whole range (tabular digits; long
counts and waits in a compact form), so the same figure lines up across panes and none is clipped.
``text()`` gives what the widget shows as one plain line (for screen readers and tests).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING

from PySide6 import QtGui  # the painter and metrics when a figures line is first drawn
from PySide6.QtCore import QEvent, QRectF, QSize, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QSizePolicy, QWidget

from playground.core.compare import PaneResult, PaneState
from playground.core.format import TINY, usd
from playground.core.servertext import MAX_COST_USD, MAX_TOKENS_FIGURE
from playground.core.settings import MAX_SECONDS
from playground.ui.theme import Colours

if TYPE_CHECKING:
    from PySide6.QtGui import QFontMetrics, QPaintEvent

GAP = 6
PAD_X = 7
PAD_Y = 2


@dataclass(frozen=True)
class Chip:
    """One figure: a quiet caption and its value (``caption`` may be empty)."""

    kind: str  # ttft | speed | tokens | cost | pill name (fastest, cheapest, longest)
    caption: str
    value: str

    @property
    def text(self) -> str:
        return f"{self.caption} {self.value}".strip()


def seconds_figure(value: float) -> str:
    """A TTFT: "0.42 s" up to "99.99 s", then whole seconds ("86400 s" at most, the longest an
    answer may be allowed): hundredths of a long wait are noise, and the chip keeps one width."""
    if value < 99.995:
        return f"{value:.2f} s"
    return f"{min(value, MAX_SECONDS):.0f} s"


def count_figure(value: float) -> str:
    """A token count or rate up to 99999 as it is; above, three figures and a unit ("250k", "1.5M",
    "1.0G"), so a server's largest plausible figure (a billion) still fits a narrow pane."""
    value = min(max(value, 0), MAX_TOKENS_FIGURE)
    if value < 100_000:
        return f"{value:.0f}"
    for size, unit in ((10**3, "k"), (10**6, "M"), (10**9, "G")):
        scaled = value / size
        if round(scaled, 1) < 100:
            return f"{scaled:.1f}{unit}"
        if round(scaled) < 1000 or unit == "G":
            return f"{scaled:.0f}{unit}"
    raise AssertionError("unreachable")  # the G branch always returns


def speed_figure(rate: float, *, live: bool) -> str:
    """A finished answer's speed with a decimal below 1000 tok/s; a live estimate rounded, marked ~."""
    if live:
        return f"~{count_figure(rate)} tok/s"
    return f"{rate:.1f} tok/s" if rate < 999.95 else f"{count_figure(rate)} tok/s"


def tokens_figure(prompt: int, completion: int, *, estimated: bool) -> str:
    mark = "~" if estimated else ""
    return f"{mark}{count_figure(prompt)} → {mark}{count_figure(completion)} tok"


def _sweep(high: float) -> list[float]:
    """Values at every edge where a figure's form changes (9, 99.995, 99950, 999500...), up to ``high``."""
    edges = (1.0, 0.999, 0.9994, 0.9995, 0.99949, 0.99951, 0.9999, 0.99999)
    values = {round(m * 10**e, 6) for e in range(-7, 13) for m in edges}
    return [*sorted(v for v in values if v <= high), high]


def _shapes(texts: list[str]) -> tuple[str, ...]:
    """One text per shape: digits are drawn tabular (one width each), so "12.3k" measures as "00.0k"."""
    return tuple(sorted({re.sub("[0-9]", "0", t) for t in texts}))


@cache
def widest() -> dict[str, tuple[str, ...]]:
    """Every shape each chip's text can take, from the formatters themselves over their whole range:
    a chip kind is drawn as wide as its widest, so no real figure is clipped and all line up. Worked
    out when a figures line is first measured, not while the window starts."""
    seconds = _sweep(MAX_SECONDS)
    counts = [int(v) for v in _sweep(MAX_TOKENS_FIGURE)]
    rates = _sweep(MAX_TOKENS_FIGURE)
    costs = [Decimal(str(v)) for v in _sweep(float(MAX_COST_USD))] + [TINY / 2, Decimal(0)]
    return {
        "ttft": _shapes([seconds_figure(v) for v in seconds]),  # drawn after its caption
        "speed": _shapes([speed_figure(r, live=live) for r in rates for live in (False, True)]),
        # each side is drawn alone, so the widest pair is the widest count on both sides
        "tokens": _shapes([f"~{c} → ~{c} tok" for c in _shapes([count_figure(n) for n in counts])]),
        "cost": _shapes([usd(c) for c in costs] + [COST_UNKNOWN, "-"]),
    }


COST_UNKNOWN = "cost unknown"
CAPTIONS = {"ttft": "TTFT"}


def result_chips(
    result: PaneResult, live: tuple[float | None, float | None], *, money: bool = True, speed: bool = True
) -> list[Chip]:
    """The chips for a pane's result. ``live``: TTFT and approximate speed while it streams."""
    chips: list[Chip] = []
    f, u = result.finished, result.usage
    ttft = f.ttft if f is not None else live[0]
    rate = f.tokens_per_second if f is not None else live[1]
    if speed and ttft is not None and math.isfinite(ttft):
        chips.append(Chip("ttft", CAPTIONS["ttft"], seconds_figure(ttft)))
    if speed and rate and math.isfinite(rate):
        chips.append(Chip("speed", "", speed_figure(rate, live=f is None)))
    if money and u is not None:
        tokens = tokens_figure(u.prompt_tokens or 0, u.completion_tokens or 0, estimated=u.estimated)
        chips.append(Chip("tokens", "", tokens))
        if u.cost is not None:
            chips.append(Chip("cost", "", usd(u.cost)))
        elif u.estimated:
            chips.append(Chip("cost", "", COST_UNKNOWN))
    return chips


def headline(result: PaneResult, state_words: str, *, blind: bool) -> str:
    """The line above the chips: the state, and (unless blind) who answered."""
    parts = [state_words]
    f = result.finished
    if f is not None and not blind:
        note = result.routing_note
        served = f.served_model or result.model
        provider = f.provider or _endpoint_of(result.model) or "unknown provider"
        parts.append(f"⚠ {note} via {provider}" if note else f"{served} via {provider}")
    if f is not None and f.finish_reason not in (None, "stop", "length"):
        parts.append(f"finish: {f.finish_reason}")
    if result.state is PaneState.STREAMING and f is None and not result.chunks:
        parts.append("connecting")
    return " · ".join(parts)


def _endpoint_of(model: str) -> str | None:
    from playground.core.modelref import endpoint_of  # the one parser of @name/model

    return endpoint_of(model)


_KIND_WIDTHS: dict[tuple[str, str], int] = {}  # (font, chip kind) -> its widest text's advance


def _drawn(metrics: QFontMetrics, caption: str, value: str) -> int:
    """How wide a chip's text is as painted: the caption and a space, then the value."""
    return (metrics.horizontalAdvance(caption + " ") if caption else 0) + metrics.horizontalAdvance(value)


class _ChipFlow(QWidget):
    """Rounded chips laid out left to right, wrapping to the width."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chips: list[Chip] = []
        # Worked out once per font / chips / width / palette, not on every layout query and paint:
        # the layout asks heightForWidth and the size hints several times per change.
        self._font_cache: tuple[QFont, QFontMetrics] | None = None
        self._widths_cache: list[int] | None = None
        self._rows_cache: dict[int, list[list[tuple[int, int]]]] = {}
        self._colours_cache: tuple[int, Colours] | None = None
        self._held_rows = 0  # rows kept while a new run's figures grow back into them (hold_height)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:  # a theme or zoom change: measure again
            self._font_cache = None
            self._forget_layout()
        super().changeEvent(event)

    def _forget_layout(self) -> None:
        self._widths_cache = None
        self._rows_cache.clear()

    def _metrics(self) -> tuple[QFont, QFontMetrics]:
        if self._font_cache is None:
            font = QFont(self.font())
            font.setPointSizeF(max(7.5, font.pointSizeF() * 0.92))
            font.setFeature(QFont.Tag("tnum"), 1)  # digits of one width: figures line up
            self._font_cache = (font, QtGui.QFontMetrics(font))
        return self._font_cache

    def _font(self) -> QFont:
        return self._metrics()[0]

    def _widths(self) -> list[int]:
        if self._widths_cache is not None:
            return self._widths_cache
        metrics = self._metrics()[1]
        out = []
        for chip in self.chips:
            width = _drawn(metrics, chip.caption, chip.value)
            if chip.kind in widest():
                width = max(width, self._kind_width(metrics, chip.kind))
            out.append(width + 2 * PAD_X)
        self._widths_cache = out
        return out

    def _kind_width(self, metrics: QFontMetrics, kind: str) -> int:
        key = (self._font().key(), kind)
        if key not in _KIND_WIDTHS:
            caption = CAPTIONS.get(kind, "")
            _KIND_WIDTHS[key] = max(_drawn(metrics, caption, text) for text in widest()[kind])
        return _KIND_WIDTHS[key]

    def _rows(self, width: int) -> list[list[tuple[int, int]]]:
        """(chip index, x) per row."""
        cached = self._rows_cache.get(width)
        if cached is not None:
            return cached
        if len(self._rows_cache) > 8:  # widths seen while a splitter is dragged: keep a few
            self._rows_cache.clear()
        self._rows_cache[width] = self._flow(width)
        return self._rows_cache[width]

    def _flow(self, width: int) -> list[list[tuple[int, int]]]:
        rows: list[list[tuple[int, int]]] = [[]]
        x = 0
        for index, chip_width in enumerate(self._widths()):
            if rows[-1] and x + chip_width > width:
                rows.append([])
                x = 0
            rows[-1].append((index, x))
            x += chip_width + GAP
        return rows if rows[0] else []

    def _row_height(self) -> int:
        return self._metrics()[1].height() + 2 * PAD_Y

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        rows = max(len(self._rows(width)), self._held_rows)
        return rows * self._row_height() + max(0, rows - 1) * 4

    def hold_height(self) -> None:
        """Keep the rows shown now, empty or not, until ``release_height()``: a pane sent again keeps
        its answer area where it was while the new figures fill the line (a line that collapsed at
        Send and grew back chip by chip moved the answer, and laid the pane out and repainted it,
        two or three times a run)."""
        self._held_rows = len(self._rows(self.width())) if not self.isHidden() else 0

    def release_height(self) -> None:
        """Back to the height the chips need (the pane's answer has ended or it was cleared)."""
        if not self._held_rows:
            return
        before = self.heightForWidth(self.width())
        self._held_rows = 0
        if self.heightForWidth(self.width()) != before:
            self.updateGeometry()
        if not self.chips:
            self.hide()

    def sizeHint(self) -> QSize:
        widths = self._widths()
        return QSize(sum(widths) + GAP * max(0, len(widths) - 1), self.heightForWidth(10_000))

    def minimumSizeHint(self) -> QSize:
        return QSize(max(self._widths(), default=0), self.heightForWidth(0))

    def set_chips(self, chips: list[Chip]) -> None:
        if chips == self.chips:
            return
        relaid = [c.kind for c in chips] != [c.kind for c in self.chips] or self._widths_cache is None
        self.chips = chips
        old_widths, old_rows = self._widths_cache, dict(self._rows_cache)
        self._forget_layout()
        shown = bool(chips) or self._held_rows > 0
        if self.isHidden() == shown:
            self.setVisible(shown)
        # A new value of a fixed-width kind (speed, tokens...) keeps every chip's width and place:
        # only a repaint, no layout pass.
        if relaid or self._widths() != old_widths:
            self.updateGeometry()
        else:
            self._rows_cache = old_rows
        self.update()

    def _colours(self, chip: Chip, colours: Colours) -> tuple[object, object, object]:
        """Background, caption colour, value colour."""
        if chip.kind in colours.badges:
            fg, bg = colours.badges[chip.kind]
            return bg, fg, fg
        return colours.chip, colours.secondary, colours.text

    def chip_rects(self) -> list[QRectF]:
        """Where each chip is drawn at the widget's width, in ``chips`` order."""
        widths, height = self._widths(), self._row_height()
        rects = [QRectF()] * len(self.chips)
        for row_number, row in enumerate(self._rows(self.width())):
            for index, x in row:
                rects[index] = QRectF(x, row_number * (height + 4), widths[index], height)
        return rects

    def _palette_colours(self) -> Colours:
        palette = self.palette()
        key = palette.cacheKey()  # changes whenever the palette (the theme) does
        if self._colours_cache is None or self._colours_cache[0] != key:
            self._colours_cache = (key, Colours.of(palette))
        return self._colours_cache[1]

    def paintEvent(self, _event: QPaintEvent) -> None:
        colours = self._palette_colours()
        painter = QtGui.QPainter(self)
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        font, metrics = self._metrics()
        painter.setFont(font)
        for chip, rect in zip(self.chips, self.chip_rects(), strict=True):
            background, caption_colour, value_colour = self._colours(chip, colours)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(background)
            painter.drawRoundedRect(rect, rect.height() / 2, rect.height() / 2)
            text_x = rect.x() + PAD_X
            baseline = rect.y() + PAD_Y + metrics.ascent()
            if chip.caption:
                painter.setPen(caption_colour)
                painter.drawText(int(text_x), int(baseline), chip.caption + " ")
                text_x += metrics.horizontalAdvance(chip.caption + " ")
            painter.setPen(value_colour)
            painter.drawText(int(text_x), int(baseline), chip.value)
        painter.end()


class FiguresBar(_ChipFlow):
    """The figure chips; ``text()`` is the pane's whole figures line, as words."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self.setObjectName("statsLabel")
        self.setAccessibleName("Figures")

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:
        if text == self._text:
            return
        self._text = text
        self.setAccessibleDescription(text)


class BadgePills(_ChipFlow):
    """Fastest / cheapest / longest as coloured pills next to the model's name."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("badgeLabel")
        self.setAccessibleName("Badges")

    def text(self) -> str:
        return "  ".join(chip.text for chip in self.chips)

    def set_badges(self, badges: list[str]) -> None:
        chips = []
        for badge in badges:
            kind = next((k for k in ("fastest", "cheapest", "longest") if k in badge), "")
            chips.append(Chip(kind, "", badge))
        self.set_chips(chips)
        self.setAccessibleDescription(self.text())
