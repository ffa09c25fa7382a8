"""The petition lifecycle services: who may do what, from which state, and what is frozen."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from recall.errors import Conflict, Forbidden, Invalid
from recall.extensions import db
from recall.models import (
    BodyRecallRule,
    DeputyStatus,
    Event,
    InitiativeMember,
    MandateType,
    Petition,
    PetitionState,
    Role,
)
from recall.models.base import utcnow
from recall.services.petitions import lifecycle as petitions
from recall.services.rules import recall_rules
from tests.petitions.conftest import GROUNDS

S = PetitionState


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _kinds() -> list[str]:
    return list(db.session.scalars(sa.select(Event.kind).order_by(Event.id)))


def test_open_freezes_rule_and_makes_initiator_a_confirmed_member(flow):
    petition = flow.open()
    assert petition.state == S.GATHERING_GROUP
    assert petition.rule_version.key == "kz_mazhilis_single_mandate"
    assert (
        petition.district_id == flow.deputy.district_id and petition.body_id == flow.deputy.body_id
    )
    assert [(m.user_id, m.confirmed_at is not None) for m in petition.members] == [
        (flow.initiator.id, True)
    ]
    assert _kinds() == ["petition.opened"]


@pytest.mark.parametrize("grounds", ["", "x" * 49, "x" * 5001, " " * 80])
def test_grounds_length_is_bounded(flow, grounds):
    with pytest.raises(Invalid) as err:
        flow.open(grounds=grounds)
    assert err.value.field == "grounds"
    assert "50 to 5000 characters" in err.value.message
    assert _count(Petition) == 0 and _count(Event) == 0


def test_grounds_bounds_are_inclusive(flow, make):
    assert flow.open(grounds="y" * 50).grounds == "y" * 50
    other = make.deputy()
    assert len(flow.open(deputy_id=other.id, grounds="z" * 5000).grounds) == 5000


def test_unknown_deputy_is_invalid(flow):
    with pytest.raises(Invalid) as err:
        flow.open(deputy_id=999_999)
    assert (err.value.field, err.value.message) == ("deputy_id", "Choose a deputy.")
    assert _count(Petition) == 0 and _count(Event) == 0


def test_one_active_petition_per_deputy(flow, make):
    flow.open()
    with pytest.raises(Conflict) as err:
        flow.open(actor=make.user())
    assert err.value.field == "deputy_id" and "already an active petition" in err.value.message
    assert _count(Petition) == 1


def test_new_petition_allowed_after_the_previous_ended(flow):
    first = flow.submitted()
    petitions.reject_petition(flow.commissioner, first.id, "Grounds not related to the mandate")
    second = flow.open()
    assert second.id != first.id and second.state == S.GATHERING_GROUP


def test_active_index_is_enforced_by_the_database(flow, make):
    first = flow.open()
    with pytest.raises(sa.exc.IntegrityError):
        make.petition(
            first.deputy, state=first.state, rule_version=first.rule_version, grounds=GROUNDS
        )
    db.session.rollback()


def test_party_list_deputy_cannot_be_recalled(flow, make):
    listed = make.deputy(mandate_type=MandateType.PARTY_LIST)
    with pytest.raises(Conflict) as err:
        flow.open(deputy_id=listed.id)
    assert (err.value.field, err.value.message) == (
        "deputy_id",
        "Deputies elected by party list cannot be recalled by voters.",
    )
    assert _count(Petition) == 0 and _count(Event) == 0


def test_deputy_not_serving_cannot_be_recalled(flow, make):
    gone = make.deputy(status=DeputyStatus.RESIGNED)
    with pytest.raises(Conflict) as err:
        flow.open(deputy_id=gone.id)
    assert (err.value.field, err.value.message) == (
        "deputy_id",
        "This deputy no longer holds the mandate.",
    )
    assert _count(Petition) == 0 and _count(Event) == 0


def test_invite_and_confirm(flow, make):
    petition = flow.open()
    member = make.user()
    invitation = petitions.invite_member(flow.initiator, petition.id, member.email.upper())
    assert invitation.confirmed_at is None
    event = db.session.scalars(sa.select(Event).where(Event.kind == "initiative.invited")).one()
    assert (event.subject_type, event.subject_id, event.payload["user_id"]) == (
        "petition",
        petition.id,
        member.id,
    )
    assert petitions.pending_invitations(member) == [invitation]
    petitions.confirm_membership(member, petition.id, make.iin())
    assert invitation.confirmed_at is not None
    assert petitions.pending_invitations(member) == []


def test_only_the_initiator_invites(flow, make):
    petition = flow.open()
    with pytest.raises(Forbidden) as err:
        petitions.invite_member(make.user(), petition.id, make.user().email)
    assert err.value.message == "Only the initiator of this petition may do this."
    assert _count(InitiativeMember) == 1 and _kinds() == ["petition.opened"]


def test_invite_unknown_email_and_twice(flow, make):
    petition = flow.open()
    with pytest.raises(Invalid) as err:
        petitions.invite_member(flow.initiator, petition.id, "nobody@example.org")
    assert err.value.field == "email" and "register first" in err.value.message
    member = make.user()
    petitions.invite_member(flow.initiator, petition.id, member.email)
    with pytest.raises(Conflict) as err:
        petitions.invite_member(flow.initiator, petition.id, member.email)
    assert (err.value.field, err.value.message) == (
        "email",
        f"{member.display_name} is already invited.",
    )
    assert _count(InitiativeMember) == 2 and _kinds() == ["petition.opened", "initiative.invited"]


def test_confirm_without_invitation_is_forbidden(flow, make):
    petition = flow.open()
    with pytest.raises(Forbidden) as err:
        petitions.confirm_membership(make.user(), petition.id, make.iin())
    assert err.value.message == "You have not been invited into this initiative group."
    assert _count(InitiativeMember) == 1


def test_submit_needs_a_large_enough_group(flow):
    petition = flow.fill_group(flow.open(), size=9)
    with pytest.raises(Conflict) as err:
        petitions.submit_petition(flow.initiator, petition.id)
    assert err.value.message == (
        "The initiative group needs at least 10 confirmed members who are voters of the "
        "district (the initiator included); it has 9."
    )
    assert petition.state == S.GATHERING_GROUP and petition.submitted_at is None
    flow.fill_group(petition, size=10)
    petitions.submit_petition(flow.initiator, petition.id)
    assert petition.state == S.SUBMITTED and petition.submitted_at is not None
    assert _kinds()[-1] == "petition.submitted"


def test_unconfirmed_invitations_do_not_count(flow, make):
    petition = flow.fill_group(flow.open(), size=9)
    petitions.invite_member(flow.initiator, petition.id, make.user().email)
    with pytest.raises(Conflict) as err:
        petitions.submit_petition(flow.initiator, petition.id)
    assert err.value.message.endswith("it has 9.")
    assert petition.state == S.GATHERING_GROUP and "petition.submitted" not in _kinds()


def test_only_the_initiator_submits(flow):
    petition = flow.fill_group(flow.open())
    member = petition.members[1].user
    with pytest.raises(Forbidden) as err:
        petitions.submit_petition(member, petition.id)
    assert err.value.message == "Only the initiator of this petition may do this."
    assert petition.state == S.GATHERING_GROUP and "petition.submitted" not in _kinds()


def test_register_freezes_numbers(flow):
    petition = flow.submitted()
    petition.district.registered_voters = 123_457
    before = utcnow()
    petitions.register_petition(flow.commissioner, petition.id)
    assert petition.state == S.COLLECTING
    assert petition.registered_voters == 123_457
    assert petition.required_signatures == 37_038  # ceil(30% of 123,457)
    assert before <= petition.opens_at <= utcnow()
    assert petition.closes_at - petition.opens_at == timedelta(days=30)
    assert petition.registered_by_id == flow.commissioner.id
    event = db.session.scalars(sa.select(Event).where(Event.kind == "petition.registered")).one()
    assert event.payload["required_signatures"] == 37_038
    # Later changes to the district do not change the petition.
    petition.district.registered_voters = 500_000
    db.session.flush()
    db.session.expire(petition)
    assert (petition.registered_voters, petition.required_signatures) == (123_457, 37_038)


def test_commissioner_of_another_body_is_forbidden(flow, make):
    petition = flow.submitted()
    outsider = make.user(role=Role.COMMISSIONER)
    message = f"Only a commissioner of {petition.body.name} may decide on this petition."
    with pytest.raises(Forbidden) as err:
        petitions.register_petition(outsider, petition.id)
    assert err.value.message == message
    with pytest.raises(Forbidden) as err:
        petitions.reject_petition(outsider, petition.id, "No")
    assert err.value.message == message
    assert petition.state == S.SUBMITTED and petition.required_signatures is None
    assert _kinds()[-1] == "petition.submitted"


def test_citizen_cannot_register(flow):
    petition = flow.submitted()
    with pytest.raises(Forbidden) as err:
        petitions.register_petition(flow.initiator, petition.id)
    assert (
        err.value.message
        == f"Only a commissioner of {petition.body.name} may decide on this petition."
    )
    assert petition.state == S.SUBMITTED and "petition.registered" not in _kinds()


def test_register_twice_is_a_conflict(flow):
    petition = flow.collecting()
    with pytest.raises(Conflict) as err:
        petitions.register_petition(flow.commissioner, petition.id)
    assert (
        err.value.message
        == "A petition that is collecting signatures cannot become collecting signatures."
    )
    assert _kinds().count("petition.registered") == 1


def test_register_before_submission_is_a_conflict(flow):
    petition = flow.open()
    with pytest.raises(Conflict) as err:
        petitions.register_petition(flow.commissioner, petition.id)
    assert err.value.message == (
        "A petition that is gathering its initiative group cannot become collecting signatures."
    )
    assert petition.state == S.GATHERING_GROUP and petition.registered_voters is None
    assert "petition.registered" not in _kinds()


def test_reject_needs_a_reason(flow):
    petition = flow.submitted()
    with pytest.raises(Invalid) as err:
        petitions.reject_petition(flow.commissioner, petition.id, "  ")
    assert (err.value.field, err.value.message) == ("reason", "Give the reason.")
    assert petition.state == S.SUBMITTED and "petition.rejected" not in _kinds()
    petitions.reject_petition(flow.commissioner, petition.id, "Grounds do not concern the deputy")
    assert (
        petition.state == S.REJECTED
        and petition.rejection_reason == "Grounds do not concern the deputy"
    )
    assert _kinds()[-1] == "petition.rejected"


def test_initiator_may_withdraw_before_submitting(flow):
    petition = flow.open()
    petitions.withdraw_petition(flow.initiator, petition.id, "We changed our minds")
    assert petition.state == S.REJECTED
    event = db.session.scalars(sa.select(Event).where(Event.kind == "petition.rejected")).one()
    assert event.payload["withdrawn"] is True


def test_rule_version_is_frozen_after_a_rule_edit(flow, make):
    petition = flow.open()
    original = petition.rule_version
    admin = make.user(role=Role.ADMIN)
    data = dict(original.data, key="kz_mazhilis_strict", signing_days=45, min_initiative_group=3)
    copy = recall_rules.copy_rule(admin, original.id, data)
    recall_rules.assign_rule(admin, flow.deputy.body_id, copy.id)
    assert petition.rule_version_id == original.id
    flow.fill_group(petition, size=10)
    petitions.submit_petition(flow.initiator, petition.id)
    petitions.register_petition(flow.commissioner, petition.id)
    assert petition.closes_at - petition.opens_at == timedelta(days=30)  # the frozen rule's period
    # A new petition against another deputy of that body runs under the copy.
    other = flow.open(deputy_id=make.deputy(make.district(flow.deputy.body)).id)
    assert other.rule_version_id == copy.id
    assert db.session.get(BodyRecallRule, flow.deputy.body_id).rule_version_id == copy.id


def test_close_due_petitions_is_on_time_and_idempotent(flow, make):
    petition = flow.collecting()
    assert petitions.close_due_petitions(petition.closes_at - timedelta(seconds=1)) == 0
    assert petition.state == S.COLLECTING
    assert petitions.close_due_petitions(petition.closes_at) == 1
    assert petition.state == S.CLOSED and petition.closed_at is not None
    assert petitions.close_due_petitions(petition.closes_at + timedelta(days=1)) == 0
    assert _kinds().count("petition.closed") == 1


def test_eligibility_lockouts_and_term(app, make):
    from recall.rules.rule_presets import PRESETS

    deputy = make.deputy(term_start=date(2023, 3, 29), term_end=date(2028, 3, 28))
    taiwan = PRESETS["taiwan"]  # no recall within the first year
    early = recall_rules.deputy_eligibility(deputy, taiwan, today=date(2023, 6, 1))
    assert (early.allowed, early.reason_code) == (False, "lockout_start")
    assert "first 365 days" in early.message
    assert recall_rules.deputy_eligibility(deputy, taiwan, today=date(2024, 3, 28)).allowed
    over = recall_rules.deputy_eligibility(deputy, taiwan, today=date(2028, 3, 29))
    assert (over.allowed, over.reason_code) == (False, "term_over")
    listed = make.deputy(mandate_type=MandateType.PARTY_LIST)
    assert (
        recall_rules.deputy_eligibility(listed, today=date(2024, 1, 1)).reason_code == "party_list"
    )


def test_lockout_blocks_opening(flow, make):
    admin = make.user(role=Role.ADMIN)
    version = recall_rules.rule_version_in_force(flow.deputy.body)
    copy = recall_rules.copy_rule(
        admin, version.id, dict(version.data, key="kz_locked", lockout_first_days=100_000)
    )
    recall_rules.assign_rule(admin, flow.deputy.body_id, copy.id)
    with pytest.raises(Conflict) as err:
        flow.open()
    assert "first 100000 days" in err.value.message
    assert _count(Petition) == 0


def test_cited_promises_must_be_the_deputys(flow, make, make_promise):
    own = make_promise(flow.deputy, "Build a school")
    foreign = make_promise(make.deputy(), "Repair the road")
    with pytest.raises(Invalid) as err:
        flow.open(cited_promise_ids=[own.id, foreign.id])
    assert err.value.field == "promise_ids"
    assert err.value.message == f"Promise {foreign.id} is not a promise of this deputy."
    assert _count(Petition) == 0
    petition = flow.open(cited_promise_ids=[own.id, own.id])
    assert [p.id for p in petitions.cited_promises(petition)] == [own.id]


def test_cited_promises_that_are_not_numbers_are_refused(flow):
    """A client of the service (not only the form, whose choices are numbers) gets a clear error
    for a promise id that is no number, and nothing is written."""
    with pytest.raises(Invalid) as err:
        flow.open(cited_promise_ids=["school"])
    assert (err.value.field, err.value.message) == (
        "promise_ids",
        "Promises are named by their numbers.",
    )
    assert _count(Petition) == 0


def test_withdrawal_only_by_the_initiator_and_only_before_submission(flow, make):
    petition = flow.submitted()
    with pytest.raises(Forbidden) as err:
        petitions.withdraw_petition(make.user(), petition.id, "Not mine to withdraw")
    assert err.value.message == "Only the initiator of this petition may do this."
    with pytest.raises(Conflict) as err:
        petitions.withdraw_petition(flow.initiator, petition.id, "Too late")
    assert (
        err.value.message
        == "Only a petition still gathering its initiative group can be withdrawn."
    )
    assert petition.state == S.SUBMITTED and "petition.rejected" not in _kinds()
    other = flow.open(deputy_id=make.deputy().id)
    with pytest.raises(Invalid) as err:
        petitions.withdraw_petition(flow.initiator, other.id, " ")
    assert (err.value.field, err.value.message) == ("reason", "Give the reason.")
    assert other.state == S.GATHERING_GROUP and "petition.rejected" not in _kinds()
