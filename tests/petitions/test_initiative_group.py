"""The initiative group is made of voters of the district (issue 10): each member gives their IIN,
kept as the signers' keyed hash; checked for checksum, age and, where a roll covering the district
is in force, registration in the district; the commission sees each member's check; the minimum
counts eligible members only."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from recall.errors import Conflict, Invalid
from recall.extensions import db
from recall.models import InitiativeMember, PetitionState
from recall.models.base import utcnow
from recall.services.iin_hash import hash_iin
from recall.services.petitions import initiative
from recall.services.petitions import lifecycle as petitions
from recall.services.signing.counting import local_day


def _invite(flow, make, petition):
    member = make.user()
    petitions.invite_member(flow.initiator, petition.id, member.email)
    return member


def _checks(petition):
    db.session.refresh(petition)
    return {c.member.user_id: c.check for c in initiative.member_checks(petition)}


def test_an_iin_is_checked_and_kept_only_as_its_keyed_hash(flow, make):
    petition = flow.open()
    member = _invite(flow, make, petition)
    with pytest.raises(Invalid) as err:
        petitions.confirm_membership(member, petition.id, "061211600013")  # wrong check digit
    assert err.value.field == "iin"
    row = db.session.scalars(
        sa.select(InitiativeMember).where(InitiativeMember.user_id == member.id)
    ).one()
    assert row.confirmed_at is None and row.iin_hash is None  # nothing written
    iin = make.iin(date(1990, 4, 2))
    petitions.confirm_membership(member, petition.id, f" {iin[:6]} {iin[6:]} ")
    assert row.confirmed_at is not None
    assert row.iin_hash == hash_iin(iin) and row.birth_date == date(1990, 4, 2)
    assert iin not in repr(db.session.execute(sa.select(InitiativeMember.__table__)).all())


def test_one_iin_counts_once_in_a_group(flow, make):
    petition = flow.open()
    iin = make.iin()
    first, second = _invite(flow, make, petition), _invite(flow, make, petition)
    petitions.confirm_membership(first, petition.id, iin)
    with pytest.raises(Conflict) as err:
        petitions.confirm_membership(second, petition.id, iin)
    assert (
        err.value.message == "This IIN is already given by another member of the initiative group."
    )
    assert _checks(petition)[second.id] == "no_iin"


def test_the_minimum_counts_eligible_members_only(flow, make):
    """Ten confirmed members, one of them 17 and one (the initiator) without an IIN: 8 count."""
    petition = petitions.open_petition(flow.initiator, flow.deputy.id, "g" * 60)
    flow.fill_group(petition, size=9)
    minor = _invite(flow, make, petition)
    today = local_day(utcnow())
    petitions.confirm_membership(minor, petition.id, make.iin(date(today.year - 17, 1, 1)))
    checks = _checks(petition)
    assert checks[flow.initiator.id] == "no_iin" and checks[minor.id] == "under_age"
    assert initiative.eligible_count(initiative.member_checks(petition)) == 8
    with pytest.raises(Conflict) as err:
        petitions.submit_petition(flow.initiator, petition.id)
    assert err.value.message.endswith("it has 8.")
    petitions.confirm_membership(flow.initiator, petition.id, make.iin())  # the initiator's own IIN
    late = _invite(flow, make, petition)
    petitions.confirm_membership(late, petition.id, make.iin())
    petitions.submit_petition(flow.initiator, petition.id)
    assert petition.state == PetitionState.SUBMITTED


def test_with_a_roll_in_force_members_must_be_registered_in_the_district(flow, make, tmp_path):
    body = flow.deputy.body
    number = flow.deputy.district.number
    other = make.district(body, number=number + 1)
    on_roll, elsewhere, absent = make.iin(), make.iin(), make.iin()
    initiator_iin = make.iin()
    make.load_roll(
        body,
        tmp_path / "roll.csv",
        [
            (initiator_iin, "Initiator Voter", number, "A"),
            (on_roll, "On Roll", number, "A"),
            (elsewhere, "Else Where", other.number, "A"),
        ],
        as_of=date(2026, 2, 1),
    )
    petition = petitions.open_petition(flow.initiator, flow.deputy.id, "g" * 60)
    petitions.confirm_membership(flow.initiator, petition.id, initiator_iin)
    members = {}
    for name, iin in (("on_roll", on_roll), ("elsewhere", elsewhere), ("absent", absent)):
        members[name] = _invite(flow, make, petition)
        petitions.confirm_membership(members[name], petition.id, iin)
    checks = _checks(petition)
    assert checks[members["on_roll"].id] == "eligible"
    assert checks[members["elsewhere"].id] == "other_district"
    assert checks[members["absent"].id] == "not_on_roll"
    assert checks[flow.initiator.id] == "eligible"
    assert initiative.eligible_count(initiative.member_checks(petition)) == 2


def test_the_commission_sees_each_members_check_the_public_does_not(client, login, make, flow):
    petition = flow.open()
    minor = _invite(flow, make, petition)
    today = local_day(utcnow())
    petitions.confirm_membership(minor, petition.id, make.iin(date(today.year - 16, 6, 1)))
    db.session.commit()
    public = client.get(f"/petitions/{petition.id}").get_data(as_text=True)
    assert 'data-check="under_age"' not in public
    assert "1 confirmed members who are voters of the district, of at least 10" in public
    login(flow.commissioner)
    page = client.get(f"/petitions/{petition.id}").get_data(as_text=True)
    assert 'data-check="under_age"' in page and 'data-check="eligible"' in page
    login(minor)
    own = client.get(f"/petitions/{petition.id}").get_data(as_text=True)
    assert own.count("data-check=") == 1 and 'data-check="under_age"' in own


def test_the_confirm_form_refuses_a_bad_iin_with_its_message(client, login, make, flow):
    petition = flow.open()
    member = _invite(flow, make, petition)
    db.session.commit()
    login(member)
    response = client.post(f"/petitions/{petition.id}/confirm", data={"iin": "12345"})
    assert response.status_code == 422
    assert "The IIN must be exactly 12 digits." in response.get_data(as_text=True)
    db.session.expire_all()
    row = db.session.scalars(
        sa.select(InitiativeMember).where(InitiativeMember.user_id == member.id)
    ).one()
    assert row.confirmed_at is None and row.iin_hash is None
