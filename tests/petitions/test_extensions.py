"""Signing-period extensions (issue 10): a commissioner records an outage or another cause and
extends a collecting petition's period; audited, shown on the page and in the API, bounded in all
by the rule's ``max_extension_days``; signing follows the new end at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from recall.errors import Conflict, Forbidden, Invalid
from recall.extensions import db
from recall.models import AuditEntry, PetitionExtension, Role
from recall.models.base import utcnow
from recall.services import audit
from recall.services.petitions import extensions
from recall.services.signing import online

OUTAGE = "eGov and mobile internet were down in the district from 5 to 9 January."


@pytest.fixture
def collecting(app, make):
    """A collecting KZ petition (the preset allows 14 days of extensions) ending in an hour."""
    deputy = make.deputy()
    now = utcnow()
    petition = make.petition(
        deputy, opens_at=now - timedelta(days=29), closes_at=now + timedelta(hours=1)
    )
    commissioner = make.user(role=Role.COMMISSIONER, commission_body=deputy.body)
    return petition, commissioner


def _rows(petition):
    return db.session.scalars(
        sa.select(PetitionExtension).where(PetitionExtension.petition_id == petition.id)
    ).all()


def test_an_extension_moves_the_end_and_is_audited(collecting):
    petition, commissioner = collecting
    before = petition.closes_at
    ext = extensions.extend_signing(commissioner, petition.id, 4, "outage", f"  {OUTAGE} ")
    assert petition.closes_at == before + timedelta(days=4) == ext.closes_at
    assert (ext.days, ext.cause, ext.description, ext.previous_closes_at) == (
        4,
        "outage",
        OUTAGE,
        before,
    )
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "petition.extended")
    ).one()
    assert entry.actor_id == commissioner.id and entry.subject_id == petition.id
    assert entry.payload["days"] == 4 and entry.payload["days_used"] == 4
    assert entry.payload["closes_at"] == petition.closes_at.isoformat()
    assert OUTAGE not in str(entry.payload)  # free text: only its hash in the log
    assert audit.verify_chain().problem == ""


def test_extensions_stay_within_the_rule_in_all(collecting):
    petition, commissioner = collecting
    extensions.extend_signing(commissioner, petition.id, 10, "outage", OUTAGE)
    end = petition.closes_at
    with pytest.raises(Invalid) as err:
        extensions.extend_signing(commissioner, petition.id, 5, "other", "Floods.")
    assert err.value.field == "days"
    assert err.value.message == (
        "The rule allows at most 14 days of extensions in all; 10 are used, so at most 4 more."
    )
    assert petition.closes_at == end and len(_rows(petition)) == 1
    extensions.extend_signing(commissioner, petition.id, 4, "other", "Floods.")
    assert petition.closes_at == end + timedelta(days=4) and len(_rows(petition)) == 2


@pytest.mark.parametrize(
    ("days", "cause", "description", "field"),
    [
        (0, "outage", OUTAGE, "days"),
        ("3", "outage", OUTAGE, "days"),
        (3, "weather", OUTAGE, "cause"),
        (3, "outage", "   ", "description"),
        (3, "outage", "x" * 2001, "description"),
    ],
)
def test_bad_input_writes_nothing(collecting, days, cause, description, field):
    petition, commissioner = collecting
    end = petition.closes_at
    with pytest.raises(Invalid) as err:
        extensions.extend_signing(commissioner, petition.id, days, cause, description)
    assert err.value.field == field
    assert petition.closes_at == end and _rows(petition) == []


def test_who_and_when(collecting, make):
    petition, commissioner = collecting
    for outsider in (make.user(), make.user(role=Role.COMMISSIONER, commission_body=make.body())):
        with pytest.raises(Forbidden):
            extensions.extend_signing(outsider, petition.id, 1, "outage", OUTAGE)
    no_extension = make.petition(rule_version=make.rule_version("uk_recall_of_mps_2015"))
    uk_commissioner = make.user(role=Role.COMMISSIONER, commission_body=no_extension.body)
    with pytest.raises(Conflict) as err:
        extensions.extend_signing(uk_commissioner, no_extension.id, 1, "outage", OUTAGE)
    assert (
        err.value.message == "The rule of this petition allows no extension of the signing period."
    )
    with pytest.raises(Conflict):  # its period is over: only an open period is extended
        extensions.extend_signing(
            commissioner, petition.id, 1, "outage", OUTAGE, now=petition.closes_at
        )
    assert _rows(petition) == []


def test_signing_follows_the_new_end_at_once(collecting, make):
    """The signing window is cached per process; a signature after the old end is still taken
    once the period is extended, without waiting for the cache to expire."""
    petition, commissioner = collecting
    end = petition.closes_at
    db.session.commit()

    def sign(now):
        return online.sign_petition(
            petition_id=petition.id,
            full_name="Aigerim Omarova",
            iin=make.iin(),
            email=f"voter{make.iin()}@example.org",
            district_id=petition.district_id,
            consent=True,
            now=now,
        )

    sign(end - timedelta(minutes=5))  # caches the window
    with pytest.raises(Invalid, match="closed"):
        sign(end + timedelta(minutes=5))
    extensions.extend_signing(commissioner, petition.id, 2, "outage", OUTAGE)
    db.session.commit()
    assert sign(end + timedelta(minutes=5)).receipt


def test_page_api_and_form(client, login, collecting):
    petition, commissioner = collecting
    db.session.commit()
    login(commissioner)
    page = client.get(f"/petitions/{petition.id}").get_data(as_text=True)
    assert "at most 14 days of extensions in all" in page
    refused = client.post(
        f"/petitions/{petition.id}/extend",
        data={"days": 20, "cause": "outage", "description": OUTAGE},
    )
    assert refused.status_code == 422 and "so at most 14 more" in refused.get_data(as_text=True)
    done = client.post(
        f"/petitions/{petition.id}/extend",
        data={"days": 3, "cause": "outage", "description": OUTAGE},
    )
    assert done.status_code == 303
    db.session.expire_all()
    page = client.get(f"/petitions/{petition.id}").get_data(as_text=True)
    assert "Extended by 3 days" in page and OUTAGE in page
    body = client.get(f"/api/v1/petitions/{petition.id}").get_json()
    assert body["max_extension_days"] == 14
    (ext,) = body["extensions"]
    assert (ext["days"], ext["cause"], ext["description"]) == (3, "outage", OUTAGE)
    assert body["closes_at"] == ext["closes_at"]
