"""Light and dark palettes (Fusion) for when the user overrides the system's, plus the style sheet.

The style sheet is built from the palette in use, so every colour it adds (secondary text, chips,
badges, the focus ring, code blocks) is chosen against that palette's own background and reads at
WCAG AA (4.5:1 for text, 3:1 for the focus ring) in the light, the dark and the system theme.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

THEMES = ("system", "light", "dark")
TEXT_RATIO = 4.5  # WCAG AA, normal text
UI_RATIO = 3.0  # WCAG non-text contrast: focus ring, borders that carry meaning


def luminance(colour: QColor) -> float:
    """WCAG relative luminance."""

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = channel(colour.redF()), channel(colour.greenF()), channel(colour.blueF())
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio of two opaque colours (1 to 21)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def mix(a: QColor, b: QColor, amount: float) -> QColor:
    """``a`` moved ``amount`` (0..1) of the way towards ``b``."""
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * amount,
        a.greenF() + (b.greenF() - a.greenF()) * amount,
        a.blueF() + (b.blueF() - a.blueF()) * amount,
    )


def readable(colour: QColor, background: QColor, ratio: float = TEXT_RATIO) -> QColor:
    """``colour``, darkened or lightened just enough to reach ``ratio`` against ``background``."""
    if contrast(colour, background) >= ratio:
        return colour
    target = QColor("#000000") if luminance(background) > 0.18 else QColor("#ffffff")
    for step in range(1, 21):
        candidate = mix(colour, target, step / 20)
        if contrast(candidate, background) >= ratio:
            return candidate
    return target


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


@dataclass(frozen=True)
class Colours:
    """Every colour the window adds to the palette, derived from it."""

    text: QColor
    base: QColor
    window: QColor
    secondary: QColor  # figures, notes, placeholders: quieter than text, still 4.5:1
    border: QColor
    chip: QColor  # background of a figure chip
    code_bg: QColor
    code_header: QColor
    focus: QColor
    accent: QColor
    on_accent: QColor
    danger: QColor
    danger_bg: QColor
    warning: QColor
    badges: dict[str, tuple[QColor, QColor]]  # name -> (text, background)

    @classmethod
    def of(cls, palette: QPalette) -> Colours:
        role = QPalette.ColorRole
        text, base, window = palette.color(role.Text), palette.color(role.Base), palette.color(role.Window)
        dark = is_dark(palette)
        code_bg = mix(base, text, 0.09 if dark else 0.045)
        chip = mix(base, text, 0.08 if dark else 0.05)
        accent = QColor("#2f81f7" if dark else "#0969da")
        danger_bg = mix(base, QColor("#f85149" if dark else "#cf222e"), 0.16 if dark else 0.09)
        badges = {}
        for name, hue in (("fastest", "#1a7f37"), ("cheapest", "#0969da"), ("longest", "#8250df")):
            bg = mix(base, QColor(hue), 0.22 if dark else 0.12)
            badges[name] = (readable(QColor(hue), bg), bg)
        secondary_bg = min((base, window, chip, code_bg), key=lambda c: contrast(c, mix(text, base, 0.4)))
        return cls(
            text=text,
            base=base,
            window=window,
            secondary=readable(mix(text, base, 0.4), secondary_bg),
            border=mix(base, text, 0.25 if dark else 0.22),
            chip=chip,
            code_bg=code_bg,
            code_header=mix(code_bg, text, 0.06),
            focus=readable(accent, window, UI_RATIO),
            accent=readable(accent, QColor("#ffffff")),
            on_accent=QColor("#ffffff"),
            danger=readable(QColor("#cf222e"), danger_bg),
            danger_bg=danger_bg,
            warning=readable(QColor("#9a6700"), base),
            badges=badges,
        )


STYLE = """
QFrame#responsePane {{ border: 1px solid {border}; border-radius: 8px; background: {base}; }}
QFrame#responsePane[state="failed"] {{ border: 1px solid {danger}; }}
QFrame#responsePane[state="truncated"] {{ border: 1px dashed {warning}; }}
QFrame#responsePane[state="stopped"] {{ border: 1px dashed {border}; }}
QComboBox#modelSelector[unknown="true"] {{ border: 2px solid {danger}; border-radius: 4px;
    padding: 2px 4px; }}
QLabel#noteLabel, QLabel#detailsLabel, QLabel#headlineLabel {{ color: {secondary}; }}
QLabel#errorLabel {{ background: {danger_bg}; color: {text}; border-radius: 6px; padding: 6px; }}
QLabel[tone="error"] {{ background: {danger_bg}; color: {text}; border-left: 3px solid {danger};
    border-radius: 4px; padding: 4px 6px; }}
