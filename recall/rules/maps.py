"""District maps as SVG, drawn on the server from GeoJSON geometries. Pure: no Flask, no database.

Geometries are GeoJSON ``Polygon`` or ``MultiPolygon`` in longitude/latitude (WGS 84). They are
drawn with an equirectangular projection scaled by the cosine of the middle latitude (good enough
for a region), fitted into the picture, north up.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

WIDTH = 480
MAX_POINTS = 20_000  # per geometry: a district outline, not a survey
MAX_RINGS = 500


class InvalidGeometry(ValueError):
    """A geometry that cannot be drawn; the message says why."""


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidGeometry("a coordinate is not a finite number")
    return float(value)


def rings_of(geometry: Any) -> list[list[tuple[float, float]]]:
    """The outer and inner rings of a Polygon or MultiPolygon as (lon, lat) lists; raises
    ``InvalidGeometry`` for anything else, an open or too short ring, a coordinate out of range
    or too many points."""
    if not isinstance(geometry, dict):
        raise InvalidGeometry("the geometry is not an object")
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon":
        polygons = [coords]
    elif kind == "MultiPolygon" and isinstance(coords, list):
        polygons = coords
    else:
        raise InvalidGeometry("only Polygon and MultiPolygon geometries are accepted")
    rings: list[list[tuple[float, float]]] = []
    points = 0
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            raise InvalidGeometry("a polygon has no rings")
        for ring in polygon:
            if not isinstance(ring, list) or len(ring) < 4:
                raise InvalidGeometry("a ring needs at least four positions")
            parsed = []
            for position in ring:
                if not isinstance(position, list | tuple) or len(position) < 2:
                    raise InvalidGeometry("a position is not [longitude, latitude]")
                lon, lat = _number(position[0]), _number(position[1])
                if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                    raise InvalidGeometry("a coordinate is out of range")
                parsed.append((lon, lat))
            if parsed[0] != parsed[-1]:
                raise InvalidGeometry("a ring is not closed (first and last positions differ)")
            points += len(parsed)
            rings.append(parsed)
    if len(rings) > MAX_RINGS or points > MAX_POINTS:
        raise InvalidGeometry("the geometry has too many points")
    return rings


def _shade(value: int, peak: int) -> str:
    if peak <= 0 or value <= 0:
        return "#e2e8f0"
    strength = value / peak  # light blue to dark blue
    red, green, blue = (
        round(219 - 190 * strength),
        round(234 - 170 * strength),
        254 - round(40 * strength),
    )
    return f"#{red:02x}{green:02x}{blue:02x}"


def map_svg(areas: list[tuple[str, Any, int]], *, title: str) -> str:
    """A choropleth of ``(label, geometry, value)``: darker for more, each area with a tooltip
    ``label: value``. Areas whose geometry cannot be drawn are left out."""
    drawn = []
    for label, geometry, value in areas:
        try:
            drawn.append((label, rings_of(geometry), value))
        except InvalidGeometry:
            continue
    points = [p for _label, rings, _v in drawn for ring in rings for p in ring]
    if not points:
        return ""
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    scale_x = math.cos(math.radians((min(lats) + max(lats)) / 2))
    span_x = max((max(lons) - min(lons)) * scale_x, 1e-9)
    span_y = max(max(lats) - min(lats), 1e-9)
    factor = WIDTH / span_x
    height = max(1, round(span_y * factor))
    if height > WIDTH * 2:  # a tall region: fit the height instead
        factor, height = WIDTH * 2 / span_y, WIDTH * 2
    peak = max((v for _l, _r, v in drawn), default=0)

    def xy(lon: float, lat: float) -> str:
        x = (lon - min(lons)) * scale_x * factor
        y = (max(lats) - lat) * factor
        return f"{x:.1f},{y:.1f}"

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="district-map" role="img" '
        f'width="{WIDTH}" height="{height}" viewBox="-2 -2 {WIDTH + 4} {height + 4}">',
        f"<title>{escape(title)}</title>",
    ]
    for label, rings, value in drawn:
        path = " ".join("M" + " L".join(xy(lon, lat) for lon, lat in ring) + " Z" for ring in rings)
        parts.append(
            f'<path d="{path}" fill="{_shade(value, peak)}" fill-rule="evenodd" '
            f'stroke="#334155" stroke-width="1"><title>{escape(label)}: {value:,}</title></path>'
        )
    parts.append("</svg>")
    return "".join(parts)
