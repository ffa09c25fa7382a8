"""An administrator sets a district's voters at the election and its date (issue 10), the
figure a rule with the electorate basis ``election`` counts: audited, refused for bad input with
nothing written, and used by the next registration."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from recall.extensions import db
from recall.models import AuditEntry, District, PetitionState, Role
from recall.models.base import utcnow
from recall.services.petitions import lifecycle as petitions


def test_the_admin_form_sets_the_figures_and_registration_uses_them(client, login, make, flow):
    admin, citizen = make.user(is_admin=True), make.user()
    district = flow.deputy.district
    db.session.commit()
    url = f"/admin/districts/{district.id}/election"
    login(citizen)
    assert client.get(url).status_code == 403
    login(admin)
    assert client.get(url).status_code == 200
    bad = client.post(url, data={"voters_at_election": "0", "election_date": "2023-03-19"})
    assert bad.status_code == 422 and "1 or more" in bad.get_data(as_text=True)
    future = (utcnow().date() + timedelta(days=3)).isoformat()
    bad = client.post(url, data={"voters_at_election": "52000", "election_date": future})
    assert bad.status_code == 422 and "cannot be in the future" in bad.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(District, district.id).voters_at_election is None
    done = client.post(url, data={"voters_at_election": "52000", "election_date": "2023-03-19"})
    assert done.status_code in (302, 303)
    db.session.expire_all()
    saved = db.session.get(District, district.id)
    assert (saved.voters_at_election, saved.election_date) == (52000, date(2023, 3, 19))
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "district.election_figures")
    ).one()
    assert entry.actor_id == admin.id and entry.payload["voters_at_election"] == 52000
    page = client.get(f"/districts/{district.id}").get_data(as_text=True)
    assert (
        "Registered voters at the election" in page and "52,000" in page
    )  # thousands per locale (issue 14)

    # A Philippine rule counts the share against these voters.
    version = make.rule_version("philippines_ra_9244")
    petition = make.petition(flow.deputy, state=PetitionState.SUBMITTED, rule_version=version)
    commissioner = make.user(role=Role.COMMISSIONER, commission_body=flow.deputy.body)
    petitions.register_petition(commissioner, petition.id)
    assert petition.registered_voters == 52000
    assert petition.required_signatures == 10400  # 20% of 52,000 (band up to 75,000)
