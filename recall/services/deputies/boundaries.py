"""District boundaries: importing GeoJSON outlines onto districts (for the maps drawn on the server).

A file is a GeoJSON ``FeatureCollection``; each feature names its district by
``properties.district_id``, or by ``properties.body`` (slug) and ``properties.number`` (or
``properties.code``, the district's code), and has a
``Polygon`` or ``MultiPolygon`` geometry in longitude/latitude. All or nothing: a bad feature
raises ``Invalid`` naming it and nothing is written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from recall.errors import Invalid
from recall.extensions import db
from recall.models import Body, District
from recall.rules.maps import InvalidGeometry, rings_of

MAX_FILE_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class BoundaryImport:
    updated: int


def _district_of(props: dict, index: int) -> District:
    raw_id = props.get("district_id")
    if isinstance(raw_id, int) and not isinstance(raw_id, bool):
        district = db.session.get(District, raw_id)
    elif isinstance(props.get("body"), str) and isinstance(props.get("code"), str):
        # A district known by the code its source gives it (E14000530), not by a number.
        district = db.session.scalar(
            sa.select(District)
            .join(Body)
            .where(Body.slug == props["body"], District.code == props["code"])
        )
    else:
        slug, number = props.get("body"), props.get("number")
        if not isinstance(slug, str) or not isinstance(number, int) or isinstance(number, bool):
            raise Invalid(
                _(
                    "Feature %(n)d: name the district by district_id, or by body (slug) and number.",
                    n=index,
                ),
                field="file",
            )
        district = db.session.scalar(
            sa.select(District).join(Body).where(Body.slug == slug, District.number == number)
        )
    if district is None:
        raise Invalid(_("Feature %(n)d: no such district.", n=index), field="file")
    return district


def import_boundaries(data: Any) -> BoundaryImport:
    """Put each feature's geometry on its district (see the module's note); flushes."""
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise Invalid(_("The file is not a GeoJSON FeatureCollection."), field="file")
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise Invalid(_("The file has no features."), field="file")
    seen: dict[int, int] = {}
    updates = []
    for index, feature in enumerate(features, start=1):
        if not isinstance(feature, dict):
            raise Invalid(_("Feature %(n)d is not an object.", n=index), field="file")
        district = _district_of(feature.get("properties") or {}, index)
        if district.id in seen:
            raise Invalid(
                _(
                    "Features %(a)d and %(b)d are the same district.",
                    a=seen[district.id],
                    b=index,
                ),
                field="file",
            )
        seen[district.id] = index
        geometry = feature.get("geometry")
        try:
            rings_of(geometry)
        except InvalidGeometry as exc:
            raise Invalid(
                _("Feature %(n)d: %(problem)s.", n=index, problem=str(exc)), field="file"
            ) from None
        updates.append(
            (district, {"type": geometry["type"], "coordinates": geometry["coordinates"]})
        )
    for district, geometry in updates:
        district.boundary = geometry
    db.session.flush()
    return BoundaryImport(updated=len(updates))


def import_boundaries_file(path: str | Path) -> BoundaryImport:
    """Read a GeoJSON file (UTF-8) and import it; ``Invalid`` for a file that is not JSON."""
    path = Path(path)
    if path.stat().st_size > MAX_FILE_BYTES:
        raise Invalid(_("The file is larger than 50 MB."), field="file")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Invalid(
            _("The file is not valid JSON: %(error)s", error=str(exc)), field="file"
        ) from None
    return import_boundaries(data)
