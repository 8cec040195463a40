"""Charts of the owners' page as server-rendered SVG: no script, no CDN, readable without colour."""

from __future__ import annotations

from html import escape

WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP = 640, 200, 40, 24, 10


def _scale(values: list[int]) -> int:
    """A round top for the y axis (1, 2, 5 × 10ⁿ) at or above the largest value."""
    top = max(values + [1])
    step = 1
    while True:
        for m in (1, 2, 5):
            if step * m >= top:
                return step * m
        step *= 10


def bar_chart(title: str, days: list[str], series: list[tuple[str, str, list[int]]], summary: str) -> str:
    """Stacked bars per day; `series` is [(label, css class, values)]. Labelled for screen readers.

    The figures themselves are in the tables of the page; the chart's description says what it
    shows, so a reader who cannot see it loses nothing.
    """
    totals = [sum(s[2][i] for s in series) for i in range(len(days))]
    top = _scale(totals)
    plot_w, plot_h = WIDTH - PAD_LEFT - 8, HEIGHT - PAD_BOTTOM - PAD_TOP
    bar_w = plot_w / max(len(days), 1)
    parts = [f'<svg class="csohelp-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-label="{escape(title)}: {escape(summary)}" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(title)}</title><desc>{escape(summary)}</desc>"]
    for frac in (0, 0.5, 1) if top > 1 else (0, 1):  # gridlines with their values (whole numbers)
        y = PAD_TOP + plot_h * (1 - frac)
        parts.append(f'<line class="csohelp-chart__grid" x1="{PAD_LEFT}" x2="{WIDTH - 8}" '
                     f'y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(f'<text class="csohelp-chart__label" x="{PAD_LEFT - 4}" y="{y + 4:.1f}" '
                     f'text-anchor="end">{top * frac:g}</text>')
    for i, day in enumerate(days):
        x, base = PAD_LEFT + i * bar_w, PAD_TOP + plot_h
        for label, css, values in series:
            h = plot_h * values[i] / top
            if h > 0:
                base -= h
                parts.append(f'<rect class="{css}" x="{x + bar_w * 0.15:.1f}" y="{base:.1f}" '
                             f'width="{bar_w * 0.7:.1f}" height="{h:.1f}"><title>{escape(day)}: '
                             f"{escape(label)} {values[i]}</title></rect>")
        if i in (0, len(days) - 1) or (len(days) > 10 and i == len(days) // 2):
            anchor = "start" if i == 0 else "end" if i == len(days) - 1 else "middle"
            parts.append(f'<text class="csohelp-chart__label" x="{x + bar_w / 2:.1f}" y="{HEIGHT - 6}" '
                         f'text-anchor="{anchor}">{escape(day)}</text>')
    parts.append("</svg>")
    return "".join(parts)
