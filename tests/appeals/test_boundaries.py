"""flask districts import-boundaries and the map on a body-wide appeal."""

from __future__ import annotations

import json

import sqlalchemy as sa

from recall.extensions import db
from recall.models import District


def _square(west: float) -> dict:
    ring = [[west, 50], [west + 1, 50], [west + 1, 49], [west, 49], [west, 50]]
    return {"type": "Polygon", "coordinates": [ring]}


def _feature(props: dict, geometry: dict) -> dict:
    return {"type": "Feature", "properties": props, "geometry": geometry}


def _outlines():
    db.session.expire_all()
    return db.session.scalars(
        sa.select(District.boundary).where(District.boundary.is_not(None))
    ).all()


def test_import_and_map(app, runner, client, make, tmp_path):
    body = make.body(slug="test-maslikhat")
    first, second = make.district(body), make.district(body)
    coded = make.district(body, number=None, code="E14000530")
    appeal = make.appeal(body=body)
    db.session.commit()
    path = tmp_path / "b.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    _feature({"body": "test-maslikhat", "number": first.number}, _square(70)),
                    _feature({"district_id": second.id}, _square(71)),
                    _feature({"body": "test-maslikhat", "code": coded.code}, _square(72)),
                ],
            }
        )
    )
    result = runner.invoke(args=["districts", "import-boundaries", str(path)])
    assert result.exit_code == 0, result.output
    assert "3 district(s)" in result.output and len(_outlines()) == 3
    page = client.get(f"/appeals/{appeal.id}").get_data(as_text=True)
    assert 'class="district-map"' in page and page.count("<path") == 3


def test_a_bad_feature_names_itself_and_nothing_is_written(app, runner, make, tmp_path):
    body = make.body(slug="test-maslikhat")
    district = make.district(body)
    db.session.commit()
    cases = [
        (
            [
                _feature({"district_id": district.id}, _square(70)),
                _feature({"district_id": 999999}, _square(71)),
            ],
            "Feature 2: no such district",
        ),
        (
            [_feature({"district_id": district.id}, {"type": "Point", "coordinates": [1, 2]})],
            "Feature 1: only Polygon",
        ),
        (
            [_feature({"district_id": district.id}, _square(70))] * 2,
            "Features 1 and 2 are the same district",
        ),
        ([_feature({}, _square(70))], "Feature 1: name the district"),
    ]
    for features, message in cases:
        path = tmp_path / "bad.geojson"
        path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
        result = runner.invoke(args=["districts", "import-boundaries", str(path)])
        assert result.exit_code != 0 and message in result.output, result.output
        assert _outlines() == []
    path.write_text("{not json")
    result = runner.invoke(args=["districts", "import-boundaries", str(path)])
    assert result.exit_code != 0 and "not valid JSON" in result.output
