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
