"""Chart primitives drawn as inline SVG strings, server-side, with no JavaScript library.

The report must open offline and print, so charts are plain SVG: every mark carries a
``<title>`` (the browser shows it on hover) and every text from input data is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from prioritise.core.fmt import compact
from prioritise.outputs.palette import year_colours
from prioritise.outputs.report.page import esc

# Okabe-Ito, readable by colour-blind readers, then a few extra distinct hues.
CATEGORICAL = [
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
    "#8C6D31",
    "#7F7F7F",
    "#17BECF",
    "#BCBD22",
]
PLAN_COLOUR = "#0072B2"
BASELINE_COLOUR = "#E69F00"
AVAILABLE_COLOUR = "#444444"


def sequential(n: int) -> list[str]:
    """``n`` colours for plan years, dark = early (see :mod:`prioritise.outputs.palette`)."""
    return year_colours(n)


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]
    colour: str
    dashed: bool = False


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """Round tick values covering [lo, hi] (1, 2, 2.5, 5 x 10^k steps)."""
    if not math.isfinite(lo) or not math.isfinite(hi):
        return [0.0, 1.0]
    if hi <= lo:
        hi = lo + (abs(lo) or 1.0)
    raw = (hi - lo) / max(n, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step) * step
    ticks = []
    v = start
    while v < hi + step * 0.5:
        ticks.append(round(v, 12))
        v += step
    return ticks if len(ticks) > 1 else [start, start + step]


def _legend(
    items: Sequence[tuple[str, str, str]], x: float, y: float, width: float
) -> tuple[str, int]:
    """Legend entries (label, colour, kind 'box'|'line'|'dash'), wrapped to ``width``.

    Returns the SVG and the number of rows used, so the plot area can start below it.
    """
    out = []
    cx, cy, rows = x, y, 1
    for label, colour, kind in items:
        w = 18 + 6.6 * len(label) + 14
        if cx + w > x + width and cx > x:
            cx, cy, rows = x, cy + 16, rows + 1
        if kind == "box":
            out.append(
                f'<rect x="{cx:.1f}" y="{cy - 9:.1f}" width="12" height="10" fill="{colour}"/>'
            )
        else:
            dash = ' stroke-dasharray="5 3"' if kind == "dash" else ""
            out.append(
                f'<line x1="{cx:.1f}" y1="{cy - 4:.1f}" x2="{cx + 14:.1f}" '
                f'y2="{cy - 4:.1f}" stroke="{colour}" stroke-width="2.5"{dash}/>'
            )
        out.append(f'<text x="{cx + 18:.1f}" y="{cy:.1f}" class="lg">{esc(label)}</text>')
        cx += w
    return "".join(out), rows


def _left_margin(ticks: list[float], fmt: Callable[[float], str]) -> int:
    """Room for the longest tick label (about 6.5 px per character at 11 px)."""
    return int(max(40, 14 + 6.5 * max(len(fmt(t)) for t in ticks)))


def _frame(width: int, height: int, title: str, body: str) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {width} '
        f'{height}" width="{width}" height="{height}" role="img" aria-label="{esc(title)}">'
        f"<title>{esc(title)}</title>{body}</svg>"
    )


def _y_axis(
    ticks: list[float],
    y_of: Callable[[float], float],
    left: float,
    right: float,
    fmt: Callable[[float], str],
) -> str:
    out = []
    for v in ticks:
        y = y_of(v)
        out.append(
            f'<line x1="{left:.1f}" x2="{right:.1f}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
        )
        out.append(
            f'<text x="{left - 6:.1f}" y="{y + 4:.1f}" class="tick" '
            f'text-anchor="end">{esc(fmt(v))}</text>'
        )
    return "".join(out)


def line_chart(
    x: Sequence[int | str],
    series: Sequence[Series],
    *,
    title: str,
    y_fmt: Callable[[float], str] = compact,
    y_label: str = "",
    width: int = 640,
    height: int = 300,
    markers: bool = True,
) -> str:
    """Lines over a shared x axis (years); y starts at zero."""
    values = [float(v) for s in series for v in s.values if v is not None and math.isfinite(v)]
    hi = max(values, default=1.0)
    ticks = nice_ticks(0.0, hi if hi > 0 else 1.0)
    top_v = ticks[-1]
    n = len(x)
    left, right, bottom = _left_margin(ticks, y_fmt), 16, 34
    pw = width - left - right
    legend, rows = _legend(
        [(s.name, s.colour, "dash" if s.dashed else "line") for s in series],
        left,
        14 + (16 if y_label else 0),
        pw,
    )
    top = 26 + 16 * rows + (16 if y_label else 0)
    ph = height - top - bottom

    def x_of(i: int) -> float:
        return left + (pw * (i + 0.5) / n if n else 0)

    def y_of(v: float) -> float:
        return top + ph - ph * (v / top_v if top_v else 0)

    parts = [_y_axis(ticks, y_of, left, left + pw, y_fmt)]
    for i, label in enumerate(x):
        parts.append(
            f'<text x="{x_of(i):.1f}" y="{top + ph + 18:.1f}" class="tick" '
            f'text-anchor="middle">{esc(label)}</text>'
        )
    for s in series:
        pts = [
            (x_of(i), y_of(float(v)))
            for i, v in enumerate(s.values)
            if v is not None and math.isfinite(float(v))
        ]
        if not pts:
            continue
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        d = " ".join(f"{px:.1f},{py:.1f}" for px, py in pts)
        parts.append(
            f'<polyline points="{d}" fill="none" stroke="{s.colour}" '
            f'stroke-width="2.5"{dash}><title>{esc(s.name)}</title></polyline>'
        )
        if markers:
            for (px, py), (i, v) in zip(pts, enumerate(s.values), strict=False):
                parts.append(
                    f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3.5" fill="{s.colour}">'
                    f"<title>{esc(s.name)}, {esc(x[i])}: {esc(y_fmt(float(v)))}"
                    f"</title></circle>"
                )
    if y_label:
        parts.append(f'<text x="{left:.1f}" y="14" class="axis">{esc(y_label)}</text>')
    parts.append(legend)
    return _frame(width, height, title, "".join(parts))


def bar_chart(
    categories: Sequence[int | str],
    series: Sequence[Series],
    *,
    title: str,
    stacked: bool = False,
    lines: Sequence[Series] = (),
    y_fmt: Callable[[float], str] = compact,
    y_label: str = "",
    size: tuple[int, int] = (640, 300),
) -> str:
    """Grouped (or stacked) vertical bars per category; ``lines`` overlay as step markers.

    Lines are drawn as a short horizontal tick per category (a budget or a capacity), so a
    bar reaching the tick shows a resource used up.
    """
    width, height = size
    n = max(len(categories), 1)
    vals = (
        np.array(
            [
                [float(v) if v is not None and math.isfinite(float(v)) else 0.0 for v in s.values]
                for s in series
            ]
        )
        if series
        else np.zeros((0, n))
    )
    line_vals = [
        float(v) for s in lines for v in s.values if v is not None and math.isfinite(float(v))
    ]
    peak = (
        float(vals.sum(axis=0).max())
        if stacked and vals.size
        else float(vals.max())
        if vals.size
        else 0.0
    )
    hi = max([peak, *line_vals, 0.0])
    ticks = nice_ticks(0.0, hi if hi > 0 else 1.0)
    top_v = ticks[-1]
    left, right, bottom = _left_margin(ticks, y_fmt), 16, 34
    pw = width - left - right
    items = [(s.name, s.colour, "box") for s in series]
    items += [(s.name, s.colour, "dash" if s.dashed else "line") for s in lines]
    legend, rows = _legend(items, left, 14 + (16 if y_label else 0), pw)
    top = 26 + 16 * rows + (16 if y_label else 0)
    height += 16 * max(rows - 2, 0)
    ph = height - top - bottom

    def y_of(v: float) -> float:
        return top + ph - ph * (v / top_v if top_v else 0)

    parts = [_y_axis(ticks, y_of, left, left + pw, y_fmt)]
    band = pw / n
    inner = band * 0.78
    k = 1 if stacked else max(len(series), 1)
    bw = inner / k
    for i, label in enumerate(categories):
        x0 = left + band * i + (band - inner) / 2
        parts.append(
            f'<text x="{left + band * (i + 0.5):.1f}" y="{top + ph + 18:.1f}" '
            f'class="tick" text-anchor="middle">{esc(label)}</text>'
        )
        base = 0.0
        for j, s in enumerate(series):
            v = vals[j, i]
            if stacked:
                y1, y0 = y_of(base + v), y_of(base)
                bx = x0
                base += v
            else:
                y1, y0 = y_of(v), y_of(0.0)
                bx = x0 + j * bw
            if v <= 0:
                continue
            parts.append(
                f'<rect x="{bx:.1f}" y="{y1:.1f}" width="{max(bw - 1, 0.5):.1f}" '
                f'height="{max(y0 - y1, 0.0):.1f}" fill="{s.colour}"><title>'
                f"{esc(s.name)}, {esc(label)}: {esc(y_fmt(v))}</title></rect>"
            )
        for s in lines:
            v = s.values[i]
            if v is None or not math.isfinite(float(v)):
                continue
            y = y_of(float(v))
            dash = ' stroke-dasharray="4 3"' if s.dashed else ""
            parts.append(
                f'<line x1="{x0 - 2:.1f}" x2="{x0 + inner + 2:.1f}" y1="{y:.1f}" '
                f'y2="{y:.1f}" stroke="{s.colour}" stroke-width="2.5"{dash}><title>'
                f"{esc(s.name)}, {esc(label)}: {esc(y_fmt(float(v)))}</title></line>"
            )
    if y_label:
        parts.append(f'<text x="{left:.1f}" y="14" class="axis">{esc(y_label)}</text>')
    parts.append(legend)
    return _frame(width, height, title, "".join(parts))


def hbar_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    x_fmt: Callable[[float], str] = compact,
    width: int = 640,
    label_width: int = 140,
) -> str:
    """Horizontal grouped bars, one group per label (for provinces: names can be long)."""
    row_h = 10 + 12 * len(series)
    top, bottom, right = 40, 26, 60
    height = top + bottom + row_h * max(len(labels), 1)
    pw = width - label_width - right
    vals = (
        np.array(
            [
                [float(v) if v is not None and math.isfinite(float(v)) else 0.0 for v in s.values]
                for s in series
            ]
        )
        if series
        else np.zeros((0, 0))
    )
    hi = float(vals.max()) if vals.size else 1.0
    ticks = nice_ticks(0.0, hi if hi > 0 else 1.0, 4)
    top_v = ticks[-1]

    def x_of(v: float) -> float:
        return label_width + pw * (v / top_v if top_v else 0)

    parts = []
    for v in ticks:
        x = x_of(v)
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top - 4}" y2="{height - bottom}" class="grid"/>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{height - bottom + 16}" class="tick" '
            f'text-anchor="middle">{esc(x_fmt(v))}</text>'
        )
    for i, label in enumerate(labels):
        y0 = top + row_h * i
        text = label if len(label) <= 22 else label[:21] + "…"
        parts.append(
            f'<text x="{label_width - 6}" y="{y0 + row_h / 2 + 4:.1f}" class="tick" '
            f'text-anchor="end">{esc(text)}<title>{esc(label)}</title></text>'
        )
        for j, s in enumerate(series):
            v = vals[j, i]
            y = y0 + 5 + 12 * j
            parts.append(
                f'<rect x="{label_width}" y="{y:.1f}" '
                f'width="{max(x_of(v) - label_width, 0):.1f}" height="10" '
                f'fill="{s.colour}"><title>{esc(s.name)}, {esc(label)}: '
                f"{esc(x_fmt(v))}</title></rect>"
            )
    parts.append(_legend([(s.name, s.colour, "box") for s in series], label_width, 20, pw)[0])
    return _frame(width, height, title, "".join(parts))
