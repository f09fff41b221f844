"""Inline SVG time-series chart: margin line, realised losses, marked exceedances, a band.

No scripts and no external assets. The margin is a ``<polyline>`` (class ``margin``) and
its mirror image the short side's bound (class ``margin-short``, dashed),
each loss a ``<circle class="loss">`` and each exceedance a ``<circle class="exceedance">``
with ``data-date`` and a ``<title>`` tooltip; the shaded band (class ``stress``) marks a
stretch of dates. Every label is HTML-escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH = 860
HEIGHT = 240
LEFT = 56
RIGHT = 12
TOP = 12
BOTTOM = 28


@dataclass(frozen=True)
class LossChart:
    """The data of one chart: dates, margin fractions, losses, hits and a band of indices."""

    chart_id: str
    title: str
    dates: Sequence[str]
    margin: Sequence[float]
    losses: Sequence[float]
    hits: Sequence[bool]
    band: tuple[int, int] | None = None


def _scale(chart: LossChart) -> tuple[float, float]:
    values = [*chart.margin, *(-m for m in chart.margin), *chart.losses, 0.0]
    return min(values), max(values) or 1.0


def loss_chart(chart: LossChart) -> str:
    """Return an ``<svg>`` of margin (line) against realised loss (dots), exceedances in red."""
    n = max(1, len(chart.dates) - 1)
    low, high = _scale(chart)
    span = (high - low) or 1.0

    def x(k: int) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * k / n

    def y(v: float) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (high - v) / span

    parts = [
        f'<svg id="{escape(chart.chart_id)}" class="chart" role="img" '
        f'xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}"><title>{escape(chart.title)}</title>'
    ]
    if chart.band is not None:
        a, b = chart.band
        parts.append(
            f'<rect class="stress" x="{x(a):.1f}" y="{TOP}" width="{max(2.0, x(b) - x(a)):.1f}" '
            f'height="{HEIGHT - TOP - BOTTOM}" fill="#fde68a"><title>most volatile stretch'
            "</title></rect>"
        )
    parts.append(_axes(low, high, y, chart.dates))
    points = " ".join(f"{x(k):.1f},{y(v):.1f}" for k, v in enumerate(chart.margin))
    parts.append(
        f'<polyline class="margin" fill="none" stroke="#1d4ed8" stroke-width="1.5" '
        f'points="{points}"/>'
    )
    mirrored = " ".join(f"{x(k):.1f},{y(-v):.1f}" for k, v in enumerate(chart.margin))
    parts.append(
        f'<polyline class="margin-short" fill="none" stroke="#1d4ed8" stroke-width="1" '
        f'stroke-dasharray="4 3" points="{mirrored}"/>'
    )
    for k, (loss, hit, date) in enumerate(zip(chart.losses, chart.hits, chart.dates, strict=True)):
        kind, colour, radius = ("exceedance", "#dc2626", 3.5) if hit else ("loss", "#6b7280", 1.4)
        tip = f"{date}: loss {loss:.2%}, margin {chart.margin[k]:.2%}"
        parts.append(
            f'<circle class="{kind}" data-date="{escape(date)}" cx="{x(k):.1f}" '
            f'cy="{y(loss):.1f}" r="{radius}" fill="{colour}"><title>{escape(tip)}</title></circle>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _axes(low: float, high: float, y: object, dates: Sequence[str]) -> str:
    assert callable(y)
    ticks = []
    steps = 4
    for k in range(steps + 1):
        value = low + (high - low) * k / steps
        ticks.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            f'stroke="#e5e7eb"/><text x="{LEFT - 4}" y="{y(value) + 4:.1f}" text-anchor="end" '
            f'font-size="10">{_percent(value)}</text>'
        )
    if dates:
        ticks.append(
            f'<text x="{LEFT}" y="{HEIGHT - 8}" font-size="10">{escape(dates[0])}</text>'
            f'<text x="{WIDTH - RIGHT}" y="{HEIGHT - 8}" font-size="10" text-anchor="end">'
            f"{escape(dates[-1])}</text>"
        )
    return "".join(ticks)


def _percent(value: float) -> str:
    # a tick a hair below zero would print as "-0%"
    return "0%" if abs(value) < 0.005 else f"{value:.0%}"
