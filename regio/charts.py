"""Server-side SVG charts: one helper for HTML pages and WeasyPrint PDFs alike (no scripts, no
inline styles, so the strict CSP holds)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PALETTE = ("#01689b", "#e17000", "#39870c", "#a90061", "#8fcae7", "#673327")


def bar_chart(
    categories: Sequence[str],
    series: dict[str, Sequence[float]],
    *,
    title: str,
    width: int = 640,
    height: int = 260,
    unit: str = "",
    lines: Sequence[float] = (),
) -> SafeString:
    """A grouped bar chart: one group per category, one bar per series, with a legend.

    A chart of percentages (``unit="%"``) runs to at least 100% (rounded up to a multiple of
    25), so a bar reads against the whole; ``lines`` draws reference lines (the budget's 70% and
    100%) across the plot, labelled at the right."""
    left, right, top, bottom = 48, 12, 32, 48
    if lines:
        right = 40  # room for the lines' labels
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((v for values in series.values() for v in values), default=0) or 1
    steps = 4
    if unit == "%":
        hoogste = max(100.0, peak, *lines)
        stap = next(s for s in (25, 50, 100, 250, 500, 1000, math.inf) if hoogste / s <= 6)
        stap = stap if stap != math.inf else hoogste / 4
        steps = math.ceil(hoogste / stap)
        peak = steps * stap
    elif lines:
        peak = max(peak, *lines)
    n_series = max(len(series), 1)
    group_w = plot_w / max(len(categories), 1)
    bar_w = group_w * 0.8 / n_series
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="{left}" y="18" font-size="13" font-weight="bold" fill="#154273">'
        f"{escape(title)}</text>",
    ]
    for step in range(steps + 1):
        value = peak * step / steps
        y = top + plot_h - plot_h * step / steps
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end" fill="#333">'
            f"{value:.0f}{escape(unit)}</text>"
        )
    for c, category in enumerate(categories):
        x0 = left + c * group_w + group_w * 0.1
        for s, (name, values) in enumerate(series.items()):
            value = values[c] if c < len(values) else 0
            h = plot_h * value / peak
            parts.append(
                f'<rect x="{x0 + s * bar_w:.1f}" y="{top + plot_h - h:.1f}" '
                f'width="{bar_w:.1f}" height="{h:.1f}" fill="{PALETTE[s % len(PALETTE)]}">'
                f"<title>{escape(name)} {escape(category)}: {value:g}{escape(unit)}</title></rect>"
            )
        parts.append(
            f'<text x="{left + c * group_w + group_w / 2:.1f}" y="{top + plot_h + 14}" '
            f'font-size="10" text-anchor="middle" fill="#333">{escape(category)}</text>'
        )
    for line in lines:  # over the bars, so a bar past a line shows it
        y = top + plot_h - plot_h * line / peak
        parts.append(
            f'<line class="chart-reference" x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" '
            f'y2="{y:.1f}" stroke="#a90061" stroke-width="1.5" stroke-dasharray="6 3"/>'
            f'<text x="{left + plot_w + 4}" y="{y + 4:.1f}" font-size="10" fill="#a90061">'
            f"{line:g}{escape(unit)}</text>"
        )
    for s, name in enumerate(series):
        x = left + s * 170
        parts.append(
            f'<rect x="{x}" y="{height - 16}" width="10" height="10" '
            f'fill="{PALETTE[s % len(PALETTE)]}"/>'
            f'<text x="{x + 14}" y="{height - 7}" font-size="10" fill="#333">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
