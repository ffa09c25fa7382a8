"""Following, one-click unsubscribe without login, the periodic runner and its cluster-wide lock."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from recall.errors import NotFound
from recall.extensions import db
from recall.jobs import periodic
from recall.models import AppealState, Follow, Role
from recall.models.base import utcnow
from recall.models.notifications import (
    Delivery,
    DeliveryStatus,
    Follow,
    FollowChannel,
    FollowTarget,
)
from recall.notifications.dispatch import redispatch
from recall.notifications.rules import ensure_default_rules
from recall.services.notifications import follows
from recall.services.notifications.follows import unsubscribe_token
from recall.services.outbox import record_event
from tests.notifications import tasks
from tests.notifications.conftest import mail_config


@pytest.fixture
def app_config(smtp_server):
    return mail_config(smtp_server)


def _follows():
    db.session.expire_all()
    return [
        (f.user_id, f.target_type, f.target_id, f.channel)
        for f in db.session.scalars(sa.select(Follow).order_by(Follow.id))
    ]


def test_follow_button_on_deputy_page_and_follow_unfollow(app, make, client, login):
    deputy, user = make.deputy(), make.user()
    db.session.commit()
    anonymous = client.get(f"/deputies/{deputy.id}")
    assert b"Sign in to follow" in anonymous.data

    login(user)
    page = client.get(f"/deputies/{deputy.id}")
    assert f'action="/notifications/follow/deputy/{deputy.id}"'.encode() in page.data

    response = client.post(
        f"/notifications/follow/deputy/{deputy.id}",
        data={"channel": "email", "next": f"/deputies/{deputy.id}"},
    )
    assert (response.status_code, response.headers["Location"]) == (303, f"/deputies/{deputy.id}")
    assert _follows() == [(user.id, FollowTarget.DEPUTY, deputy.id, FollowChannel.EMAIL)]
    assert b"You follow this (e-mail)." in client.get(f"/deputies/{deputy.id}").data

    client.post(f"/notifications/follow/deputy/{deputy.id}", data={"channel": "none"})
    assert _follows() == [(user.id, FollowTarget.DEPUTY, deputy.id, FollowChannel.NONE)]

    client.post(f"/notifications/unfollow/deputy/{deputy.id}", data={})
    assert _follows() == []


@pytest.mark.parametrize(
    ("url", "data", "message"),
    [
        ("/notifications/follow/deputy/{id}", {"channel": "sms"}, b"Choose e-mail or nothing."),
        (
            "/notifications/follow/party/{id}",
            {"channel": "email"},
            b"You can follow a deputy, a body, a petition or an appeal.",
        ),
        ("/notifications/follow/deputy/999999", {"channel": "email"}, b"Nothing to follow here."),
    ],
)
def test_bad_follow_requests_say_why_and_write_nothing(
    app, make, client, login, url, data, message
):
    deputy, user = make.deputy(), make.user()
    db.session.commit()
    login(user)
    response = client.post(url.format(id=deputy.id), data=data, follow_redirects=True)
    assert message in response.data
    assert _follows() == []


def test_follow_needs_sign_in(app, make, client):
    deputy = make.deputy()
    db.session.commit()
    response = client.post(f"/notifications/follow/deputy/{deputy.id}", data={"channel": "email"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert _follows() == []


def test_follower_mail_carries_a_one_click_unsubscribe_link_that_works_without_login(
    app, make, smtp_server, client
):
    ensure_default_rules()
    follower = make.user(email="follower@example.org", locale="ru")
    petition = make.petition()
    db.session.add(
        Follow(user_id=follower.id, target_type=FollowTarget.PETITION, target_id=petition.id)
    )
    record_event("petition.rejected", "petition", petition.id, {"reason": "incomplete"})
    db.session.commit()

    [received] = [m for m in smtp_server.wait_for(2) if m.rcpt_tos == ["follower@example.org"]]
    header = received.message["List-Unsubscribe"]
    assert received.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = re.fullmatch(r"<(http://recall\.test(/notifications/unsubscribe/[^>]+))>", header)
    assert url is not None
    text, html = (part.get_payload(decode=True).decode() for part in received.message.get_payload())
    assert url.group(1) in text and f'href="{url.group(1)}"' in html
    assert '<html lang="ru">' in html  # rendered in the follower's language

    # Anonymous: the page asks, the POST (what a mail program sends for one-click) unsubscribes.
    assert b"Unsubscribe" in client.get(url.group(2)).data
    assert _follows()[0][3] == FollowChannel.EMAIL
    response = client.post(url.group(2))
    assert response.status_code == 200 and b"Done" in response.data
    assert _follows()[0][3] == FollowChannel.NONE

    record_event("petition.rejected", "petition", petition.id, {})
    db.session.commit()
    recipients = db.session.scalars(
        sa.select(Delivery.recipient).where(Delivery.event_id == 2)
    ).all()
    assert "follower@example.org" not in recipients


def test_forged_unsubscribe_token_is_refused(app, make, client):
    user = make.user()
    follow = Follow(user_id=user.id, target_type=FollowTarget.DEPUTY, target_id=make.deputy().id)
    db.session.add(follow)
    db.session.commit()
    forged = unsubscribe_token(follow.id)[:-2] + "xx"
    response = client.post(f"/notifications/unsubscribe/{forged}")
    assert response.status_code == 400 and b"This unsubscribe link is not valid." in response.data
    assert _follows()[0][3] == FollowChannel.EMAIL


def test_periodic_runner_runs_each_task_once_per_interval_across_runners(
    app, redis_url, redis_conn, runner, monkeypatch
):
    app.config["REDIS_URL"] = redis_url
    calls = []
    monkeypatch.setattr(
        periodic,
        "PERIODIC_TASKS",
        [("test.count", 60, tasks.count), ("test.other", 60, tasks.other)],
    )
    monkeypatch.setattr("tests.notifications.tasks.CALLS", calls)
    first = runner.invoke(args=["periodic", "run-once"])
    assert first.output.splitlines() == ["test.count: ok", "test.other: ok"]
    # Another runner (another machine) in the same interval: the Redis lock says it already ran.
    assert runner.invoke(args=["periodic", "run-once"]).output.splitlines() == [
        "test.count: skipped",
        "test.other: skipped",
    ]
    assert len(calls) == 1
    assert 55 <= redis_conn.ttl("recall:periodic:test.count") <= 60
    forced = runner.invoke(args=["periodic", "run-once", "--task", "test.count", "--force"])
    assert forced.output.splitlines() == ["test.count: ok"] and len(calls) == 2
    bad = runner.invoke(args=["periodic", "run-once", "--task", "nope"])
    assert bad.exit_code == 2 and "no periodic task named 'nope'" in bad.output


def test_every_periodic_task_is_a_function_under_a_unique_name():
    """Tasks are referenced directly, so a renamed function fails at import; a name is a lock, and
    an operator reads in the docs what each one does (a count here broke with every new task and
    said nothing about it)."""
    names = [name for name, _interval, _task in periodic.PERIODIC_TASKS]
    assert len(names) == len(set(names)) >= 1
    root = Path(__file__).resolve().parents[2]
    docs = "\n".join(p.read_text() for p in [root / "README.md", *(root / "docs").glob("*.md")])
    assert [name for name in names if f"`{name}`" not in docs] == []
    for name, interval, task in periodic.PERIODIC_TASKS:
        assert callable(task) and interval > 0, name


def test_periodic_redispatch_is_registered_and_runs_without_redis(app, make, smtp_server):
    assert ("outbox.redispatch", 30, redispatch) in periodic.PERIODIC_TASKS
    ensure_default_rules()
    petition = make.petition(make.deputy(contact_email="deputy@parliament.example"))
    smtp_server.handler.refuse = {"deputy@parliament.example": ["421 4.7.0 Closing"]}
    record_event("petition.registered", "petition", petition.id, {})
    db.session.commit()
    assert db.session.scalar(
        sa.select(Delivery.status).where(Delivery.recipient_kind == "deputy")
    ) == (DeliveryStatus.PENDING)
    assert len(smtp_server.wait_for(1)) == 1  # the initiator's
    db.session.execute(
        sa.update(Delivery).values(claimed_at=Delivery.claimed_at - sa.text("interval '5 seconds'"))
    )
    db.session.commit()
    assert periodic.run_due(only="outbox.redispatch", force=True) == {"outbox.redispatch": "ok"}
    assert smtp_server.wait_for(2)[1].rcpt_tos == ["deputy@parliament.example"]


def test_periodic_loop_runs_due_tasks(app, monkeypatch):
    calls = []
    monkeypatch.setattr(periodic, "PERIODIC_TASKS", [("test.count", 3600, tasks.count)])
    monkeypatch.setattr("tests.notifications.tasks.CALLS", calls)
    monkeypatch.setattr(periodic, "_last_run", {})
    periodic.run_loop(1, iterations=2)  # no Redis: the second pass is within the interval
    assert len(calls) == 1


def test_an_unpublished_appeal_cannot_be_followed_by_strangers(app, make):
    """Following answers as if the appeal were not there, so it cannot tell that one exists."""
    author, stranger = make.user(), make.user()
    moderator = make.user(role=Role.MODERATOR)
    appeal = make.appeal(author=author, state=AppealState.IN_MODERATION)
    with pytest.raises(NotFound):
        follows.follow(stranger, "appeal", appeal.id)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Follow)) == 0
    follows.follow(author, "appeal", appeal.id)
    follows.follow(moderator, "appeal", appeal.id)
    appeal.state = AppealState.OPEN
    appeal.opens_at = appeal.opens_at or utcnow()
    db.session.flush()
    follows.follow(stranger, "appeal", appeal.id)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Follow)) == 3