QLabel#demoBanner {{ background: #6639ba; color: white; padding: 6px 10px; font-weight: 600; }}
QLabel#alertBanner {{ background: #7d4e00; color: white; padding: 6px 10px; font-weight: 600; }}
QLabel#costLabel {{ color: {secondary}; }}
QLabel#costLabel[alert="true"] {{ color: {danger}; font-weight: 600; }}
QLabel#moreLabel {{ color: {secondary}; }}
QTextBrowser#outputView {{ border: none; background: {base}; }}
QPushButton {{ padding: 5px 12px; border: 1px solid {border}; border-radius: 6px; background: {button};
    color: {button_text}; }}
QPushButton:hover {{ background: {button_hover}; }}
QPushButton:checked {{ background: {chip}; border: 1px solid {accent}; }}
QPushButton:disabled {{ color: {disabled}; background: {window}; }}
QPushButton:focus {{ border: 2px solid {focus}; padding: 4px 11px; }}
QPushButton#sendButton {{ background: {accent}; color: {on_accent}; border: 1px solid {accent};
    font-weight: 600; padding: 5px 20px; }}
QPushButton#sendButton:disabled {{ background: {chip}; color: {disabled}; border: 1px solid {border}; }}
QPushButton#sendButton:focus {{ border: 2px solid {focus_on_accent}; padding: 4px 19px; }}
QToolButton {{ padding: 2px 4px; border: 1px solid transparent; border-radius: 4px; }}
QToolButton:hover {{ border: 1px solid {border}; }}
QToolButton:focus {{ border: 2px solid {focus}; padding: 1px 3px; }}
QToolButton:disabled {{ color: {disabled}; }}
QToolButton#paneMenuButton::menu-indicator {{ image: none; width: 0; }}
QLineEdit {{ border: 1px solid {field_border}; border-radius: 4px; padding: 2px 4px; background: {base}; }}
QLineEdit:focus {{ border: 2px solid {focus}; padding: 1px 3px; }}
QLineEdit:disabled {{ border: 1px solid {border}; color: {disabled}; }}
QComboBox QLineEdit, QAbstractSpinBox QLineEdit {{ border: none; padding: 0;
    background: transparent; }}
QCheckBox::indicator {{ width: 14px; height: 14px; border: 1px solid {scroll_strong}; border-radius: 3px;
    background: {base}; }}
QCheckBox::indicator:checked {{ background: {accent}; border: 1px solid {accent};
    image: url({check}); }}
QCheckBox::indicator:focus {{ border: 2px solid {focus}; }}
QScrollBar:vertical {{ background: transparent; width: 12px; margin: 0; }}
QScrollBar:horizontal {{ background: transparent; height: 12px; margin: 0; }}
QScrollBar::handle:vertical {{ background: {scroll}; border-radius: 4px; min-height: 28px; margin: 2px; }}
QScrollBar::handle:horizontal {{ background: {scroll}; border-radius: 4px; min-width: 28px; margin: 2px; }}
QScrollBar::handle:hover {{ background: {secondary}; }}
QScrollBar::add-line, QScrollBar::sub-line {{ width: 0; height: 0; }}
QScrollBar::add-page, QScrollBar::sub-page {{ background: none; }}
"""


# Dark theme only: Fusion draws the edge of spin and combo boxes from the window colour made darker,
# which on a dark window is no edge at all. A style sheet that gives them a border takes over their
# whole drawing, so the buttons and arrows are styled here too (else the arrows are lost).
DARK_FIELDS = """
QComboBox, QAbstractSpinBox {{ border: 1px solid {field_border}; border-radius: 4px; padding: 2px 4px;
    background: {base}; color: {text}; }}
QComboBox:focus, QAbstractSpinBox:focus {{ border: 2px solid {focus}; padding: 1px 3px; }}
QComboBox:disabled, QAbstractSpinBox:disabled {{ border: 1px solid {border}; color: {disabled}; }}
QComboBox:!editable {{ background: {button}; }}
QComboBox::drop-down {{ subcontrol-origin: padding; subcontrol-position: center right; width: 18px;
    border: none; }}
QComboBox::down-arrow {{ image: url({arrow_down}); width: 10px; height: 10px; }}
QAbstractSpinBox {{ padding-right: 18px; }}
QAbstractSpinBox:focus {{ padding-right: 17px; }}
QAbstractSpinBox::up-button {{ subcontrol-origin: border; subcontrol-position: top right; width: 18px;
    border: none; }}
