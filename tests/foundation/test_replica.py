"""DATABASE_REPLICA_URL: the public read pages read a second database; nothing else touches it.

The "replica" is a second PostgreSQL database with the same ids but different names and counts,
made read-only as a hot standby is (``default_transaction_read_only``), so a write routed there
would fail the request. Each page shows which database it read.
"""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from recall import create_app
from recall.extensions import db
from recall.models import PetitionState, Role, Signature
from recall.models.counting import PetitionCountShard
from recall.replica import REPLICA_BIND, is_lag_tolerant, replica_reads
from tests import factories
from tests.conftest import base_config, create_database, drop_database, pg_url

WRITABLE = {"connect_args": {"options": "-c default_transaction_read_only=off"}}


@pytest.fixture(scope="module")
def replica_name(pg_database):
    name = f"{pg_database}_replica_{uuid.uuid4().hex[:4]}"
    create_database(name)
    app = create_app(base_config(SQLALCHEMY_DATABASE_URI=pg_url(name)))
    with app.app_context():
        db.create_all()
        with db.engine.connect() as conn:
            conn.execute(sa.text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
            conn.commit()
        db.engine.dispose()
    yield name
    drop_database(name)


@pytest.fixture
def app_config(replica_name):
    return {"DATABASE_REPLICA_URL": pg_url(replica_name)}


def _world(label: str, count: int):
    """Body, district, deputy, a collecting petition with a public count, a promise: named ``label``."""
    deputy = factories.deputy(full_name=f"Deputy {label}")
    deputy.district.name = f"District {label}"
    rule = factories.rule_version(running_count_public=True)
    petition = factories.petition(deputy, rule_version=rule, required=100)
    petition.grounds = f"Grounds {label}: " + "the promised school was never built. " * 2
    db.session.add(PetitionCountShard(petition_id=petition.id, shard=0, confirmed=count))
    db.session.flush()
    return deputy, petition


@pytest.fixture
def worlds(app, replica_name):
    """The same ids in both databases: 'Primary' with 3 signatures, 'Replica' with 7."""
    fill = create_app(
        base_config(
            SQLALCHEMY_DATABASE_URI=pg_url(replica_name), SQLALCHEMY_ENGINE_OPTIONS=WRITABLE
        )
    )
    with fill.app_context():
        _world("Replica", 7)
        db.session.commit()
    deputy, petition = _world("Primary", 3)
    db.session.commit()
    yield deputy, petition
    with fill.app_context():
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
            conn.execute(
                sa.text("SELECT setval(c.oid, 1, false) FROM pg_class c WHERE c.relkind = 'S'")
            )
        db.engine.dispose()


def _replica_rows(app, model) -> int:
    with app.app_context(), db.engines[REPLICA_BIND].connect() as conn:
        return conn.scalar(sa.select(sa.func.count()).select_from(model))


PUBLIC_READS = [
    "/",
    "/deputies",
    "/deputies/{deputy}",
    "/districts/{district}",
    "/petitions",
    "/petitions/{petition}",
    "/api/v1/deputies",
    "/api/v1/deputies/{deputy}",
    "/api/v1/districts/{district}",
    "/api/v1/petitions",
    "/api/v1/petitions/{petition}",
]


def test_public_read_pages_read_the_replica(client, worlds):
    deputy, petition = worlds
    ids = {"deputy": deputy.id, "district": deputy.district_id, "petition": petition.id}
    for template in PUBLIC_READS:
        path = template.format(**ids)
        response = client.get(path)
        assert response.status_code == 200, path
        text = response.get_data(as_text=True)
        assert "Primary" not in text, path
        if "{" in template or "deputies" in template or "petitions" in template:
            assert "Replica" in text, path
    page = client.get(f"/petitions/{petition.id}").get_data(as_text=True)
    assert "7 confirmed signatures of 100 required" in page
    assert client.get(f"/api/v1/petitions/{petition.id}").get_json()["signatures"]["confirmed"] == 7


def test_signing_and_commission_pages_use_the_primary_only(app, client, login, worlds):
    deputy, petition = worlds
    answer = client.post(
        f"/api/v1/petitions/{petition.id}/signatures",
        json={
            "iin": factories.iin(),
            "full_name": "Aigerim Omarova",
            "email": "a@example.org",
            "district_id": deputy.district_id,
            "consent": True,
        },
    )
    assert answer.status_code == 202, answer.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Signature)) == 1
    assert _replica_rows(app, Signature) == 0
    commissioner = factories.user(Role.COMMISSIONER, commission_body=deputy.body)
    db.session.commit()
    login(commissioner)
    page = client.get("/commission/").get_data(as_text=True)
    assert "Primary" in page and "Replica" not in page
    sign_page = client.get(f"/petitions/{petition.id}/sign").get_data(as_text=True)
    assert "Primary" in sign_page and "Replica" not in sign_page


def test_the_signed_in_user_comes_from_the_primary_and_a_writer_reads_its_writes(
    client, login, worlds
):
    _deputy, petition = worlds
    # This user exists in the primary only: the replica page still knows who is signed in.
    citizen = factories.user(Role.CITIZEN, display_name="Only In Primary")
    db.session.commit()
    login(citizen)
    page = client.get(f"/petitions/{petition.id}").get_data(as_text=True)
    assert "Replica" in page and "Only In Primary" in page
    # A browser that has just committed a write reads the primary for a few seconds.
    refused = client.post(f"/notifications/follow/petition/{petition.id}", data={"channel": "x"})
    assert refused.status_code == 422  # rolled back: nothing written, still the replica
    assert "Replica" in client.get(f"/petitions/{petition.id}").get_data(as_text=True)
    followed = client.post(
        f"/notifications/follow/petition/{petition.id}", data={"channel": "email"}
    )
    assert followed.status_code in (302, 303)
    assert "Primary" in client.get(f"/petitions/{petition.id}").get_data(as_text=True)


def test_a_session_that_wrote_reads_its_own_writes_from_the_primary(app, worlds):
    _deputy, petition = worlds
    with replica_reads():
        assert db.session.get(
            type(petition), petition.id, populate_existing=True
        ).grounds.startswith("Grounds Replica")
        petition.state = PetitionState.COLLECTING
        petition.grounds = "Grounds Changed: " + "y" * 60
        db.session.flush()
        read = db.session.scalar(
            sa.select(type(petition).grounds).where(type(petition).id == petition.id)
        )
        assert read.startswith("Grounds Changed")
    db.session.rollback()
    with replica_reads():
        read = db.session.scalar(
            sa.select(type(petition).grounds).where(type(petition).id == petition.id)
        )
        assert read.startswith("Grounds Replica")


def test_only_public_get_pages_are_lag_tolerant(app):
    marked = {
        rule.endpoint: rule
        for rule in app.url_map.iter_rules()
        if is_lag_tolerant(app, rule.endpoint)
    }
    assert "petitions.show_petition" in marked and "public.list_deputies" in marked
    for endpoint, rule in marked.items():
        assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, endpoint
        assert not endpoint.startswith(("commission", "signing", "admin", "auth", "rules")), (
            endpoint
        )
        assert "/commission" not in rule.rule and "sign" not in rule.rule, endpoint


def test_without_a_replica_url_there_is_no_replica_bind(pg_database):
    app = create_app(base_config(SQLALCHEMY_DATABASE_URI=pg_url(pg_database)))
    with app.app_context():
        assert REPLICA_BIND not in db.engines
        with replica_reads():
            assert db.session.get_bind(clause=sa.select(1)) is db.engine
