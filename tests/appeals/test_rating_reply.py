"""The right of reply: the rated deputy's account replies beside a rating, never changing it."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from recall.errors import Conflict, Forbidden, Invalid
from recall.extensions import db
from recall.models import Promise, Role, Topic
from recall.models.promise import PromiseLevel, PromiseStatus, PromiseStatusChange
from recall.models.rating_reply import RatingReply
from recall.services.promises import replies

REPLY = "The school's design was approved in March; building starts next spring."


@pytest.fixture
def rating(app, make):
    deputy = make.deputy()
    topic = Topic(slug="education", name="Education")
    promise = Promise(
        deputy=deputy,
        title="Build a school",
        statement="Build a school",
        made_on=date(2023, 2, 1),
        source_url="https://example.org/p",
        topic=topic,
        level=PromiseLevel.LOCAL,
        status=PromiseStatus.STALLED,
    )
    db.session.add_all([topic, promise])
    db.session.flush()
    change = PromiseStatusChange(
        promise_id=promise.id,
        status=PromiseStatus.STALLED,
        previous_status=PromiseStatus.NOT_YET_RATED,
        changed_on=date(2025, 1, 1),
        explanation="Nothing was built.",
        evidence=["https://example.org/e"],
    )
    db.session.add(change)
    db.session.flush()
    return change


def _count():
    return db.session.scalar(sa.select(sa.func.count()).select_from(RatingReply))


def test_the_deputy_replies_and_the_rating_stays(app, client, make, login, rating):
    account = make.user(role=Role.DEPUTY, deputy_id=rating.promise.deputy_id)
    db.session.commit()
    login(account)
    page = client.get(f"/promises/{rating.promise_id}").get_data(as_text=True)
    assert "Reply to this rating" in page
    assert (
        client.post(f"/promises/ratings/{rating.id}/reply", data={"text": "short"}).status_code
        == 422
    )
    done = client.post(f"/promises/ratings/{rating.id}/reply", data={"text": REPLY})
    assert done.status_code == 303
    db.session.expire_all()
    assert db.session.get(Promise, rating.promise_id).status == PromiseStatus.STALLED
    shown = app.test_client().get(f"/promises/{rating.promise_id}").get_data(as_text=True)
    assert "The school&#39;s design was approved" in shown or "The school's design" in shown
    with pytest.raises(Conflict):
        replies.reply_to_rating(account, rating.id, REPLY)


def test_only_the_rated_deputys_account_replies(app, make, rating):
    other = make.user(role=Role.DEPUTY)
    monitor = make.user(role=Role.MONITOR)
    account = make.user(role=Role.DEPUTY, deputy_id=rating.promise.deputy_id)
    db.session.commit()
    for actor in (other, monitor):
        with pytest.raises(Forbidden):
            replies.reply_to_rating(actor, rating.id, REPLY)
        db.session.rollback()
    with pytest.raises(Invalid):
        replies.reply_to_rating(account, rating.id, " ")
    db.session.rollback()
    assert _count() == 0
