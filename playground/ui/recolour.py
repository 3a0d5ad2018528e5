"""RecolourMixin: a view that draws in colours derived from its palette, redrawn only for a real change.

Qt sends every widget a palette change each time the application's style sheet is set, even to the
same colours: a theme is applied in two steps (no sheet, then the theme's), and another window
applying the same theme sends two more. A view whose redraw is costly (a long answer rendered again
from its source) looks once those have settled, at the next turn of the event loop, and redraws
only when the colours it uses did change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QTimer

from playground.ui.theme import Colours

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    _WidgetBase = QWidget
else:
    _WidgetBase = object  # mixed into a Qt widget class, before it


class RecolourMixin(_WidgetBase):
    """Keeps ``_colours`` (the palette's colours) and calls ``_recoloured()`` when they change."""

    _colours: Colours
    _palette_settling = False  # a look at the colours is due at the next turn of the event loop

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and not self._palette_settling:
            self._palette_settling = True
            QTimer.singleShot(0, self, self._palette_settled)

    def _palette_settled(self) -> None:
        self._palette_settling = False
        colours = Colours.of(self.palette())
        if colours != self._colours:
            self._colours = colours
            self._recoloured()

    def _recoloured(self) -> None:
        """The colours changed: draw again in them."""
