"""Answers to appeals: the deputy's account, or a moderator from a written answer with its
source; overdue after the due date; followers and the author hear through the outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from recall.errors import Conflict, Forbidden, Invalid
from recall.extensions import db
from recall.models import Event, Role
from recall.models.appeal import Appeal, AppealHistory, AppealState
from recall.models.audit import AuditEntry
from recall.models.base import utcnow
from recall.models.notifications import Channel, Follow, FollowTarget, Recipient
from recall.notifications.recipients import resolve
from recall.services.appeals import citations
from recall.services.appeals import lifecycle as appeals

S = AppealState
ANSWER = "The road is in next year's budget; works start in May and end in August."


def _written():
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(m))
        for m in (AppealHistory, Event, AuditEntry)
    )


def test_the_deputy_account_answers_on_time(app, make):
    appeal = make.appeal(state=S.RESPONSE_DUE, response_due_at=utcnow() + timedelta(days=3))
    account = make.user(role=Role.DEPUTY, deputy_id=appeal.deputy_id)
    assert appeals.may_respond(account, appeal)
    appeals.respond_to_appeal(account, appeal.id, ANSWER)
    assert appeal.state == S.ANSWERED and appeal.response_text == ANSWER
    assert appeal.response_source is None and appeal.responded_by_id == account.id
    event = db.session.scalar(sa.select(Event).where(Event.kind == "appeal.answered"))
    assert event.payload["on_time"] is True and event.payload["user_id"] == appeal.author_id


def test_a_moderator_enters_a_written_answer_with_its_source_late(app, make):
    appeal = make.appeal(state=S.OVERDUE, response_due_at=utcnow() - timedelta(days=3))
    moderator = make.user(role=Role.MODERATOR)
    db.session.commit()
    before = _written()
    with pytest.raises(Invalid) as exc:
        appeals.respond_to_appeal(moderator, appeal.id, ANSWER, "")
    assert exc.value.field == "source"
    db.session.rollback()
    assert _written() == before
    appeals.respond_to_appeal(moderator, appeal.id, ANSWER, "Letter No. 12-3/45 of 2 March")
    assert appeal.state == S.ANSWERED and appeal.response_source.startswith("Letter")
    event = db.session.scalar(sa.select(Event).where(Event.kind == "appeal.answered"))
    assert event.payload["on_time"] is False


def test_refusals_write_nothing(app, make):
    appeal = make.appeal(state=S.OPEN)
    other_deputy = make.user(role=Role.DEPUTY)
    account = make.user(role=Role.DEPUTY, deputy_id=appeal.deputy_id)
    moderator, citizen = make.user(role=Role.MODERATOR), make.user()
    closed = make.appeal(state=S.CLOSED, deputy=appeal.deputy)
    db.session.commit()
    before = _written()
    for actor, target, error in (
        (citizen, appeal, Forbidden),
        (other_deputy, appeal, Forbidden),
        (moderator, appeal, Forbidden),  # the deputy has an account: the deputy answers
        (account, closed, Conflict),
    ):
        with pytest.raises(error):
            appeals.respond_to_appeal(actor, target.id, ANSWER, "Letter 1")
        db.session.rollback()
    with pytest.raises(Invalid) as exc:
        appeals.respond_to_appeal(account, appeal.id, "too short")
    assert exc.value.field == "text"
    db.session.rollback()
    assert _written() == before
    assert db.session.get(Appeal, appeal.id).answered_at is None


def test_the_respond_page(app, client, make, login):
    appeal = make.appeal(state=S.RESPONSE_DUE, response_due_at=utcnow() + timedelta(days=3))
    account = make.user(role=Role.DEPUTY, deputy_id=appeal.deputy_id)
    db.session.commit()
    login(account)
    assert "Publish the answer" in client.get(f"/appeals/{appeal.id}").get_data(as_text=True)
    assert client.get("/appeals/to-answer").get_data(as_text=True).count(appeal.title) == 1
    assert client.get(f"/appeals/{appeal.id}/respond").status_code == 200
    assert client.post(f"/appeals/{appeal.id}/respond", data={"text": "short"}).status_code == 422
    done = client.post(f"/appeals/{appeal.id}/respond", data={"text": ANSWER})
    assert done.status_code == 303
    page = client.get(f"/appeals/{appeal.id}").get_data(as_text=True)
    assert ANSWER.replace("'", "&#39;") in page
    citizen = login(make.user(), app.test_client())
    db.session.commit()
    assert citizen.get(f"/appeals/{appeal.id}/respond").status_code == 403


def test_followers_author_and_deputy_hear_about_the_appeal(app, make):
    appeal = make.appeal(state=S.RESPONSE_DUE, response_due_at=utcnow() - timedelta(hours=1))
    appeal.deputy.contact_email = "deputy@example.org"
    follower, deputy_follower = make.user(), make.user()
    db.session.add_all(
        [
            Follow(user_id=follower.id, target_type=FollowTarget.APPEAL, target_id=appeal.id),
            Follow(
                user_id=deputy_follower.id,
                target_type=FollowTarget.DEPUTY,
                target_id=appeal.deputy_id,
            ),
        ]
    )
    db.session.flush()
    assert appeals.mark_overdue() == 1
    event = db.session.scalar(sa.select(Event).where(Event.kind == "appeal.overdue"))

    def addresses(kind):
        return [t.address for t in resolve(kind, Channel.EMAIL, event, appeal)]

    assert addresses(Recipient.APPEAL_FOLLOWERS) == [follower.email]
    assert addresses(Recipient.DEPUTY_FOLLOWERS) == [deputy_follower.email]
    assert addresses(Recipient.PAYLOAD_USER) == [appeal.author.email]
    assert addresses(Recipient.DEPUTY) == ["deputy@example.org"]


def test_following_an_appeal_through_the_page(app, client, make, login):
    appeal = make.appeal()
    user = make.user()
    db.session.commit()
    login(user)
    response = client.post(f"/notifications/follow/appeal/{appeal.id}", data={"channel": "email"})
    assert response.status_code in (302, 303)
    assert (
        db.session.scalar(
            sa.select(Follow).where(Follow.target_type == FollowTarget.APPEAL)
        ).user_id
        == user.id
    )


def test_a_recall_petition_cites_unanswered_appeals(app, client, make, login):
    from recall.models.appeal import PetitionAppeal
    from recall.services.petitions import lifecycle as petitions

    deputy = make.deputy()
    overdue = make.appeal(deputy, state=S.OVERDUE, response_due_at=utcnow() - timedelta(days=1))
    answered = make.appeal(deputy, state=S.ANSWERED)
    elsewhere = make.appeal(state=S.OVERDUE)
    initiator = make.user()
    grounds = "The deputy promised a school and never answered the constituents' appeal on it."
    db.session.commit()
    for bad in ([answered.id], [elsewhere.id], ["x"]):
        with pytest.raises(Invalid) as exc:
            petitions.open_petition(initiator, deputy.id, grounds, (), bad)
        assert exc.value.field == "appeal_ids"
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PetitionAppeal)) == 0
    petition = petitions.open_petition(initiator, deputy.id, grounds, (), [overdue.id])
    db.session.commit()
    assert [a.id for a in citations.cited_appeals(petition.id)] == [overdue.id]
    page = client.get(f"/petitions/{petition.id}").get_data(as_text=True)
    assert "Unanswered appeals cited" in page and overdue.title in page
