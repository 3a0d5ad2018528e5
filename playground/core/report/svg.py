"""The charts as hand-written SVG: inline in the HTML report, rendered by QtSvg in the window.

Only presentation attributes are used (no CSS, no scripts, no external fonts) so that a browser, a
printer and Qt's SVG Tiny renderer all draw the same picture. ``point_positions`` gives where each
model's point lands, so the window can tell which point a click hit.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

from playground.core.redact import redact
from playground.core.report.charts import CostQualityChart, SpeedChart, SpendChart

WIDTH, HEIGHT = 640, 360
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 58, 56


@dataclass(frozen=True)
class Palette:
    background: str
    text: str
    grid: str
    front: str
    alert: str
    series: tuple[str, ...]


# Okabe-Ito colours: told apart by people with any common colour-vision deficiency.
LIGHT = Palette(
    "#ffffff",
    "#1f2328",
    "#d8dee4",
    "#cf222e",
    "#cf222e",
    ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#8c8c8c", "#F0E442"),
)
DARK = Palette(
    "#1e1f22",
    "#e6edf3",
    "#3d444d",
    "#ff7b72",
    "#ff7b72",
    ("#56B4E9", "#E69F00", "#009E73", "#CC79A7", "#0072B2", "#D55E00", "#b0b0b0", "#F0E442"),
)


def _t(text: str) -> str:
    return html.escape(redact(text))


def short(model: str) -> str:
    """A model's name without its vendor prefix, for labels (the table has the full id)."""
    name = model.rsplit("/", 1)[-1]
    return name if len(name) <= 22 else name[:21] + "…"


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering low..high (1, 2 or 5 times a power of ten apart)."""
    if high <= low:
        high = low + 1.0
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    return [first + i * step for i in range(math.ceil((high - first) / step) + 1)]


def _label(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) < 1e-6:
        return f"{value:.1e}"
    if abs(value) < 1:
        return f"{value:.7f}".rstrip("0").rstrip(".")  # costs: 0.002, never 2e-3
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


class _Canvas:
    """Plot area helpers: value -> pixel on each axis, and the SVG pieces collected in order."""

    def __init__(self, title: str, palette: Palette, x: tuple[float, float], y: tuple[float, float]) -> None:
        self.palette, self.x_range, self.y_range = palette, x, y
        self.parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
            f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{_t(title)}">',
            f"<title>{_t(title)}</title>",
            f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="{palette.background}"/>',
            self.text(WIDTH / 2, 22, title, size=15, anchor="middle", weight="bold"),
        ]

    def px(self, value: float) -> float:
        low, high = self.x_range
        return LEFT + (value - low) / (high - low) * (WIDTH - LEFT - RIGHT)

    def py(self, value: float) -> float:
        low, high = self.y_range
        return HEIGHT - BOTTOM - (value - low) / (high - low) * (HEIGHT - TOP - BOTTOM)

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: int = 11,
        anchor: str = "start",
        weight: str = "normal",
        fill: str | None = None,
    ) -> str:
        return (
            f'<text x="{x:.1f}" y="{y:.1f}" font-family="sans-serif" font-size="{size}" '
            f'font-weight="{weight}" text-anchor="{anchor}" fill="{fill or self.palette.text}">'
            f"{_t(text)}</text>"
        )

    def y_axis(self, ticks: Sequence[float], label: str, fmt: object = _label) -> None:
        for tick in ticks:
            y = self.py(tick)
            self.parts.append(
                f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
                f'stroke="{self.palette.grid}" stroke-width="1"/>'
            )
            self.parts.append(self.text(LEFT - 6, y + 4, fmt(tick), anchor="end"))  # type: ignore[operator]
        self.parts.append(self.text(LEFT - 6, TOP - 18, label, size=11, anchor="end"))

    def x_axis(self, ticks: Sequence[float], label: str, fmt: object = _label) -> None:
        bottom = HEIGHT - BOTTOM
        self.parts.append(
            f'<line x1="{LEFT}" y1="{bottom}" x2="{WIDTH - RIGHT}" y2="{bottom}" '
            f'stroke="{self.palette.text}"/>'
        )
        for tick in ticks:
            self.parts.append(self.text(self.px(tick), bottom + 16, fmt(tick), anchor="middle"))  # type: ignore[operator]
        self.parts.append(self.text((LEFT + WIDTH - RIGHT) / 2, HEIGHT - 12, label, anchor="middle"))

    def done(self) -> str:
        return "\n".join([*self.parts, "</svg>"])


def _ranges(chart: CostQualityChart) -> tuple[list[float], list[float]]:
    costs = [p.cost for p in chart.points] or [0.0]
    x_ticks = nice_ticks(0.0, max(costs) * 1.1 or 1e-6)
    if chart.quality_label == "pass rate":
        return x_ticks, [0.0, 0.25, 0.5, 0.75, 1.0]
    ratings = [p.quality for p in chart.points] or [1000.0]
    return x_ticks, nice_ticks(min(ratings) - 25, max(ratings) + 25)


def point_positions(chart: CostQualityChart) -> dict[str, tuple[float, float]]:
    """Where each model's point is drawn, in the SVG's own coordinates (WIDTH x HEIGHT)."""
    x_ticks, y_ticks = _ranges(chart)
    canvas = _Canvas("", LIGHT, (x_ticks[0], x_ticks[-1]), (y_ticks[0], y_ticks[-1]))
    return {p.model: (canvas.px(p.cost), canvas.py(p.quality)) for p in chart.points}


def cost_quality_svg(chart: CostQualityChart, palette: Palette = LIGHT) -> str:
    x_ticks, y_ticks = _ranges(chart)
    canvas = _Canvas(chart.title, palette, (x_ticks[0], x_ticks[-1]), (y_ticks[0], y_ticks[-1]))
    percent = chart.quality_label == "pass rate"
    canvas.y_axis(y_ticks, chart.quality_label, (lambda v: f"{v * 100:.0f}%") if percent else _label)
    canvas.x_axis(x_ticks, "cost per answer (USD)")
    positions = point_positions(chart)
    front = [positions[m] for m in chart.front]
    if len(front) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in front)
        canvas.parts.append(
            f'<polyline points="{path}" fill="none" stroke="{palette.front}" stroke-width="2" '
            'stroke-dasharray="6,4"/>'
        )
    slowest = max((p.latency or 0.0 for p in chart.points), default=0.0) or 1.0
    for i, p in enumerate(chart.points):
        x, y = positions[p.model]
        radius = 5 + 7 * (p.latency or 0.0) / slowest  # bigger is slower
        colour = palette.series[i % len(palette.series)]
        latency = "-" if p.latency is None else f"{p.latency:.2f} s"
        tip = f"{p.model}: ${p.cost:.6f} per answer, {chart.quality_label} {p.quality:.3g}, latency {latency}"
        canvas.parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" fill="{colour}" fill-opacity="0.8" '
            f'stroke="{palette.text}" stroke-width="{2 if p.model in chart.front else 0.5}">'
            f"<title>{_t(tip)}</title></circle>"
        )
        label = short(p.model)
        if x + radius + 3 + 6.5 * len(label) > WIDTH - 4:  # no room on the right: label on the left
            canvas.parts.append(canvas.text(x - radius - 3, y + 4, label, anchor="end"))
        else:
            canvas.parts.append(canvas.text(x + radius + 3, y + 4, label))
    canvas.parts.append(
        canvas.text(WIDTH - RIGHT, TOP - 18, "dashed: Pareto front; bigger: slower", size=10, anchor="end")
    )
    return canvas.done()


def spend_svg(chart: SpendChart, palette: Palette = LIGHT) -> str:
    totals = [float(chart.total(d)) for d in chart.days] or [0.0]
    top = max([*totals, float(chart.daily_alert or 0)]) * 1.1 or 1e-6
    y_ticks = nice_ticks(0.0, top)
    count = max(len(chart.days), 1)
    canvas = _Canvas(chart.title, palette, (0.0, float(count)), (0.0, y_ticks[-1]))
    canvas.y_axis(y_ticks, "USD")
    canvas.x_axis([], "day")
    width = (WIDTH - LEFT - RIGHT) / count
    for i, day in enumerate(chart.days):
        base = 0.0
        for k, model in enumerate(chart.models):
            value = float(chart.cost.get((day, model), 0))
            if value <= 0:
                continue
            y0, y1 = canvas.py(base), canvas.py(base + value)
            canvas.parts.append(
                f'<rect x="{canvas.px(i) + 1:.1f}" y="{y1:.1f}" width="{max(width - 2, 1):.1f}" '
                f'height="{max(y0 - y1, 0.5):.1f}" fill="{palette.series[k % len(palette.series)]}">'
                f"<title>{_t(f'{day} {model}: ${value:.6f}')}</title></rect>"
            )
            base += value
        if i % max(1, count // 8) == 0 or i == count - 1:
            canvas.parts.append(
                canvas.text(canvas.px(i + 0.5), HEIGHT - BOTTOM + 16, day[5:], anchor="middle")
            )
    if chart.daily_alert is not None:
        y = canvas.py(float(chart.daily_alert))
        canvas.parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="{palette.alert}" '
            'stroke-width="2" stroke-dasharray="6,4"/>'
        )
        canvas.parts.append(
            canvas.text(
                WIDTH - RIGHT, y - 4, f"daily alert ${chart.daily_alert}", anchor="end", fill=palette.alert
            )
        )
    _legend(canvas, chart.models, palette)
    return canvas.done()


def _legend(canvas: _Canvas, models: Sequence[str], palette: Palette) -> None:
    x = LEFT
    for k, model in enumerate(models[:6]):
        colour = palette.series[k % len(palette.series)]
        canvas.parts.append(f'<rect x="{x}" y="{TOP - 26}" width="10" height="10" fill="{colour}"/>')
        canvas.parts.append(canvas.text(x + 14, TOP - 17, short(model), size=10))
        x += 20 + 6 * len(short(model))


def speed_svg(chart: SpeedChart, palette: Palette = LIGHT) -> str:
    values = [v for d in chart.series for v in d.values] or [0.0]
    y_ticks = nice_ticks(0.0, max(values) * 1.1 or 1.0)
    count = max(len(chart.series), 1)
    canvas = _Canvas(chart.title, palette, (0.0, float(count)), (0.0, y_ticks[-1]))
    canvas.y_axis(y_ticks, chart.unit)
    canvas.x_axis([], "model")
    for i, series in enumerate(chart.series):
        _box(
            canvas,
            i,
            series.values,
            series.quartiles,
            series.whiskers,
            palette.series[i % len(palette.series)],
        )
        canvas.parts.append(
            canvas.text(
                canvas.px(i + 0.5), HEIGHT - BOTTOM + 16, short(series.model), anchor="middle", size=10
            )
        )
    return canvas.done()


def _box(
    canvas: _Canvas,
    i: int,
    values: Sequence[float],
    quartiles: tuple[float, float, float],
    whiskers: tuple[float, float],
    colour: str,
) -> None:
    centre, half = canvas.px(i + 0.5), (canvas.px(1) - canvas.px(0)) * 0.25
    q1, median, q3 = (canvas.py(v) for v in quartiles)
    low, high = (canvas.py(v) for v in whiskers)
    ink = canvas.palette.text
    canvas.parts += [
        f'<line x1="{centre:.1f}" y1="{low:.1f}" x2="{centre:.1f}" y2="{high:.1f}" stroke="{ink}"/>',
        f'<rect x="{centre - half:.1f}" y="{q3:.1f}" width="{2 * half:.1f}" height="{max(q1 - q3, 1):.1f}" '
        f'fill="{colour}" fill-opacity="0.35" stroke="{ink}"/>',
        f'<line x1="{centre - half:.1f}" y1="{median:.1f}" x2="{centre + half:.1f}" y2="{median:.1f}" '
        f'stroke="{ink}" stroke-width="2"/>',
    ]
    for k, value in enumerate(values[:500]):  # a strip of the answers themselves, spread sideways
        offset = ((k * 37) % 21 - 10) / 10 * half * 0.8
        canvas.parts.append(
            f'<circle cx="{centre + offset:.1f}" cy="{canvas.py(value):.1f}" r="2.5" fill="{colour}"/>'
        )
