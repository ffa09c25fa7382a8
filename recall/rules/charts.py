"""Bar charts as SVG, drawn on the server (no script in the browser). Pure: no Flask, no database."""

from __future__ import annotations

from html import escape

BAR_HEIGHT = 18
GAP = 6
LABEL_WIDTH = 220
BAR_WIDTH = 360
VALUE_WIDTH = 70


def bar_chart_svg(rows: list[tuple[str, int, bool]], *, title: str) -> str:
    """A horizontal bar chart: one ``(label, value, highlighted)`` row per bar, bars scaled to the
    largest value (all zero: no bars). Labels and the title are escaped; the result is a complete
    ``<svg>`` element with a ``<title>`` for screen readers."""
    peak = max((value for _label, value, _hl in rows), default=0)
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    height = max(1, len(rows)) * (BAR_HEIGHT + GAP) + GAP
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (label, value, highlighted) in enumerate(rows):
        y = GAP + index * (BAR_HEIGHT + GAP)
        length = max(1, round(BAR_WIDTH * value / peak)) if peak and value > 0 else 0
        fill = "#1d4ed8" if highlighted else "#94a3b8"
        text_y = y + BAR_HEIGHT - 4
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{text_y}" text-anchor="end" font-size="12">'
            f"{escape(label)}</text>"
        )
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{BAR_HEIGHT}" '
            f'fill="{fill}"/>'
        )
        parts.append(
            f'<text x="{LABEL_WIDTH + length + 4}" y="{text_y}" font-size="12">{value:,}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
