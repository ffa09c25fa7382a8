"""When a recall can be opened (issue 10): the deputy page says from when (the rule's lock-outs
against the term), and the deputy's followers are told when that day comes, once, by the periodic
task ``deputies.announce_recall_openable`` through the outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from recall.extensions import db
from recall.i18n import format_day
from recall.jobs import periodic
from recall.models import BodyRecallRule, Event
from recall.models.base import utcnow
from recall.models.notifications import Follow, FollowChannel, FollowTarget
from recall.notifications.rules import ensure_default_rules
from recall.services.deputies.recall_opening import announce_recall_openable
from tests.notifications.conftest import mail_config


@pytest.fixture
def app_config(smtp_server):
    return mail_config(smtp_server)


def _philippine_body(make):
    """A body under the Philippine preset: no recall in the first (and last) 365 days."""
    body = make.body()
    version = make.rule_version("philippines_ra_9244")
    db.session.add(BodyRecallRule(body_id=body.id, rule_version_id=version.id))
    db.session.flush()
    return body


def _announcements():
    return db.session.scalars(
        sa.select(Event).where(Event.kind == "deputy.recall_openable").order_by(Event.id)
    ).all()


def test_the_deputy_page_says_from_when(client, make):
    body = _philippine_body(make)
    today = utcnow().date()
    start = today - timedelta(days=100)
    deputy = make.deputy(
        make.district(body), term_start=start, term_end=start + timedelta(days=3 * 365)
    )
    db.session.commit()
    page = client.get(f"/deputies/{deputy.id}").get_data(as_text=True)
    opens, until = start + timedelta(days=365), start + timedelta(days=2 * 365)
    assert f"a recall can be opened from {format_day(opens)} to {format_day(until)}" in page
    assert "Follow this deputy to be told when that day comes." in page


def test_followers_are_told_once_when_the_day_comes(app, make, smtp_server):
    ensure_default_rules()
    body = _philippine_body(make)
    now = utcnow()
    today = now.date()
    due = make.deputy(make.district(body), term_start=today - timedelta(days=366))
    long_ago = make.deputy(make.district(body), term_start=today - timedelta(days=900))
    not_yet = make.deputy(make.district(body), term_start=today - timedelta(days=300))
    follower = make.user(email="follower@example.org", locale="en")
    for deputy in (due, long_ago, not_yet):
        db.session.add(
            Follow(
                user_id=follower.id,
                target_type=FollowTarget.DEPUTY,
                target_id=deputy.id,
                channel=FollowChannel.EMAIL,
            )
        )
    db.session.commit()

    assert announce_recall_openable(now) == 1
    db.session.commit()
    [event] = _announcements()
    assert event.subject_id == due.id
    assert event.payload["opens_on"] == (today - timedelta(days=1)).isoformat()
    [received] = smtp_server.wait_for(1)
    assert received.rcpt_tos == ["follower@example.org"]
    assert received.message["Subject"].endswith("A recall of this deputy can now be opened")

    assert announce_recall_openable(now + timedelta(hours=1)) == 0  # once per window
    # The other one's day comes 65 days later: told then.
    assert announce_recall_openable(now + timedelta(days=65)) == 1
    db.session.commit()
    assert [e.subject_id for e in _announcements()] == [due.id, not_yet.id]


def test_it_is_a_periodic_task():
    tasks = {name: (interval, task) for name, interval, task in periodic.PERIODIC_TASKS}
    assert tasks["deputies.announce_recall_openable"] == (3600, announce_recall_openable)
