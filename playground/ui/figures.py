"""A pane's figures as compact chips (TTFT, speed, tokens, cost) and its badges as coloured pills.

Both widgets paint themselves and wrap to the pane's width. Each chip kind keeps one width, sized
for its widest usual value with tabular digits, so the same figure lines up across panes.
``text()`` gives what the widget shows as one plain line (for screen readers and tests).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from playground.core.compare import PaneResult, PaneState
from playground.core.format import usd
from playground.ui.theme import Colours

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


WIDEST = {"ttft": "TTFT 00.00 s", "speed": "000.0 tok/s", "tokens": "0000 → 0000 tok", "cost": "$0.000000"}


def result_chips(result: PaneResult, live: tuple[float | None, float | None], *, money: bool = True,
                 speed: bool = True) -> list[Chip]:
    """The chips for a pane's result. ``live``: TTFT and approximate speed while it streams."""
    chips: list[Chip] = []
    f, u = result.finished, result.usage
    ttft = f.ttft if f is not None else live[0]
    rate = f.tokens_per_second if f is not None else live[1]
    if speed and ttft is not None:
        chips.append(Chip("ttft", "TTFT", f"{ttft:.2f} s"))
    if speed and rate:
        mark = "~" if f is None else ""
        chips.append(Chip("speed", "", f"{mark}{rate:.1f} tok/s" if f else f"{mark}{rate:.0f} tok/s"))
    if money and u is not None:
        mark = "~" if u.estimated else ""
        chips.append(
            Chip("tokens", "", f"{mark}{u.prompt_tokens or 0} → {mark}{u.completion_tokens or 0} tok")
        )
        if u.cost is not None:
            chips.append(Chip("cost", "", usd(u.cost)))
        elif u.estimated:
            chips.append(Chip("cost", "", "cost unknown"))
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


class _ChipFlow(QWidget):
    """Rounded chips laid out left to right, wrapping to the width."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chips: list[Chip] = []
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def _font(self) -> QFont:
        font = QFont(self.font())
        font.setPointSizeF(max(7.5, font.pointSizeF() * 0.92))
        font.setFeature(QFont.Tag("tnum"), 1)  # digits of one width: figures line up
        return font

    def _widths(self) -> list[int]:
        metrics = QFontMetrics(self._font())
        out = []
        for chip in self.chips:
            width = metrics.horizontalAdvance(chip.text)
            if chip.kind in WIDEST:
                width = max(width, metrics.horizontalAdvance(WIDEST[chip.kind]))
            out.append(width + 2 * PAD_X)
        return out

    def _rows(self, width: int) -> list[list[tuple[int, int]]]:
        """(chip index, x) per row."""
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
        return QFontMetrics(self._font()).height() + 2 * PAD_Y

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        rows = len(self._rows(width))
        return rows * self._row_height() + max(0, rows - 1) * 4

    def sizeHint(self) -> QSize:
        widths = self._widths()
        return QSize(sum(widths) + GAP * max(0, len(widths) - 1), self.heightForWidth(10_000))

    def minimumSizeHint(self) -> QSize:
        return QSize(max(self._widths(), default=0), self.heightForWidth(0))

    def set_chips(self, chips: list[Chip]) -> None:
        if chips == self.chips:
            return
        self.chips = chips
        self.setVisible(bool(chips))
        self.updateGeometry()
        self.update()

    def _colours(self, chip: Chip, colours: Colours) -> tuple[object, object, object]:
        """Background, caption colour, value colour."""
        if chip.kind in colours.badges:
            fg, bg = colours.badges[chip.kind]
            return bg, fg, fg
        return colours.chip, colours.secondary, colours.text

    def paintEvent(self, _event: QPaintEvent) -> None:
        colours = Colours.of(self.palette())
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setFont(self._font())
        metrics = QFontMetrics(self._font())
        widths, height = self._widths(), self._row_height()
        for row_number, row in enumerate(self._rows(self.width())):
            y = row_number * (height + 4)
            for index, x in row:
                chip = self.chips[index]
                background, caption_colour, value_colour = self._colours(chip, colours)
                rect = QRectF(x, y, widths[index], height)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(background)
                painter.drawRoundedRect(rect, height / 2, height / 2)
                text_x = x + PAD_X
                baseline = y + PAD_Y + metrics.ascent()
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
