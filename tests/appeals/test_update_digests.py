"""Initiators' updates reach followers in a daily digest (issue 15: "sent as part of followers'
digests"): one mail a day per follower with the updates of everything they follow, each update
exactly once, through the real outbox and a real SMTP server."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from recall.extensions import db
from recall.i18n import format_day
from recall.jobs.periodic import run_due
from recall.models import PetitionState, Role
from recall.models.appeal import UpdateDigestEntry
from recall.models.base import utcnow
from recall.models.notifications import Follow, FollowChannel, FollowTarget
from recall.notifications.rules import ensure_default_rules
from recall.services.appeals import updates
from recall.services.signing.counting import local_day
from tests.notifications.conftest import mail_config, smtp_server  # noqa: F401 (a fixture)

PAPER = "Paper sheets can be signed at the school on Saturday from 10 to 14."
MEETING = "We meet the deputy in the district hall on Monday at 18:00."
LATER = "The deputy promised an answer in writing by the end of the month."


@pytest.fixture
def app_config(smtp_server):
    return mail_config(smtp_server)


def _follow(user, target_type, target_id, **values):
    db.session.add(Follow(user_id=user.id, target_type=target_type, target_id=target_id, **values))
    db.session.flush()


def _text(mail) -> str:
    return mail.message.get_payload()[0].get_payload(decode=True).decode()


def test_a_follower_gets_one_digest_a_day_with_each_update_once(app, make, smtp_server):
    ensure_default_rules()
    moderator = make.user(role=Role.MODERATOR)
    appeal = make.appeal()
    petition = make.petition(state=PetitionState.COLLECTING)
    follower, silent, latecomer = make.user(), make.user(), make.user()
    _follow(follower, FollowTarget.APPEAL, appeal.id)
    _follow(follower, FollowTarget.PETITION, petition.id)
    _follow(silent, FollowTarget.APPEAL, appeal.id, channel=FollowChannel.NONE)
    _follow(appeal.author, FollowTarget.APPEAL, appeal.id)  # the author has it already
    now = utcnow()
    for kind, subject, author, text in (
        ("appeal", appeal, appeal.author, PAPER),
        ("petition", petition, petition.initiator, MEETING),
    ):
        update = updates.post_update(author, kind, subject.id, text, now=now)
        updates.publish_update(moderator, update.id, now=now)
    # Followed after the updates were published: not sent what came before.
    _follow(latecomer, FollowTarget.APPEAL, appeal.id, created_at=now + timedelta(minutes=1))
    db.session.commit()
    assert smtp_server.messages == []  # no mail of its own per update

    assert updates.record_update_digests(now) == 0  # today's updates wait for the day's end
    tomorrow = now + timedelta(days=1)
    assert updates.record_update_digests(tomorrow) == 1
    db.session.commit()
    [mail] = smtp_server.wait_for(1)
    assert mail.rcpt_tos == [follower.email]
    assert mail.message["Subject"].endswith("Updates from the petitions you follow")
    text = _text(mail)
    assert PAPER in text and MEETING in text
    assert f"http://recall.test/appeals/{appeal.id}" in text
    assert f"http://recall.test/petitions/{petition.id}" in text
    assert petition.deputy.full_name in text and appeal.title in text
    # The day of publication as the reader's language writes it (issue 14), not 2026-12-03.
    assert format_day(now) in text and local_day(now).isoformat() not in text

    # Exactly once: a rerun, the same day or later, sends nothing again.
    assert updates.record_update_digests(tomorrow) == 0
    assert run_due(tomorrow, only="updates.daily_digest", force=True) == {
        "updates.daily_digest": "ok"
    }
    assert updates.record_update_digests(tomorrow + timedelta(days=3)) == 0
    db.session.commit()
    entries = db.session.execute(
        sa.select(UpdateDigestEntry.user_id, UpdateDigestEntry.update_id)
    ).all()
    assert {user for user, _update in entries} == {follower.id} and len(entries) == 2

    # A week on, a new update goes to every e-mail follower of the appeal, alone.
    week = now + timedelta(days=8)
    update = updates.post_update(appeal.author, "appeal", appeal.id, LATER, now=week)
    updates.publish_update(moderator, update.id, now=week)
    assert updates.record_update_digests(week + timedelta(days=1)) == 2
    db.session.commit()
    mails = smtp_server.wait_for(3)[1:]
    assert sorted(m.rcpt_tos[0] for m in mails) == sorted([follower.email, latecomer.email])
    assert all(LATER in _text(m) and PAPER not in _text(m) for m in mails)


def test_a_rejected_or_pending_update_is_never_in_a_digest(app, make):
    moderator, follower = make.user(role=Role.MODERATOR), make.user()
    appeal = make.appeal()
    _follow(follower, FollowTarget.APPEAL, appeal.id)
    now = utcnow()
    rejected = updates.post_update(appeal.author, "appeal", appeal.id, PAPER, now=now)
    updates.reject_update(moderator, rejected.id, "It names a neighbour's address.")
    updates.post_update(appeal.author, "appeal", appeal.id, MEETING, now=now)  # pending
    assert updates.record_update_digests(now + timedelta(days=2)) == 0
