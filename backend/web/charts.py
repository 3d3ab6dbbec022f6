"""Server-side SVG bar charts: no JavaScript, no CDN, readable by screen readers (role=img + title/desc, and
every chart has the same numbers as a table next to it). Colours meet 3:1 against white (WCAG 1.4.11)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import count
from typing import Sequence

from markupsafe import Markup, escape

SERIES_COLOURS = ("#0b5394", "#b35100", "#2e6b34", "#6a3d9a")
TEXT = "#1b1b1b"
GRID = "#8a949e"
_ids = count(1)


@dataclass
class Series:
    name: str
    values: Sequence[float | None]


def _fmt(v: float | None) -> str:
    if v is None:
        return "<5"
    return str(int(v)) if float(v).is_integer() else f"{v:.1f}".replace(".", ",")


def _nice_max(v: float) -> float:
    """The smallest 4 x (1, 2, 2.5 or 5 x 10^k) at or above v, so the four grid steps are round numbers."""
    if v <= 0:
        return 4
    raw = v / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        step = m * magnitude
        if step >= raw:
            break
    if step < 1:
        step = 1
    return step * 4


def _truncate(s: str, n: int) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def _legend(series: Sequence[Series], x: float, y: float) -> list[str]:
    parts = []
    for i, s in enumerate(series):
        colour = SERIES_COLOURS[i % len(SERIES_COLOURS)]
        parts.append(f'<rect x="{x:.0f}" y="{y - 10:.0f}" width="12" height="12" fill="{colour}"/>'
                     f'<text x="{x + 18:.0f}" y="{y:.0f}" font-size="13" fill="{TEXT}">{escape(s.name)}</text>')
        x += 26 + 7.5 * len(s.name)
    return parts


def hbar(title: str, desc: str, labels: Sequence[str], series: Sequence[Series], label_width: int = 210,
         width: int = 680) -> Markup:
    """Horizontal bars, one group per label (e.g. per main category, per unit)."""
    cid = f"chart{next(_ids)}"
    n_series = max(1, len(series))
    bar_h = 14 if n_series > 1 else 18
    group_h = bar_h * n_series + 10
    top = 34 if n_series > 1 else 10
    height = top + group_h * max(1, len(labels)) + 28
    plot_w = width - label_width - 60
    vmax = _nice_max(max([v or 0 for s in series for v in s.values] + [0]))
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="{cid}-t {cid}-d" '
             f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMinYMin meet">'
             f'<title id="{cid}-t">{escape(title)}</title><desc id="{cid}-d">{escape(desc)}</desc>']
    if n_series > 1:
        parts += _legend(series, label_width, 18)
    # grid lines and axis values
    for i in range(5):
        gx = label_width + plot_w * i / 4
        parts.append(f'<line x1="{gx:.1f}" y1="{top - 4}" x2="{gx:.1f}" y2="{height - 24}" stroke="{GRID}" '
                     f'stroke-width="0.5" stroke-dasharray="2 3"/>')
        parts.append(f'<text x="{gx:.1f}" y="{height - 8}" font-size="12" fill="{TEXT}" text-anchor="middle">'
                     f'{_fmt(vmax * i / 4)}</text>')
    for gi, label in enumerate(labels):
        gy = top + gi * group_h
        parts.append(f'<text x="{label_width - 8}" y="{gy + group_h / 2 + 1:.1f}" font-size="13" fill="{TEXT}" '
                     f'text-anchor="end" dominant-baseline="middle">{escape(_truncate(label, 30))}'
                     f'<title>{escape(label)}</title></text>')
        for si, s in enumerate(series):
            v = s.values[gi] if gi < len(s.values) else 0
            w = 0 if not v else max(1.5, plot_w * v / vmax)
            y = gy + si * bar_h + 4
            colour = SERIES_COLOURS[si % len(SERIES_COLOURS)]
            parts.append(f'<rect x="{label_width}" y="{y}" width="{w:.1f}" height="{bar_h - 2}" fill="{colour}">'
                         f'<title>{escape(s.name)}: {_fmt(v)}</title></rect>')
            parts.append(f'<text x="{label_width + w + 4:.1f}" y="{y + bar_h / 2:.1f}" font-size="12" fill="{TEXT}" '
                         f'dominant-baseline="middle">{_fmt(v)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def vbar(title: str, desc: str, labels: Sequence[str], series: Sequence[Series], width: int = 680,
         height: int = 260) -> Markup:
    """Vertical bars (per month, handling-time bins)."""
    cid = f"chart{next(_ids)}"
    n = max(1, len(labels))
    n_series = max(1, len(series))
    left, right, top, bottom = 44, 10, 30 if n_series > 1 else 12, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    vmax = _nice_max(max([v or 0 for s in series for v in s.values] + [0]))
    group_w = plot_w / n
    bar_w = max(3.0, min(48.0, (group_w - 8) / n_series))
    rotate = n > 12
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="{cid}-t {cid}-d" '
             f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMinYMin meet">'
             f'<title id="{cid}-t">{escape(title)}</title><desc id="{cid}-d">{escape(desc)}</desc>']
    if n_series > 1:
        parts += _legend(series, left, 16)
    for i in range(5):
        gy = top + plot_h - plot_h * i / 4
        parts.append(f'<line x1="{left}" y1="{gy:.1f}" x2="{width - right}" y2="{gy:.1f}" stroke="{GRID}" '
                     f'stroke-width="0.5" stroke-dasharray="2 3"/>')
        parts.append(f'<text x="{left - 6}" y="{gy + 4:.1f}" font-size="12" fill="{TEXT}" text-anchor="end">'
                     f'{_fmt(vmax * i / 4)}</text>')
    for gi, label in enumerate(labels):
        gx = left + gi * group_w + (group_w - bar_w * n_series) / 2
        for si, s in enumerate(series):
            v = s.values[gi] if gi < len(s.values) else 0
            h = 0 if not v else max(1.5, plot_h * v / vmax)
            x = gx + si * bar_w
            colour = SERIES_COLOURS[si % len(SERIES_COLOURS)]
            parts.append(f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 1:.1f}" height="{h:.1f}" '
                         f'fill="{colour}"><title>{escape(label)}, {escape(s.name)}: {_fmt(v)}</title></rect>')
            if not rotate:
                parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h - h - 4:.1f}" font-size="12" '
                             f'fill="{TEXT}" text-anchor="middle">{_fmt(v)}</text>')
        cx = left + gi * group_w + group_w / 2
        ly = top + plot_h + 16
        if rotate:
            parts.append(f'<text x="{cx:.1f}" y="{ly:.1f}" font-size="11" fill="{TEXT}" text-anchor="end" '
                         f'transform="rotate(-40 {cx:.1f} {ly:.1f})">{escape(label)}</text>')
        else:
            parts.append(f'<text x="{cx:.1f}" y="{ly:.1f}" font-size="12" fill="{TEXT}" text-anchor="middle">'
                         f'{escape(_truncate(label, 14))}</text>')
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="{TEXT}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
