"""The Popolo export round-trips through ``flask deputies import`` into an empty database."""

from __future__ import annotations

import json
from datetime import date

import sqlalchemy as sa

from recall.extensions import db
from recall.models import Body, BodyLevel, Deputy, DeputyStatus, District, MandateType
from recall.services.deputies import body_kinds
from tests.conftest import _empty_tables
from tests.demo_db import demo, pg_database  # noqa: F401 (fixtures)


def _snapshot() -> dict[str, set[tuple]]:
    """Bodies, districts and deputies by their natural keys (no row ids)."""
    return {
        "bodies": {
            (
                b.slug,
                b.name,
                json.dumps(b.names, sort_keys=True),
                b.kind.code,
                b.jurisdiction,
                b.region,
                b.seats_total,
                b.seats_party_list,
            )
            for b in db.session.scalars(sa.select(Body))
        },
        "districts": {
            (
                d.body.slug,
                d.code,
                d.number,
                d.name,
                json.dumps(d.names, sort_keys=True),
                d.region,
                d.registered_voters,
                d.voters_as_of,
            )
            for d in db.session.scalars(sa.select(District))
        },
        "deputies": {
            (
                d.full_name,
                d.body.slug,
                d.mandate_type,
                d.district.code if d.district else None,
                d.party.name if d.party else None,
                d.term_start,
                d.term_end,
                d.status,
                d.birth_date,
                json.dumps(d.identifiers),
                json.dumps(d.names, sort_keys=True),
            )
            for d in db.session.scalars(sa.select(Deputy))
        },
    }


def _canonical(document: dict, key: str) -> list[str]:
    return sorted(json.dumps(item, sort_keys=True) for item in document[key])


def _round_trip(client, runner, tmp_path, kinds=()) -> tuple[dict, dict]:
    """Export, empty the database, import the export with the CLI, export again. ``kinds``:
    body kinds to add again after emptying (an export names a body's kind, it does not define it)."""
    first = client.get("/api/v1/popolo.json")
    assert first.status_code == 200
    before = _snapshot()
    _empty_tables()
    for kind in kinds:
        body_kinds.add_kind(**kind)
    db.session.commit()
    path = tmp_path / "popolo.json"
    path.write_text(first.get_data(as_text=True), encoding="utf-8")
    result = runner.invoke(args=["deputies", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert _snapshot() == before
    return first.get_json(), client.get("/api/v1/popolo.json").get_json()


def test_export_round_trips_with_recalled_and_list_deputies(app, client, runner, make, tmp_path):
    body = make.body(name="Мәжіліс", seats_party_list=69)
    maslikhat = make.body(
        level=BodyLevel.OBLAST_MASLIKHAT, region="Karaganda", seats_total=32, seats_party_list=16
    )
    party = make.party(name="Amanat")
    serving = make.deputy(
        make.district(body, region="Алматы"), party=party, full_name="Сәрсенова Әйгерім"
    )
    recalled = make.deputy(
        make.district(body, region="Astana", voters_as_of=None),
        status=DeputyStatus.RECALLED,
        term_end=date(2025, 5, 1),
    )
    listed = make.deputy(mandate_type=MandateType.PARTY_LIST, body=body, party=party)
    make.deputy(make.district(maslikhat), status=DeputyStatus.RESIGNED, term_end=date(2024, 1, 9))
    db.session.commit()
    first, second = _round_trip(client, runner, tmp_path)

    memberships = {m["person_id"]: m for m in first["memberships"]}
    assert memberships[recalled.external_id]["end_reason"] == "recalled"
    assert memberships[recalled.external_id]["end_date"] == "2025-05-01"
    assert "end_reason" not in memberships[serving.external_id]
    assert "post_id" not in memberships[listed.external_id]
    assert memberships[listed.external_id]["on_behalf_of_id"] == "party/Amanat"
    persons = {p["id"]: p for p in first["persons"]}
    assert persons[serving.external_id]["name"] == "Сәрсенова Әйгерім"
    for key in ("areas", "posts", "persons", "memberships"):
        assert _canonical(second, key) == _canonical(first, key), key


def test_the_demo_data_round_trips(demo, client, runner, tmp_path):
    first, second = _round_trip(client, runner, tmp_path)
    assert len(first["persons"]) > 100
    for key in ("areas", "posts", "persons", "memberships"):
        assert _canonical(second, key) == _canonical(first, key), key


def test_districts_known_by_code_and_multi_member_seats_round_trip(
    app, client, runner, make, tmp_path
):
    kind = {
        "code": "ng_house",
        "names": {"en": "House"},
        "jurisdiction": "Nigeria",
        "new_jurisdiction": True,
    }
    body = make.body(kind=body_kinds.add_kind(**kind), seats_total=3, seats_party_list=0)
    ekiti = make.district(
        body, number=None, code="ekiti_central,_ekiti_state", name="Ekiti Central"
    )
    for n in (1, 2):
        make.deputy(
            ekiti,
            mandate_type=MandateType.MULTI_MEMBER,
            birth_date="1961" if n == 1 else None,
            identifiers=[{"scheme": "wikidata", "identifier": f"Q{n}"}],
        )
    make.deputy(make.district(body, number=4, code="NG-4", name="Four"))
    db.session.commit()
    first, second = _round_trip(client, runner, tmp_path, kinds=[kind])
    areas = {a["id"]: a for a in first["areas"]}
    assert (
        areas[f"area/{body.slug}/ekiti_central,_ekiti_state"]["code"]
        == "ekiti_central,_ekiti_state"
    )
    assert areas[f"area/{body.slug}/NG-4"]["identifier"] == "4"
    for key in ("organizations", "areas", "posts", "persons", "memberships"):
        assert _canonical(second, key) == _canonical(first, key), key
