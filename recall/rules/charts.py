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


PROGRESS_WIDTH = 300
PROGRESS_HEIGHT = 20
COLUMN_CHART_WIDTH = 360
COLUMN_CHART_HEIGHT = 120


def progress_bar_svg(value: int, target: int, *, title: str) -> str:
    """A bar filled to ``value / target`` (capped at full; ``target`` 0: empty), scaled to its
    container's width (``viewBox``, no fixed width), with ``title`` as its text alternative."""
    share = min(1.0, value / target) if target > 0 and value > 0 else 0.0
    filled = round(PROGRESS_WIDTH * share, 1)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="progress-bar" role="img" '
        f'viewBox="0 0 {PROGRESS_WIDTH} {PROGRESS_HEIGHT}" preserveAspectRatio="none">'
        f"<title>{escape(title)}</title>"
        f'<rect width="{PROGRESS_WIDTH}" height="{PROGRESS_HEIGHT}" fill="#e2e8f0"/>'
        f'<rect class="filled" width="{filled:g}" height="{PROGRESS_HEIGHT}" fill="#1d4ed8"/>'
        "</svg>"
    )


def column_chart_svg(values: list[int], *, title: str, description: str = "") -> str:
    """One column per value (signatures per day), scaled to the largest, drawn left to right in a
    ``viewBox`` that scales to a phone's width. ``title`` and ``description`` are its text
    alternative (``<title>``, ``<desc>``); the page shows the numbers as a table beside it."""
    peak = max(values, default=0)
    step = COLUMN_CHART_WIDTH / max(1, len(values))
    gap = min(2.0, step / 4)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="column-chart" role="img" '
        f'viewBox="0 0 {COLUMN_CHART_WIDTH} {COLUMN_CHART_HEIGHT}" preserveAspectRatio="none">',
        f"<title>{escape(title)}</title>",
    ]
    if description:
        parts.append(f"<desc>{escape(description)}</desc>")
    parts.append(
        f'<line x1="0" y1="{COLUMN_CHART_HEIGHT}" x2="{COLUMN_CHART_WIDTH}" '
        f'y2="{COLUMN_CHART_HEIGHT}" stroke="#64748b"/>'
    )
    for index, value in enumerate(values):
        height = round(COLUMN_CHART_HEIGHT * value / peak, 1) if peak and value > 0 else 0
        parts.append(
            f'<rect x="{index * step + gap / 2:g}" y="{COLUMN_CHART_HEIGHT - height:g}" '
            f'width="{step - gap:g}" height="{height:g}" fill="#1d4ed8"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


SHARE_BAR_WIDTH = 300
SHARE_BAR_HEIGHT = 16


def share_bar_svg(parts: list[tuple[int, str]], *, title: str) -> str:
    """One bar split into ``(count, colour)`` parts, each as wide as its share of the total (the
    kept share of a scorecard: kept, broken, the rest). ``title`` is the text alternative. A total
    of 0 draws an empty outline; the parts' widths always add up to the bar's."""
    total = sum(count for count, _colour in parts)
    parts_svg = []
    x = 0
    for index, (count, colour) in enumerate(parts):
        if not total or count <= 0:
            continue
        right = (
            SHARE_BAR_WIDTH
            if index == len(parts) - 1
            else round(SHARE_BAR_WIDTH * (sum(c for c, _ in parts[: index + 1])) / total)
        )
        parts_svg.append(
            f'<rect x="{x}" y="0" width="{right - x}" height="{SHARE_BAR_HEIGHT}" '
            f'fill="{escape(colour)}"/>'
        )
        x = right
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="share-bar" role="img" '
        f'width="{SHARE_BAR_WIDTH}" height="{SHARE_BAR_HEIGHT}" '
        f'viewBox="0 0 {SHARE_BAR_WIDTH} {SHARE_BAR_HEIGHT}" preserveAspectRatio="none">'
        f"<title>{escape(title)}</title>{''.join(parts_svg)}"
        f'<rect x="0" y="0" width="{SHARE_BAR_WIDTH}" height="{SHARE_BAR_HEIGHT}" '
        f'fill="none" stroke="#5b6470"/></svg>'
    )
