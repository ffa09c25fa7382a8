"""Appeals: every transition through its service, every refusal writes nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from recall.errors import Conflict, Forbidden, Invalid, NotFound
from recall.extensions import db
from recall.models import Event, MandateType, Role
from recall.models.appeal import Appeal, AppealHistory, AppealState, BodyAppealSettings
from recall.models.audit import AuditEntry
from recall.models.base import utcnow
from recall.services.accounts import users
from recall.services.appeals import lifecycle as appeals
from recall.services.appeals import terms
from recall.services.appeals.states import TRANSITIONS, change_state

S = AppealState
TEXT = "The road to school number 5 has had holes for three years; children walk in the mud."
ASK = "Put the repair of the road in next year's budget."


def _counts():
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Appeal, AppealHistory, Event, AuditEntry, BodyAppealSettings)
    )


def _draft(make, author=None, **kwargs):
    author = author or make.user()
    kwargs.setdefault("deputy_id", make.deputy().id)
    return appeals.draft_appeal(
        author, title="Repair the school road", text=TEXT, ask=ASK, **kwargs
    )


def test_the_table_has_every_state_and_final_states_lead_nowhere():
    assert set(TRANSITIONS) == set(AppealState)
    assert TRANSITIONS[S.REJECTED] == TRANSITIONS[S.CLOSED] == frozenset()


def test_draft_submit_publish_freezes_terms_and_records_history_and_events(app, make):
    deputy = make.deputy()
    deputy.district.registered_voters = 50_000
    admin, moderator = make.user(role=Role.ADMIN), make.user(role=Role.MODERATOR)
    terms.set_body_terms(
        admin, deputy.body_id, open_months=3, response_days=20, threshold_share="0.01"
    )
    author = make.user()
    appeal = _draft(make, author, deputy_id=deputy.id)
    assert appeal.state == S.DRAFT and appeal.district_id == deputy.district_id
    appeals.submit_appeal(author, appeal.id)
    assert appeal.state == S.IN_MODERATION and appeal.submitted_at is not None
    now = utcnow()
    appeals.publish_appeal(moderator, appeal.id, now=now)
    assert appeal.state == S.OPEN and appeal.threshold == 500 and appeal.response_days == 20
    assert appeal.closes_at.month == (now.month + 2) % 12 + 1
    assert [h.to_state for h in appeal.history] == ["draft", "in_moderation", "open"]
    kinds = db.session.scalars(
        sa.select(Event.kind).where(Event.subject_type == "appeal").order_by(Event.id)
    ).all()
    assert kinds == ["appeal.submitted", "appeal.published"]


def test_party_list_deputy_and_body_take_the_bodys_voters(app, make):
    body = make.body()
    make.district(body, registered_voters=1000)
    make.district(body, registered_voters=3000)
    listed = make.deputy(
        body=body, mandate_type=MandateType.PARTY_LIST, district=None, district_id=None
    )
    terms.set_body_terms(
        make.user(role=Role.ADMIN), body.id, open_months=6, response_days=30, threshold_share="0.5"
    )
    moderator = make.user(role=Role.MODERATOR)
    for target in ({"deputy_id": listed.id}, {"body_id": body.id, "deputy_id": None}):
        appeal = _draft(make, **target)
        appeal.state = S.IN_MODERATION
        appeals.publish_appeal(moderator, appeal.id)
        assert appeal.district_id is None and appeal.threshold == 2000


def test_reject_needs_a_reason_and_a_moderator(app, make):
    appeal = make.appeal(state=S.IN_MODERATION)
    citizen, moderator = make.user(), make.user(role=Role.MODERATOR)
    db.session.commit()
    before = _counts()
    with pytest.raises(Forbidden):
        appeals.reject_appeal(citizen, appeal.id, "No")
    with pytest.raises(Invalid) as exc:
        appeals.reject_appeal(moderator, appeal.id, "  ")
    assert exc.value.field == "reason"
    db.session.rollback()
    assert _counts() == before
    appeals.reject_appeal(moderator, appeal.id, "Duplicate of appeal 3.")
    assert appeal.state == S.REJECTED and appeal.rejection_reason == "Duplicate of appeal 3."
    assert appeal.moderated_by_id == moderator.id


@pytest.mark.parametrize(
    "state, target",
    [(s, t) for s in AppealState for t in AppealState if t not in TRANSITIONS[s] and t != S.DRAFT],
)
def test_every_missing_transition_is_refused_and_writes_nothing(app, make, state, target):
    appeal = make.appeal(state=state)
    db.session.commit()
    before = _counts()
    with pytest.raises(Conflict):
        change_state(appeal, target, None, reason="because")
    db.session.rollback()
    assert db.session.get(Appeal, appeal.id).state == state
    assert _counts() == before


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"title": "short"}, "title"),
        ({"text": "too short"}, "text"),
        ({"ask": "x"}, "ask"),
        ({"deputy_id": None}, "addressee"),
        ({"body_id": 1}, "addressee"),
        ({"promise_ids": [999999]}, "promise_ids"),
        ({"promise_ids": ["x"]}, "promise_ids"),
    ],
)
def test_bad_drafts_are_refused_and_write_nothing(app, make, kwargs, field):
    author, deputy = make.user(), make.deputy()
    db.session.commit()
    before = _counts()
    values = {"title": "Repair the school road", "text": TEXT, "ask": ASK, "deputy_id": deputy.id}
    values.update(kwargs)
    with pytest.raises(Invalid) as exc:
        appeals.draft_appeal(author, **values)
    assert exc.value.field == field
    db.session.rollback()
    assert _counts() == before


def test_only_the_author_submits_or_withdraws_and_only_moderators_publish(app, make):
    appeal = make.appeal(state=S.DRAFT)
    db.session.commit()
    before = _counts()
    with pytest.raises(Forbidden):
        appeals.submit_appeal(make.user(), appeal.id)
    with pytest.raises(Forbidden):
        appeals.withdraw_draft(make.user(), appeal.id)
    with pytest.raises(Forbidden):
        appeals.publish_appeal(make.user(role=Role.ADMIN), appeal.id)
    with pytest.raises(NotFound):
        appeals.submit_appeal(appeal.author, 999999)
    db.session.rollback()
    assert _counts() == before
    appeals.withdraw_draft(appeal.author, appeal.id)
    assert appeal.state == S.CLOSED and appeal.closed_at is not None


def test_periodic_close_and_overdue(app, make):
    now = utcnow()
    ended = make.appeal(state=S.OPEN, closes_at=now - timedelta(minutes=1))
    answered = make.appeal(state=S.ANSWERED, closes_at=now - timedelta(minutes=1))
    running = make.appeal(state=S.OPEN)
    late = make.appeal(state=S.RESPONSE_DUE, response_due_at=now - timedelta(hours=1))
    due = make.appeal(state=S.RESPONSE_DUE, response_due_at=now + timedelta(days=1))
    assert appeals.close_due_appeals(now) == 2
    assert appeals.mark_overdue(now) == 1
    assert (ended.state, answered.state, running.state) == (S.CLOSED, S.CLOSED, S.OPEN)
    assert (late.state, due.state) == (S.OVERDUE, S.RESPONSE_DUE)
    assert late.overdue_at is not None
    assert appeals.mark_overdue(now) == 0 and appeals.close_due_appeals(now) == 0


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"threshold_count": "100", "threshold_share": "0.1"}, "threshold_count"),
        ({}, "threshold_count"),
        ({"threshold_share": "1.5"}, "threshold_share"),
        ({"threshold_share": "0.0000001"}, "threshold_share"),
        ({"threshold_share": "NaN"}, "threshold_share"),
        ({"threshold_count": "0"}, "threshold_count"),
        ({"threshold_count": "100", "open_months": "0"}, "open_months"),
        ({"threshold_count": "100", "response_days": "x"}, "response_days"),
    ],
)
def test_bad_terms_are_refused(app, make, kwargs, field):
    admin, body = make.user(role=Role.ADMIN), make.body()
    db.session.commit()
    before = _counts()
    values = {"open_months": "6", "response_days": "30"} | kwargs
    with pytest.raises(Invalid) as exc:
        terms.set_body_terms(admin, body.id, **values)
    assert exc.value.field == field
    db.session.rollback()
    assert _counts() == before


def test_terms_are_for_admins_and_audited(app, make):
    body = make.body()
    with pytest.raises(Forbidden):
        terms.set_body_terms(
            make.user(role=Role.MODERATOR),
            body.id,
            open_months=6,
            response_days=30,
            threshold_count=10,
        )
    row = terms.set_body_terms(
        make.user(role=Role.ADMIN), body.id, open_months=6, response_days=30, threshold_share="0.02"
    )
    assert row.threshold_share == Decimal("0.02") and row.threshold_count is None
    assert db.session.scalar(sa.select(AuditEntry.action).order_by(AuditEntry.seq.desc())) == (
        "appeal_terms.set"
    )


def test_moderator_and_deputy_roles_granted_by_admin(app, make):
    admin, person, other = make.user(role=Role.ADMIN), make.user(), make.user()
    deputy = make.deputy()
    users.grant_role(admin, person.email, Role.MODERATOR)
    assert person.has_role(Role.MODERATOR)
    with pytest.raises(Invalid):
        users.grant_role(admin, person.email, Role.DEPUTY)
    users.grant_role(admin, person.email, Role.DEPUTY, deputy=str(deputy.id))
    assert person.deputy_id == deputy.id and person.has_role(Role.DEPUTY)
    with pytest.raises(Conflict):
        users.grant_role(admin, other.email, Role.DEPUTY, deputy=deputy.id)
    with pytest.raises(Forbidden):
        users.grant_role(person, other.email, Role.MODERATOR)
    users.revoke_role(admin, person.email, Role.DEPUTY)
    users.revoke_role(admin, person.email, Role.MODERATOR)
    assert person.roles == {Role.CITIZEN}
