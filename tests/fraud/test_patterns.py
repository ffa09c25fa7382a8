"""Patterns per petition and hour: a burst from one block and a domain flood are flagged once,
the commission is told and sees them; disposable domains refused or flagged (issue 18)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from recall.errors import Forbidden, Invalid
from recall.extensions import db
from recall.models import AuditEntry, Event, Role, Signature, SourceFlag
from recall.models.base import utcnow
from recall.notifications.recipients import resolve
from recall.services.fraud import patterns, settings, sources
from tests import factories
from tests.fraud.conftest import burst, scattered
from tests.signing.conftest import payload, sign_url


def _flags(petition):
    return {
        (f.dimension, f.value, f.reason, f.count, f.total)
        for f in db.session.scalars(
            sa.select(SourceFlag).where(SourceFlag.petition_id == petition.id)
        )
    }


def test_a_burst_from_one_block_and_a_domain_flood_are_flagged_once(app, watched):
    petition, commissioner, _outsider = watched
    now = utcnow()
    scattered(petition, 20, at=now)
    assert patterns.scan_sources(now) == 0  # ordinary signers: nothing stands out
    burst(petition, 30, domain="flood.kz", user_agent="python-requests/2.32", at=now)
    db.session.commit()

    assert patterns.scan_sources(now) == 3
    block = sources.block_hash_of("203.0.113.0/24")
    assert _flags(petition) == {
        ("block", block, "share", 30, 50),
        ("domain", "flood.kz", "share", 30, 50),
        ("user_agent", "python", "share", 30, 50),
    }
    flagged = db.session.scalars(
        sa.select(Event).where(Event.kind == "petition.source_flagged").order_by(Event.id)
    ).all()
    assert sorted(e.payload["dimension"] for e in flagged) == ["block", "domain", "user_agent"]
    flagged = sorted(flagged, key=lambda e: e.payload["dimension"])
    assert flagged[0].payload["source"] == block[:8]
    assert flagged[0].payload["share_percent"] == 60
    # The commission of the petition's body is told; the event carries no address.
    mailed = [t.address for t in resolve("body_commission", "email", flagged[0], petition)]
    assert commissioner.email in mailed
    assert "203.0.113" not in str(flagged[0].payload)
    # Scanning again flags nothing new: once per hour and source.
    db.session.commit()
    assert patterns.scan_sources(now) == 0


def test_a_rate_flag_needs_no_share(app, watched):
    petition, _c, _o = watched
    now = utcnow()
    settings.update_settings(
        None, flag_share=1.0, flag_min_count=5, flag_rate=10, disposable_email="allow"
    )
    scattered(petition, 40, at=now)
    burst(petition, 12, block="198.51.100", domain="mail.kz", at=now)
    db.session.commit()
    patterns.scan_sources(now)
    reasons = {(d, r) for d, _v, r, _n, _t in _flags(petition)}
    assert ("block", "rate") in reasons


def test_the_commission_sees_the_hourly_top_sources(client, login, watched):
    petition, commissioner, outsider = watched
    now = utcnow()
    scattered(petition, 10, at=now)
    burst(petition, 30, domain="flood.kz", at=now)
    db.session.commit()
    hours = patterns.hourly_sources(commissioner, petition.id, now=now)
    assert [h.total for h in hours] == [40]
    top = hours[0].rows["block"][0]
    assert (top.label, top.count, round(top.share, 2), top.flagged) == (
        sources.block_hash_of("203.0.113.1")[:8],
        30,
        0.75,
        True,
    )
    assert hours[0].rows["domain"][0].value == "flood.kz"
    assert len(hours[0].rows["block"]) == 5  # the top five

    login(commissioner)
    page = client.get(f"/commission/petitions/{petition.id}/sources")
    assert page.status_code == 200
    assert "flood.kz" in page.get_data(as_text=True)
    assert top.label in page.get_data(as_text=True)
    with pytest.raises(Forbidden):
        patterns.hourly_sources(outsider, petition.id)
    login(outsider)
    assert client.get(f"/commission/petitions/{petition.id}/sources").status_code == 403


def test_disposable_domains_are_refused_or_flagged_as_the_admin_sets(client, watched):
    petition, _c, _o = watched
    assert patterns.is_disposable("mailinator.com")
    assert patterns.is_disposable("x.mailinator.com")
    assert not patterns.is_disposable("mail.kz")
    settings.update_settings(
        None, flag_share=0.3, flag_min_count=20, flag_rate=300, disposable_email="refuse"
    )
    db.session.commit()
    refused = client.post(sign_url(petition), json=payload(petition, email="x@mailinator.com"))
    assert refused.status_code == 422
    assert refused.json["error"]["field"] == "email"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Signature)) == 0

    settings.update_settings(
        None, flag_share=0.3, flag_min_count=20, flag_rate=300, disposable_email="flag"
    )
    db.session.commit()
    accepted = client.post(sign_url(petition), json=payload(petition, email="x@mailinator.com"))
    assert accepted.status_code == 202
    assert patterns.scan_sources(utcnow()) == 1
    assert {(d, v, r) for d, v, r, _n, _t in _flags(petition)} == {
        ("domain", "mailinator.com", "disposable")
    }


def test_only_admins_change_settings_and_bad_values_write_nothing(client, login, app):
    admin = factories.user(role=Role.ADMIN)
    citizen = factories.user()
    db.session.commit()
    with pytest.raises(Forbidden):
        settings.update_settings(
            citizen, flag_share=0.5, flag_min_count=5, flag_rate=10, disposable_email="flag"
        )
    for bad in ({"flag_share": 0.0}, {"flag_min_count": 0}, {"disposable_email": "maybe"}):
        values = {
            "flag_share": 0.5,
            "flag_min_count": 5,
            "flag_rate": 10,
            "disposable_email": "flag",
        }
        with pytest.raises(Invalid) as caught:
            settings.update_settings(admin, **{**values, **bad})
        assert caught.value.field == next(iter(bad))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0

    login(admin)
    assert client.get("/admin/fraud").status_code == 200
    page = client.post(
        "/admin/fraud",
        data={
            "flag_share": "0.5",
            "flag_min_count": "7",
            "flag_rate": "70",
            "disposable_email": "refuse",
        },
    )
    assert page.status_code == 303
    now = settings.current_settings(fresh=True)
    assert (now.flag_share, now.flag_min_count, now.flag_rate, now.disposable_email) == (
        0.5,
        7,
        70,
        "refuse",
    )
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "fraud.settings_changed")
    )
    assert entry.actor_id == admin.id and entry.payload["after"]["flag_share"] == 500
    login(citizen)
    assert client.get("/admin/fraud").status_code == 403
