from __future__ import annotations

import pytest

from recall.rules.maps import InvalidGeometry, map_svg, rings_of

SQUARE = {"type": "Polygon", "coordinates": [[[70, 50], [71, 50], [71, 49], [70, 49], [70, 50]]]}


def test_a_map_shades_areas_by_value_and_escapes_labels():
    other = {
        "type": "MultiPolygon",
        "coordinates": [[[[71, 50], [72, 50], [72, 49], [71, 49], [71, 50]]]],
    }
    svg = map_svg([("No. 1 <x>", SQUARE, 10), ("No. 2", other, 0)], title="Map")
    assert svg.startswith("<svg") and svg.count("<path") == 2
    assert "No. 1 &lt;x&gt;: 10" in svg and "#e2e8f0" in svg  # the empty one is grey
    assert "<script" not in svg


@pytest.mark.parametrize(
    "geometry, problem",
    [
        ({"type": "Point", "coordinates": [70, 50]}, "only Polygon"),
        ({"type": "Polygon", "coordinates": [[[70, 50], [71, 50], [70, 50]]]}, "four"),
        ({"type": "Polygon", "coordinates": [[[70, 50], [71, 50], [71, 49], [70, 49]]]}, "closed"),
        ({"type": "Polygon", "coordinates": [[[700, 50], [71, 50], [71, 49], [700, 50]]]}, "range"),
        (
            {"type": "Polygon", "coordinates": [[["a", 50], [71, 50], [71, 49], ["a", 50]]]},
            "finite",
        ),
        ("nope", "object"),
    ],
)
def test_bad_geometries_say_why(geometry, problem):
    with pytest.raises(InvalidGeometry, match=problem):
        rings_of(geometry)
    assert map_svg([("x", geometry, 1)], title="t") == ""
