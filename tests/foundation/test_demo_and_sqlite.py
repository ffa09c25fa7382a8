"""Demo data, and the embedded SQLite path that `make run` uses."""

from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import upgrade

from recall import create_app
from recall.extensions import db
from recall.models import Body, BodyKind, BodyLevel, Deputy, District, MandateType, Role, User
from tests.conftest import base_config
from tests.demo_db import demo, pg_database  # noqa: F401 (fixtures)


def _count(query) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(query))


def test_demo_load_builds_kazakhstan_2023(demo):
    mazhilis = db.session.scalar(
        sa.select(Body).join(Body.kind).where(BodyKind.code == BodyLevel.MAZHILIS)
    )
    assert (mazhilis.seats_total, mazhilis.seats_party_list) == (98, 69)
    districts = list(db.session.scalars(sa.select(District).where(District.body_id == mazhilis.id)))
    assert len(districts) == 29
    by_region = {}
    for d in districts:
        by_region[d.region] = by_region.get(d.region, 0) + 1
    assert by_region["Almaty"] == 3 and by_region["Turkestan Region"] == 3
    assert [
        by_region[r]
        for r in ("Astana", "Shymkent", "Almaty Region", "Jambyl Region", "Karaganda Region")
    ] == [2] * 5
    assert sum(1 for n in by_region.values() if n == 1) == 13
    deputies = list(db.session.scalars(sa.select(Deputy).where(Deputy.body_id == mazhilis.id)))
    assert sum(d.mandate_type == MandateType.PARTY_LIST for d in deputies) == 69
    assert sum(d.mandate_type == MandateType.SINGLE_MANDATE for d in deputies) == 29
    assert all(d.is_demo and "(demo)" in d.full_name for d in deputies)
    oblast = db.session.scalar(
        sa.select(Body).join(Body.kind).where(BodyKind.code == BodyLevel.OBLAST_MASLIKHAT)
    )
    assert oblast.seats_party_list * 2 == oblast.seats_total
    district_level = db.session.scalar(
        sa.select(Body).join(Body.kind).where(BodyKind.code == BodyLevel.DISTRICT_MASLIKHAT)
    )
    assert (
        district_level.seats_party_list == 0
        and len(district_level.districts) == district_level.seats_total
    )
    assert 10_000_000 < sum(d.registered_voters for d in districts) < 14_000_000
    for role in Role:  # test_demo_output checks that the passwords `flask demo load` prints work
        user = db.session.scalar(
            sa.select(User).where(User.email == f"{role.value}@demo.recall.kz")
        )
        assert user is not None and user.has_role(role)


def test_demo_load_refuses_a_database_with_data(runner, make):
    make.body()
    db.session.commit()
    refused = runner.invoke(args=["demo", "load"])
    assert refused.exit_code != 0 and "not empty" in refused.output
    skipped = runner.invoke(args=["demo", "load", "--if-empty"])
    assert skipped.exit_code == 0 and "not loaded" in skipped.output
    assert _count(Body) == 1


def test_make_run_path_on_sqlite(tmp_path):
    """Migrate a fresh SQLite file, load the demo, and serve the main pages."""
    app = create_app(base_config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'recall.db'}"))
    with app.app_context():
        try:
            upgrade()
            result = app.test_cli_runner().invoke(args=["demo", "load", "--if-empty"])
            assert result.exit_code == 0, result.output
            deputy_id = db.session.scalar(
                sa.select(Deputy.id)
                .where(Deputy.mandate_type == MandateType.SINGLE_MANDATE)
                .limit(1)
            )
            district_id = db.session.scalar(sa.select(District.id).limit(1))
        finally:
            db.session.remove()
    client = app.test_client()
    for path in (
        "/",
        "/deputies",
        "/deputies?mandate_type=party_list&page=2",
        f"/deputies/{deputy_id}",
        f"/districts/{district_id}",
        "/login",
        "/api/v1/deputies",
    ):
        assert client.get(path).status_code == 200, path
    with app.app_context():
        db.engine.dispose()


def test_directory_filters(client, make):
    body = make.body()
    almaty = make.district(body, region="Almaty")
    astana = make.district(body, region="Astana")
    party = make.party()
    make.deputy(almaty, full_name="Alpha One", party=party)
    make.deputy(astana, full_name="Beta Two")
    from recall.models import MandateType as M

    make.deputy(full_name="Gamma List", mandate_type=M.PARTY_LIST, body=body, party=party)
    db.session.commit()

    def names(**query):
        return [
            d["full_name"]
            for d in client.get("/api/v1/deputies", query_string=query).get_json()["items"]
        ]

    assert names(region="Almaty") == ["Alpha One"]
    assert names(party=party.id) == ["Alpha One", "Gamma List"]
    assert names(mandate_type="party_list") == ["Gamma List"]
    assert names(district=astana.id) == ["Beta Two"]
    assert names(q="beta") == ["Beta Two"]
    page = client.get("/api/v1/deputies", query_string={"per_page": 2, "page": 2}).get_json()
    assert (
        page["meta"] == {"page": 2, "per_page": 2, "total": 3, "pages": 2}
        and len(page["items"]) == 1
    )
    html = client.get("/deputies", query_string={"region": "Astana"}).get_data(as_text=True)
    assert "Beta Two" in html and "Alpha One" not in html


def test_seed_inserts_reference_data_once(runner):
    from recall.models import RecallRuleVersion
    from recall.models.notifications import NotificationRule
    from recall.models.promise import Topic
    from recall.models.verification import ReasonCode

    models = (RecallRuleVersion, Topic, ReasonCode, NotificationRule, BodyKind)
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    assert "added 3 body kinds" in first.output
    counts = [_count(m) for m in models]
    assert counts[0] == 6 and counts[-1] == 3 and all(n > 0 for n in counts)
    second = runner.invoke(args=["seed"])
    assert "added 0 body kinds, 0 reason codes and 0 notification rules" in second.output
    assert [_count(m) for m in models] == counts
