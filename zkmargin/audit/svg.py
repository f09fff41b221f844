"""Inline SVG charts for the HTML report: one 100 %-stacked horizontal bar per row.

No scripts and no external assets: each segment is a ``<rect>`` with a ``class`` naming
its series, ``data-row``/``data-count`` attributes and a ``<title>`` tooltip, so the
chart is readable by people, by screen readers and by tests alike. Every label is
HTML-escaped (ids and labels come from untrusted sources).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

LABEL_WIDTH = 190
BAR_WIDTH = 520
COUNT_WIDTH = 190
ROW_HEIGHT = 26
BAR_HEIGHT = 18
TOP = 8


@dataclass(frozen=True)
class Segment:
    """One part of a bar: its series (CSS class), count, fill colour and tooltip text."""

    series: str
    count: int
    colour: str
    tooltip: str


@dataclass(frozen=True)
class Row:
    """One bar: its label and segments (drawn left to right in proportion to their counts)."""

    label: str
    segments: Sequence[Segment]
    note: str = ""

    @property
    def total(self) -> int:
        """The sum of the segment counts."""
        return sum(segment.count for segment in self.segments)


def stacked_bars(chart_id: str, title: str, rows: Sequence[Row]) -> str:
    """Return an ``<svg>`` element drawing one 100 %-stacked bar per row."""
    width = LABEL_WIDTH + BAR_WIDTH + COUNT_WIDTH
    height = TOP * 2 + ROW_HEIGHT * max(1, len(rows))
    parts = [
        f'<svg id="{escape(chart_id)}" class="chart" role="img" xmlns="http://www.w3.org/2000/svg" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f"<title>{escape(title)}</title>",
    ]
    for number, row in enumerate(rows):
        parts.append(_row(number, row))
    if not rows:
        parts.append(f'<text x="0" y="{TOP + 14}" class="empty">no proofs</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _row(number: int, row: Row) -> str:
    y = TOP + number * ROW_HEIGHT
    label = escape(row.label)
    parts = [
        f'<g class="row" data-row="{label}">',
        f'<text x="{LABEL_WIDTH - 8}" y="{y + 13}" text-anchor="end" class="label">{label}</text>',
        f'<rect class="track" x="{LABEL_WIDTH}" y="{y}" width="{BAR_WIDTH}" '
        f'height="{BAR_HEIGHT}"/>',
    ]
    total = row.total
    x = float(LABEL_WIDTH)
    for segment in row.segments:
        if segment.count == 0 or total == 0:
            continue
        width = BAR_WIDTH * segment.count / total
        parts.append(
            f'<rect class="seg {escape(segment.series)}" data-row="{label}" '
            f'data-count="{segment.count}" x="{x:.2f}" y="{y}" width="{width:.2f}" '
            f'height="{BAR_HEIGHT}" fill="{escape(segment.colour)}">'
            f"<title>{escape(segment.tooltip)}</title></rect>"
        )
        x += width
    note = escape(row.note) or f"{total:,}"
    parts.append(
        f'<text x="{LABEL_WIDTH + BAR_WIDTH + 8}" y="{y + 13}" class="count">{note}</text>'
    )
    parts.append("</g>")
    return "\n".join(parts)


def legend(entries: Sequence[tuple[str, str, str]]) -> str:
    """Return an HTML legend of ``(series, colour, label)`` swatches."""
    items = "".join(
        f'<li class="legend-{escape(series)}"><span class="swatch" '
        f'style="background:{escape(colour)}"></span>{escape(label)}</li>'
        for series, colour, label in entries
    )
    return f'<ul class="legend">{items}</ul>'
