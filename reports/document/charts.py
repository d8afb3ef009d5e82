"""Charts drawn on the server as inline SVG: the report needs no script, no font and no network
to show them, and they print as sharply as the text around them.

Every chart is an ``<svg class="chart">`` with a ``<title>`` (what a screen reader says) and
``data-marks`` (how many bars, points or cells it drew), so a test can tell a drawn chart from an
empty frame. Values that are None (no data) are left out, never drawn as 0.

>>> svg = bar_chart(title="Parts", labels=["pump seal", "bearing"], series=[("qty", [4, 1])])
>>> svg.startswith('<svg class="chart"') and 'data-marks="2"' in svg
True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from html import escape

# Colour-blind-safe (Okabe-Ito), paired with text labels everywhere.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
GRID = "#d0d5dd"
INK = "#1f2933"
MUTED = "#5f6b7a"
FONT = 'font-family="system-ui, sans-serif"'

Format = Callable[[float], str]


def plain(value: float) -> str:
    """
    >>> plain(3.0), plain(2.456), plain(1234.5)
    ('3', '2.46', '1,234.5')
    """
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.1f}"


def _open(title: str, width: int, height: int, marks: int, kind: str) -> list[str]:
    return [
        f'<svg class="chart" data-kind="{kind}" data-marks="{marks}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" style="max-width:{width}px">',
        f"<title>{escape(title)}</title>",
    ]


def _text(
    x: float, y: float, text: str, *, anchor: str = "start", size: int = 12, fill: str = INK
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" {FONT} '
        f'fill="{fill}">{escape(text)}</text>'
    )


def _legend(series: Sequence[str], x: float, y: float) -> list[str]:
    out = []
    for i, name in enumerate(series):
        colour = PALETTE[i % len(PALETTE)]
        out.append(f'<rect x="{x:.1f}" y="{y - 9:.1f}" width="10" height="10" fill="{colour}"/>')
        out.append(_text(x + 14, y, name, size=11))
        x += 24 + 7 * len(name)
    return out


def _no_data(title: str, width: int) -> str:
    parts = _open(title, width, 40, 0, "empty")
    parts.append(_text(8, 24, "No data in this period.", fill=MUTED))
    return "".join([*parts, "</svg>"])


def bar_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    fmt: Format = plain,
    width: int = 720,
) -> str:
    """Horizontal bars, one group per label, one bar per series (value, previous, target...)."""
    marks = sum(1 for _, values in series for v in values if v is not None)
    if not labels or not marks:
        return _no_data(title, width)
    bar_h, gap = (14 if len(series) < 3 else 10), 10
    group_h = bar_h * len(series) + gap
    legend_h = 22 if len(series) > 1 else 0
    label_w = min(240, 12 + 7 * max(len(label) for label in labels))
    plot_x, plot_w = label_w, width - label_w - 70
    top = 8 + legend_h
    height = top + group_h * len(labels) + 6
    values = [v for _, vs in series for v in vs if v is not None]
    low, high = min(0.0, *values), max(0.0, *values)
    span = (high - low) or 1.0

    def x_of(v: float) -> float:
        return plot_x + (v - low) / span * plot_w

    parts = _open(title, width, height, marks, "bar")
    if legend_h:
        parts += _legend([name for name, _ in series], plot_x, 16)
    zero = x_of(0.0)
    parts.append(
        f'<line x1="{zero:.1f}" y1="{top:.1f}" x2="{zero:.1f}" y2="{height - 4:.1f}" stroke="{GRID}"/>'
    )
    for i, label in enumerate(labels):
        y0 = top + i * group_h
        parts.append(_text(label_w - 8, y0 + group_h / 2, label[:34], anchor="end"))
        for j, (_, vs) in enumerate(series):
            value = vs[i]
            if value is None:
                continue
            y = y0 + j * bar_h
            x1, x2 = sorted((zero, x_of(value)))
            colour = PALETTE[j % len(PALETTE)]
            parts.append(
                f'<rect class="mark" x="{x1:.1f}" y="{y:.1f}" width="{max(x2 - x1, 1):.1f}" '
                f'height="{bar_h - 2}" fill="{colour}"/>'
            )
            parts.append(_text(x2 + 4, y + bar_h - 4, fmt(value), size=11))
    return "".join([*parts, "</svg>"])


def _axis(low: float, high: float) -> tuple[float, float, float]:
    """A value axis from zero (or below, for negatives) to a round number, and its tick step.

    >>> _axis(0, 3), _axis(3.6, 4.8), _axis(-40, 100)
    ((0.0, 3.0, 1.0), (0.0, 6.0, 2.0), (-50.0, 100.0, 50.0))
    """
    low, high = min(low, 0.0), max(high, 0.0)
    if high == low:
        high = low + 1
    raw = (high - low) / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return float(math.floor(low / step) * step), float(math.ceil(high / step) * step), float(step)


def line_chart(
    *,
    title: str,
    x_labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    fmt: Format = plain,
    width: int = 720,
    height: int = 220,
    axis: tuple[float, float, float] | None = None,
) -> str:
    """Lines over periods; a gap where a value is None. ``axis``: (low, high, tick step) where
    the scale is known (CSAT 1 to 5), else from zero to a round number above the values."""
    marks = sum(1 for _, values in series for v in values if v is not None)
    if not x_labels or not marks:
        return _no_data(title, width)
    left, right, top, bottom = 56, 36, 28, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for _, vs in series for v in vs if v is not None]
    low, high, tick_step = axis or _axis(min(values), max(values))
    step = plot_w / max(len(x_labels) - 1, 1)

    def y_of(v: float) -> float:
        return top + (high - v) / (high - low) * plot_h

    parts = _open(title, width, height, marks, "line")
    parts += _legend([name for name, _ in series], left, 16)
    for k in range(round((high - low) / tick_step) + 1):
        tick = low + k * tick_step
        y = y_of(tick)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>'
        )
        parts.append(_text(left - 6, y + 4, fmt(tick), anchor="end", size=10, fill=MUTED))
    for i, label in enumerate(x_labels):
        parts.append(_text(left + i * step, height - 8, label, anchor="middle", size=10))
    for j, (name, vs) in enumerate(series):
        colour = PALETTE[j % len(PALETTE)]
        run: list[str] = []
        for i, v in enumerate([*vs, None]):
            if v is not None:
                run.append(f"{left + i * step:.1f},{y_of(v):.1f}")
                continue
            if len(run) > 1:
                parts.append(
                    f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" '
                    'stroke-width="2"/>'
                )
            run = []
        for i, v in enumerate(vs):
            if v is None:
                continue
            x, y = left + i * step, y_of(v)
            parts.append(
                f'<circle class="mark" cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}">'
                f"<title>{escape(name)} {escape(x_labels[i])}: {escape(fmt(v))}</title></circle>"
            )
    return "".join([*parts, "</svg>"])


def heat_map(
    *,
    title: str,
    rows: Sequence[str],
    columns: Sequence[str],
    values: Mapping[tuple[str, str], int],
    width: int = 720,
) -> str:
    """Cells shaded by count (white to dark blue), each with its number written in."""
    marks = sum(1 for v in values.values() if v)
    if not rows or not columns or not marks:
        return _no_data(title, width)
    label_w = min(180, 12 + 7 * max(len(r) for r in rows))
    head_h = min(120, 16 + 6 * max(len(c) for c in columns))
    cell_w = max(28.0, min(70.0, (width - label_w - 8) / len(columns)))
    cell_h = 24
    width = int(label_w + cell_w * len(columns) + 8)
    height = head_h + cell_h * len(rows) + 4
    peak = max(values.values()) or 1
    parts = _open(title, width, height, marks, "heatmap")
    for j, column in enumerate(columns):
        x = label_w + j * cell_w + cell_w / 2
        parts.append(
            f'<text x="{x:.1f}" y="{head_h - 6}" font-size="11" {FONT} fill="{INK}" '
            f'transform="rotate(-45 {x:.1f} {head_h - 6})">{escape(column[:24])}</text>'
        )
    for i, row in enumerate(rows):
        y = head_h + i * cell_h
        parts.append(_text(label_w - 8, y + cell_h / 2 + 4, row[:26], anchor="end"))
        for j, column in enumerate(columns):
            count = values.get((row, column), 0)
            share = count / peak
            shade = (
                f"rgb({int(255 - 226 * share)},{int(255 - 141 * share)},{int(255 - 77 * share)})"
            )
            x = label_w + j * cell_w
            parts.append(
                f'<rect class="{"mark" if count else "cell"}" x="{x:.1f}" y="{y}" '
                f'width="{cell_w - 2:.1f}" height="{cell_h - 2}" fill="{shade}" stroke="{GRID}">'
                f"<title>{escape(row)} × {escape(column)}: {count}</title></rect>"
            )
            if count:
                ink = "#fff" if share > 0.55 else INK
                parts.append(
                    _text(
                        x + cell_w / 2 - 1,
                        y + cell_h / 2 + 3,
                        str(count),
                        anchor="middle",
                        size=11,
                        fill=ink,
                    )
                )
    return "".join([*parts, "</svg>"])
