"""Light and dark palettes (Fusion) for when the user overrides the system's, plus the style sheet."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

THEMES = ("system", "light", "dark")

STYLE = """
QFrame#responsePane { border: 1px solid palette(mid); border-radius: 8px; background: palette(base); }
QFrame#responsePane[state="failed"] { border: 1px solid #d1242f; }
QFrame#responsePane[state="truncated"] { border: 1px dashed #bf8700; }
QFrame#responsePane[state="stopped"] { border: 1px dashed palette(mid); }
QFrame#responsePane[state="done"] { border: 1px solid palette(dark); }
QLabel#statsLabel, QLabel#noteLabel, QLabel#badgeLabel { color: palette(placeholder-text); font-size: 11px; }
QLabel#errorLabel { background: rgba(209, 36, 47, 0.12); border-radius: 6px; padding: 6px; }
QLabel#detailsLabel { font-size: 11px; color: palette(placeholder-text); }
QLabel#demoBanner { background: #8250df; color: white; padding: 6px 10px; font-weight: 600; }
QLabel#alertBanner { background: #bf8700; color: white; padding: 6px 10px; font-weight: 600; }
QLabel#costLabel[alert="true"] { color: #cf222e; font-weight: 600; }
QLabel#costLabel { color: palette(placeholder-text); }
QTextBrowser#outputView { border: none; background: transparent; }
QPushButton#sendButton { font-weight: 600; padding: 6px 18px; }
"""


def apply_theme(app: QApplication, theme: str, system_palette: QPalette) -> None:
    """Apply a theme; "system" restores the palette the platform gave us.

    The style sheet is set last: its palette() colours are resolved when it is applied.
    """
    if theme == "dark":
        app.setStyle("Fusion")
        app.setPalette(dark_palette())
    elif theme == "light":
        app.setStyle("Fusion")
        app.setPalette(app.style().standardPalette())
    else:
        app.setPalette(system_palette)
    app.setStyleSheet("")
    app.setStyleSheet(STYLE)


def dark_palette() -> QPalette:
    palette = QPalette()
    colours = {
        QPalette.ColorRole.Window: "#1f2328",
        QPalette.ColorRole.WindowText: "#e6edf3",
        QPalette.ColorRole.Base: "#161b22",
        QPalette.ColorRole.AlternateBase: "#21262d",
        QPalette.ColorRole.Text: "#e6edf3",
        QPalette.ColorRole.Button: "#2d333b",
        QPalette.ColorRole.ButtonText: "#e6edf3",
        QPalette.ColorRole.Highlight: "#388bfd",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.ToolTipBase: "#2d333b",
        QPalette.ColorRole.ToolTipText: "#e6edf3",
        QPalette.ColorRole.PlaceholderText: "#8b949e",
        QPalette.ColorRole.Link: "#58a6ff",
        QPalette.ColorRole.Mid: "#444c56",
        QPalette.ColorRole.Dark: "#545d68",
    }
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6e7681"))
    return palette
