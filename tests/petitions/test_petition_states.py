"""The transition table and change_state: legal moves stamp and announce, illegal ones change nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from recall.errors import Conflict, Invalid
from recall.extensions import db
from recall.models import FINAL_STATES, Event, PetitionState
from recall.services.petitions.states import TRANSITIONS, change_state

S = PetitionState

LEGAL = [
    (S.GATHERING_GROUP, S.SUBMITTED, "petition.submitted"),
    (S.GATHERING_GROUP, S.REJECTED, "petition.rejected"),
    (S.SUBMITTED, S.COLLECTING, "petition.registered"),
    (S.SUBMITTED, S.REJECTED, "petition.rejected"),
    (S.COLLECTING, S.CLOSED, "petition.closed"),
    (S.CLOSED, S.UNDER_VERIFICATION, "petition.verification_started"),
    (S.UNDER_VERIFICATION, S.QUALIFIED, "petition.certified"),
    (S.UNDER_VERIFICATION, S.FAILED, "petition.certified"),
    # A rule the petition decides (UK): certification itself recalls.
    (S.UNDER_VERIFICATION, S.RECALLED, "petition.certified"),
    (S.QUALIFIED, S.RECALLED, "petition.vote_recorded"),
    (S.QUALIFIED, S.NOT_RECALLED, "petition.vote_recorded"),
]
ILLEGAL = [(a, b) for a in S for b in S if b not in TRANSITIONS[a]]


def _events():
    return db.session.scalars(sa.select(Event).order_by(Event.id)).all()


def test_table_is_exactly_the_documented_one():
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == {
        (a, b) for a, b, _ in LEGAL
    }
    assert set(TRANSITIONS) == set(S)


@pytest.mark.parametrize(("source", "target", "kind"), LEGAL)
def test_legal_transition_changes_state_and_records_event(raw_petition, make, source, target, kind):
    petition = raw_petition(source)
    actor = make.user()
    change_state(
        petition, target, actor, reason="Not enough members" if target == S.REJECTED else None
    )
    assert petition.state == target
    (event,) = _events()
    assert (event.kind, event.subject_type, event.subject_id, event.actor_id) == (
        kind,
        "petition",
        petition.id,
        actor.id,
    )
    assert event.payload["from"] == source.value
    assert event.payload["to"] == target.value
    assert event.payload["petition_id"] == petition.id
    if target in (S.QUALIFIED, S.FAILED):
        assert event.payload["outcome"] == target.value
    if target in (S.RECALLED, S.NOT_RECALLED):
        assert event.payload["recalled"] is (target == S.RECALLED)


def test_every_illegal_transition_is_refused_and_writes_nothing(raw_petition, make):
    # One test over all 90 pairs: a refusal writes nothing, so the pairs cannot affect each other.
    assert len(ILLEGAL) == 89
    deputy = make.deputy()
    for source, target in ILLEGAL:
        petition = (
            raw_petition(source, deputy=deputy) if source in FINAL_STATES else raw_petition(source)
        )
        with pytest.raises(Conflict) as err:
            change_state(petition, target, None, reason="r")
        assert err.value.field == "state"
        assert "cannot become" in err.value.message
        assert petition.state == source
        assert petition.final_state_at is None and petition.closed_at is None
    assert _events() == []
    assert str(err.value.message) == "A petition that is not recalled cannot become not recalled."


def test_timestamps_are_stamped(raw_petition, make):
    commissioner = make.user()
    petition = raw_petition(S.GATHERING_GROUP)
    change_state(petition, S.SUBMITTED, None)
    assert petition.submitted_at is not None and petition.registered_at is None
    change_state(petition, S.COLLECTING, commissioner)
    assert petition.registered_at is not None and petition.registered_by_id == commissioner.id
    change_state(petition, S.CLOSED, None)
    assert petition.closed_at is not None and petition.final_state_at is None
    change_state(petition, S.UNDER_VERIFICATION, None)
    change_state(petition, S.QUALIFIED, None)
    assert petition.final_state_at is None
    change_state(petition, S.RECALLED, None, payload={"yes": 10})
    assert petition.final_state_at is not None
    assert _events()[-1].payload["yes"] == 10
    assert _events()[-1].actor_id is None


def test_rejection_requires_a_reason_and_stores_it(raw_petition):
    petition = raw_petition(S.SUBMITTED)
    with pytest.raises(Invalid) as err:
        change_state(petition, S.REJECTED, None, reason="   ")
    assert err.value.field == "reason"
    assert petition.state == S.SUBMITTED and _events() == []
    change_state(petition, S.REJECTED, None, reason=" Grounds are not stated ")
    assert petition.rejection_reason == "Grounds are not stated"
    assert petition.final_state_at is not None
    assert _events()[0].payload["reason"] == "Grounds are not stated"


def test_unknown_state_is_invalid(raw_petition):
    petition = raw_petition(S.SUBMITTED)
    with pytest.raises(Invalid) as err:
        change_state(petition, "frozen", None)
    assert err.value.field == "state"
