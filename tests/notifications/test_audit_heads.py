"""The audit chain's daily head reaches webhooks and the followers of the petitions it concerns,
and a webhook's copy later proves an old head against a rewrite (issue 19)."""

from __future__ import annotations

import sqlalchemy as sa

from recall.extensions import db
from recall.jobs.periodic import run_due
from recall.models import AuditEntry
from recall.models.audit import AuditChainHead
from recall.models.notifications import (
    Channel,
    Delivery,
    DeliveryStatus,
    Follow,
    FollowTarget,
    WebhookEndpoint,
)
from recall.models.outbox import Event
from recall.notifications.rules import ensure_default_rules
from recall.services import audit
from tests.notifications.conftest import webhook_json


def _kinds() -> list[str]:
    return list(db.session.scalars(sa.select(Event.kind).order_by(Event.id)))


def test_daily_head_reaches_webhooks_and_petition_followers(
    app, make, webhook_receiver, runner, tmp_path
):
    ensure_default_rules()
    org = make.organization()
    db.session.add(WebhookEndpoint(organization_id=org.id, url=webhook_receiver.url, secret="s"))
    watched, quiet = make.petition(), make.petition()
    follower, other = make.user(), make.user()
    for user, petition in ((follower, watched), (other, quiet)):
        db.session.add(
            Follow(user_id=user.id, target_type=FollowTarget.PETITION, target_id=petition.id)
        )
    audit.append_audit("test.action", None, "petition", watched.id, watched.body_id, {"i": 1})
    audit.append_audit("test.action", None, "signature", 7, None, {"petition_id": watched.id})
    db.session.commit()

    assert run_due(only="audit.publish_head", force=True) == {"audit.publish_head": "ok"}
    assert _kinds() == ["audit.head_published", "petition.audit_head"]
    [(_headers, body)] = webhook_receiver.requests
    sent = webhook_json(body)["event"]["payload"]
    head = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.seq == 2))
    assert (sent["seq"], sent["hash"], sent["keyed_hash"]) == (2, head.hash, head.keyed_hash)
    mail = db.session.scalars(sa.select(Delivery).where(Delivery.channel == Channel.EMAIL)).all()
    assert [(d.recipient, d.status) for d in mail] == [
        (follower.email.lower(), DeliveryStatus.SENT)
    ]

    # Nothing new: the next day announces nothing.
    assert run_due(only="audit.publish_head", force=True) == {"audit.publish_head": "ok"}
    assert len(_kinds()) == 2

    # The organization keeps what it received; later it proves the old head.
    saved = tmp_path / "received.json"
    saved.write_bytes(body)
    assert runner.invoke(args=["audit", "verify", "--heads", str(saved)]).exit_code == 0
    # Even an operator holding AUDIT_KEY cannot rewrite entry 1 without the copy showing it.
    first = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.seq == 1))
    first.payload = {"i": 2}
    first.hash = audit.compute_hash(first.prev_hash, audit.entry_fields(first))
    key = app.config["AUDIT_KEY"].encode()
    first.keyed_hash = audit.compute_keyed_hash("0" * 64, first.hash, key)
    head = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.seq == 2))
    head.prev_hash = first.hash
    head.hash = audit.compute_hash(head.prev_hash, audit.entry_fields(head))
    head.keyed_hash = audit.compute_keyed_hash(first.keyed_hash, head.hash, key)
    row = db.session.get(AuditChainHead, 1)
    row.hash, row.keyed_hash = head.hash, head.keyed_hash
    db.session.commit()
    rewritten = runner.invoke(args=["audit", "verify"])
    assert rewritten.exit_code == 0, rewritten.output
    caught = runner.invoke(args=["audit", "verify", "--heads", str(saved)])
    assert caught.exit_code == 1
    assert "BROKEN at entry 1" in caught.output
    assert "differs from the head saved at entry 2" in caught.output
    assert "the first change lies in entries 1..2" in caught.output
