"""Charts drawn as inline SVG on the server: no script, readable by a screen reader (a title and
one labelled rectangle per bar), printable. Amounts stay Decimal until they become lengths."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from markupsafe import Markup

from aso.money import usd

WIDTH, HEIGHT = 760, 240
LEFT, BOTTOM, TOP = 70, 28, 12
COLORS = ("#266eb4", "#0b6e4f", "#c47f17", "#8a4fb0")


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    values: Sequence[Decimal]


def grouped_bars(title: str, labels: Sequence[str], series: Sequence[Series]) -> Markup:
    """A grouped bar chart: one group per label, one bar per series, a legend and a y axis."""
    top = max((v for s in series for v in s.values), default=Decimal(0))
    scale = _nice(top)
    plot_w, plot_h = WIDTH - LEFT - 10, HEIGHT - BOTTOM - TOP - 22
    group_w = plot_w / max(len(labels), 1)
    bar_w = min(28.0, group_w * 0.8 / max(len(series), 1))
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for step in range(5):
        value = scale * step / 4
        y = TOP + plot_h - plot_h * step / 4
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e8ee"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#5b6b7c">{usd(value.quantize(Decimal(1)))}</text>'
        )
    for index, label in enumerate(labels):
        x0 = LEFT + index * group_w + (group_w - bar_w * len(series)) / 2
        for number, one in enumerate(series):
            value = one.values[index]
            height = float(value / scale) * plot_h if scale else 0.0  # a length, not money
            x, y = x0 + number * bar_w, TOP + plot_h - height
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w - 2:.1f}" height="{height:.1f}" '
                f'fill="{COLORS[number % len(COLORS)]}"><title>{escape(one.name)}, '
                f"{escape(label)}: {usd(value)}</title></rect>"
            )
        parts.append(
            f'<text x="{LEFT + (index + 0.5) * group_w:.1f}" y="{TOP + plot_h + 16:.1f}" '
            f'text-anchor="middle" font-size="11" fill="#5b6b7c">{escape(label)}</text>'
        )
    legend_x = LEFT
    for number, one in enumerate(series):
        parts.append(
            f'<rect x="{legend_x}" y="{HEIGHT - 14}" width="10" height="10" '
            f'fill="{COLORS[number % len(COLORS)]}"/><text x="{legend_x + 14}" '
            f'y="{HEIGHT - 5}" font-size="11">{escape(one.name)}</text>'
        )
        legend_x += 24 + 7 * len(one.name)
    parts.append("</svg>")
    return Markup("".join(parts))


def _nice(top: Decimal) -> Decimal:
    """The axis maximum: 1, 2, 2.5 or 5 times a power of ten, at or above ``top``."""
    if top <= 0:
        return Decimal(1)
    power = Decimal(10) ** (len(str(int(top))) - 1)
    for factor in (1, 2, Decimal("2.5"), 5, 10):
        if top <= power * factor:
            return power * factor
    return power * 10
