from __future__ import annotations

import re

from recall.rules.charts import BAR_WIDTH, bar_chart_svg


def test_bars_scale_to_the_largest_value_and_labels_are_escaped():
    svg = bar_chart_svg(
        [("No. 1 <b>", 10, True), ("No. 2", 5, False), ("No. 3", 0, False)], title="T&C"
    )
    widths = [int(w) for w in re.findall(r'<rect [^>]*width="(\d+)"', svg)]
    assert widths == [BAR_WIDTH, BAR_WIDTH // 2, 0]
    assert "No. 1 &lt;b&gt;" in svg and "<title>T&amp;C</title>" in svg
    assert svg.startswith("<svg") and svg.endswith("</svg>") and "<script" not in svg


def test_all_zero_draws_no_bars():
    svg = bar_chart_svg([("a", 0, False)], title="x")
    assert re.findall(r'<rect [^>]*width="(\d+)"', svg) == ["0"]
    assert bar_chart_svg([], title="x").count("<rect") == 0


def test_progress_bar_fills_to_the_share_and_caps_at_full():
    from recall.rules.charts import PROGRESS_WIDTH, progress_bar_svg

    def filled(svg):
        return float(re.search(r'class="filled" width="([\d.]+)"', svg).group(1))

    assert filled(progress_bar_svg(25, 100, title="a")) == PROGRESS_WIDTH / 4
    assert filled(progress_bar_svg(250, 100, title="a")) == PROGRESS_WIDTH  # past the threshold
    assert filled(progress_bar_svg(5, 0, title="a")) == 0  # no threshold yet
    svg = progress_bar_svg(1, 2, title="1 of 2 <required>")
    assert 'role="img"' in svg and "<title>1 of 2 &lt;required&gt;</title>" in svg
    assert "width=" not in svg.split(">", 1)[0]  # scales to the phone: a viewBox, no fixed width


def test_column_chart_has_one_column_per_day_scaled_to_the_peak_with_a_text_alternative():
    from recall.rules.charts import COLUMN_CHART_HEIGHT, column_chart_svg

    svg = column_chart_svg([10, 5, 0], title="Per day", description="3 days & a peak")
    heights = [float(h) for h in re.findall(r'<rect [^>]*height="([\d.]+)"', svg)]
    assert heights == [COLUMN_CHART_HEIGHT, COLUMN_CHART_HEIGHT / 2, 0]
    assert "<title>Per day</title>" in svg and "<desc>3 days &amp; a peak</desc>" in svg
    assert "<script" not in svg and column_chart_svg([], title="x").count("<rect") == 0


def test_share_bar_parts_fill_the_bar_in_proportion():
    from recall.rules.charts import SHARE_BAR_WIDTH, share_bar_svg

    svg = share_bar_svg([(1, "green"), (1, "red"), (1, "grey")], title="Kept: 33% <of rated>")
    widths = [
        int(w)
        for w in re.findall(r'<rect x="\d+" y="0" width="(\d+)"[^/]*fill="(?:green|red|grey)"', svg)
    ]
    assert widths == [100, 100, 100] and sum(widths) == SHARE_BAR_WIDTH
    assert "<title>Kept: 33% &lt;of rated&gt;</title>" in svg and 'role="img"' in svg
    uneven = share_bar_svg([(1, "green"), (0, "red"), (2, "grey")], title="t")
    assert re.findall(r'width="(\d+)" height="16" fill="(\w+)"', uneven) == [
        ("100", "green"),
        ("200", "grey"),
        ("300", "none"),  # the outline
    ]
    empty = share_bar_svg([(0, "green"), (0, "red")], title="none rated")
    assert empty.count("<rect") == 1  # the outline only