QAbstractSpinBox::down-button {{ subcontrol-origin: border; subcontrol-position: bottom right; width: 18px;
    border: none; }}
QAbstractSpinBox::up-button:hover, QAbstractSpinBox::down-button:hover {{ background: {button_hover}; }}
QAbstractSpinBox::up-arrow {{ image: url({arrow_up}); width: 9px; height: 9px; }}
QAbstractSpinBox::down-arrow {{ image: url({arrow_down}); width: 9px; height: 9px; }}
QAbstractSpinBox::up-arrow:disabled, QAbstractSpinBox::up-arrow:off {{ image: url({arrow_up_off}); }}
QAbstractSpinBox::down-arrow:disabled, QAbstractSpinBox::down-arrow:off {{ image: url({arrow_down_off}); }}
QComboBox::down-arrow:disabled {{ image: url({arrow_down_off}); }}
"""


# The tick drawn on a checked box (a style sheet that styles the box must draw the tick too).
def _check_mark() -> str:
    return _icon("check.svg")


def _icon(name: str) -> str:
    return icon_file(name).as_posix()


def icon_file(name: str) -> Path:
    """One of the app's icons: ``resources/`` is installed as the ``playground.resources`` package (a
    folder beside ``playground/ui``); an editable install leaves it in the repository's ``resources/``.
    Looked up on disk rather than with importlib.resources, which is not loaded before the first frame."""
    package = Path(__file__).resolve().parents[1]
    installed = package / "resources" / "icons" / name
    return installed if installed.is_file() else package.parent / "resources" / "icons" / name


def field_border(c: Colours) -> QColor:
    """The edge of a text field or check box: 3:1 against the window (WCAG 1.4.11), in both themes."""
    return readable(mix(c.base, c.text, 0.45), c.window, UI_RATIO)


def style_sheet(palette: QPalette) -> str:
    """The application style sheet for ``palette``."""
    c = Colours.of(palette)
    role = QPalette.ColorRole
    button = palette.color(role.Button)
    disabled = readable(mix(c.text, c.window, 0.5), c.window, 3.0)  # WCAG exempts disabled controls
    sheet = STYLE + (DARK_FIELDS if is_dark(palette) else "")
    return sheet.format(
        border=c.border.name(),
        base=c.base.name(),
        window=c.window.name(),
        text=c.text.name(),
        danger=c.danger.name(),
        danger_bg=c.danger_bg.name(),
        warning=c.warning.name(),
        secondary=c.secondary.name(),
        chip=c.chip.name(),
        accent=c.accent.name(),
        on_accent=c.on_accent.name(),
        focus=c.focus.name(),
        focus_on_accent=readable(c.focus, c.accent, UI_RATIO).name(),
        button=button.name(),
        button_hover=mix(button, c.text, 0.06).name(),
        button_text=palette.color(role.ButtonText).name(),
        disabled=disabled.name(),
        scroll=mix(c.base, c.text, 0.35).name(),
        scroll_strong=field_border(c).name(),
        field_border=field_border(c).name(),
        check=_check_mark(),
        arrow_up=_icon("arrow-up.svg"),
        arrow_down=_icon("arrow-down.svg"),
        arrow_up_off=_icon("arrow-up-off.svg"),
        arrow_down_off=_icon("arrow-down-off.svg"),
    )


def apply_theme(app: QApplication, theme: str, system_palette: QPalette) -> None:
    """Apply a theme; "system" restores the palette the platform gave us.

    The style sheet is set last, built from the palette now in use.
    """
    if theme == "dark":
        app.setStyle("Fusion")
        app.setPalette(dark_palette())
    elif theme == "light":
        app.setStyle("Fusion")
        app.setPalette(light_palette(app))
    else:
        app.setPalette(system_palette)
    app.setStyleSheet("")
    app.setStyleSheet(style_sheet(app.palette()))


def light_palette(app: QApplication) -> QPalette:
    """Fusion's light palette with placeholder text dark enough to read (its grey is 3.9:1)."""
    palette = app.style().standardPalette()
    base = palette.color(QPalette.ColorRole.Base)
    placeholder = readable(palette.color(QPalette.ColorRole.PlaceholderText), base)
    palette.setColor(QPalette.ColorRole.PlaceholderText, placeholder)
    return palette


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
        QPalette.ColorRole.Light: "#545d68",
        QPalette.ColorRole.Midlight: "#3d444d",
        QPalette.ColorRole.Mid: "#444c56",
        QPalette.ColorRole.Dark: "#545d68",
        QPalette.ColorRole.Shadow: "#010409",
    }
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7d8590"))
    return palette
