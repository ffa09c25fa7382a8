"""Inline mode (no REDIS_URL): delivery right after commit, SMTP, .eml files, webhooks, rules as data."""

from __future__ import annotations

import email
from pathlib import Path

import pytest
import sqlalchemy as sa

from recall.extensions import db
from recall.models import Event
from recall.models.notifications import (
    DEFAULT_RULES,
    Channel,
    Delivery,
    DeliveryStatus,
    NotificationRule,
    Recipient,
)
from recall.notifications.delivery import Outcome, run_delivery
from recall.notifications.fanout import fan_out
from recall.notifications.mail import message_reference
from recall.notifications.rules import ensure_default_rules
from recall.notifications.webhooks import verify_signature
from recall.services.outbox import record_event
from tests.notifications.conftest import mail_config, webhook_json


@pytest.fixture
def app_config(smtp_server):
    return mail_config(smtp_server)


def _deliveries():
    return db.session.scalars(sa.select(Delivery).order_by(Delivery.id)).all()


def test_default_rules_are_seeded_once_and_cover_the_contract_kinds(app):
    assert ensure_default_rules() == len(DEFAULT_RULES)
    db.session.commit()
    assert ensure_default_rules() == 0
    kinds = {kind for kind, _r, _c in DEFAULT_RULES}
    assert {
        "signature.confirmation_requested",
        "petition.registered",
        "petition.closed",
        "promise.status_changed",
        "misuse_report.received",
        "initiative.invited",
    } <= kinds
    assert ("petition.registered", "deputy", "email") in DEFAULT_RULES
    assert ("promise.status_changed", "organization_webhooks", "webhook") in DEFAULT_RULES


def test_confirmation_mail_reaches_the_signer_after_commit_in_their_language(
    app, make, smtp_server
):
    ensure_default_rules()
    petition = make.petition()
    signature = make.signature(petition, email="Signer@Example.org")
    make.user(email="signer@example.org", locale="en")
    record_event(
        "signature.confirmation_requested",
        "signature",
        signature.id,
        {
            "petition_id": petition.id,
            "confirm_url": "http://recall.test/confirm/abc",
            "receipt": "R-42",
        },
    )
    assert smtp_server.messages == []  # nothing leaves before the commit
    db.session.commit()

    [received] = smtp_server.wait_for(1)
    assert received.rcpt_tos == ["signer@example.org"]
    message = received.message
    # The subject names the deputy (issue 14), in the signer's language.
    assert (
        message["Subject"] == f"Confirm your signature on the recall of {petition.deputy.full_name}"
    )
    assert message.get_content_type() == "multipart/alternative"
    text, html = (part.get_payload(decode=True).decode() for part in message.get_payload())
    assert "http://recall.test/confirm/abc" in text and "R-42" in text
    assert 'href="http://recall.test/confirm/abc"' in html
    assert message["List-Unsubscribe"] is None  # not a follower mail
    [delivery] = _deliveries()
    assert (delivery.status, delivery.attempts, delivery.recipient_kind) == (
        DeliveryStatus.SENT,
        1,
        Recipient.SIGNER,
    )
    assert message["X-Recall-Delivery"] == message_reference(delivery)


def test_rolled_back_event_is_never_delivered(app, make, smtp_server):
    ensure_default_rules()
    petition = make.petition()
    db.session.commit()
    record_event("petition.registered", "petition", petition.id, {})
    db.session.rollback()
    db.session.execute(sa.select(1))
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0
    assert smtp_server.messages == [] and _deliveries() == []


def test_without_mail_server_mail_is_written_to_the_folder(app, make, smtp_server, tmp_path):
    app.config.update(MAIL_SERVER=None, MAIL_FOLDER=str(tmp_path / "mail"))
    ensure_default_rules()
    user = make.user(email="invitee@example.org")
    petition = make.petition()
    record_event("initiative.invited", "petition", petition.id, {"user_id": user.id})
    db.session.commit()

    [delivery] = _deliveries()
    path = Path(app.config["MAIL_FOLDER"]) / f"delivery-{delivery.id}.eml"
    message = email.message_from_bytes(path.read_bytes())
    assert message["To"] == "invitee@example.org"
    assert message["Subject"] == "You are invited to join a recall initiative group"
    assert delivery.status == DeliveryStatus.SENT and smtp_server.messages == []


def test_kind_without_template_uses_the_generic_one(app, make, smtp_server):
    db.session.add(
        NotificationRule(
            event_kind="petition.milestone",
            recipient=Recipient.PETITION_INITIATORS,
            channel=Channel.EMAIL,
        )
    )
    initiator = make.user(email="initiator@example.org")
    petition = make.petition(initiator=initiator)
    record_event(
        "petition.milestone",
        "petition",
        petition.id,
        {
            "percent": 50,
            "receipt": "secret",
            "petition_id": petition.id,
            "withdrawn": True,
            "odd_key": "x",
        },
    )
    db.session.commit()
    [received] = smtp_server.wait_for(1)
    assert received.message["Subject"] == "recall: A recall petition reached a milestone"
    text, html = (part.get_payload(decode=True).decode() for part in received.message.get_payload())
    assert (
        "odd_key: x\r\nShare of the required signatures, %: 50\r\nWithdrawn by the initiators: yes\r\n"
        in text
    )
    assert (
        "secret" not in text and "petition_id" not in text
    )  # codes and ids stay out; the mail links the page
    assert (
        '<th style="text-align: left; padding-right: 1em;">Share of the required signatures, %</th><td>50</td>'
        in html
    )


def test_rules_are_data_changing_a_row_changes_who_is_told(app, make, smtp_server):
    commissioner = make.user(role="commissioner", email="commission@example.org")
    petition = make.petition(
        make.deputy(
            make.district(commissioner.commission_body), contact_email="deputy@parliament.example"
        ),
    )
    rule = NotificationRule(
        event_kind="petition.closed", recipient=Recipient.DEPUTY, channel=Channel.EMAIL
    )
    db.session.add(rule)
    record_event("petition.closed", "petition", petition.id, {})
    db.session.commit()
    assert [m.rcpt_tos for m in smtp_server.wait_for(1)] == [["deputy@parliament.example"]]

    rule.recipient = Recipient.BODY_COMMISSION
    record_event("petition.closed", "petition", petition.id, {})
    db.session.commit()
    assert [m.rcpt_tos for m in smtp_server.wait_for(2)] == [
        ["deputy@parliament.example"],
        ["commission@example.org"],
    ]

    rule.active = False
    record_event("petition.closed", "petition", petition.id, {})
    db.session.commit()
    assert len(smtp_server.messages) == 2


def test_fan_out_and_delivery_are_idempotent(app, make, smtp_server):
    ensure_default_rules()
    petition = make.petition()
    signature = make.signature(petition)
    event = record_event(
        "signature.already_signed", "signature", signature.id, {"petition_id": petition.id}
    )
    app.config["MAIL_SERVER"] = None  # hold the inline send: this test sends by hand
    db.session.commit()
    app.config["MAIL_SERVER"] = smtp_server.host
    [delivery] = _deliveries()
    db.session.execute(sa.update(Delivery).values(status=DeliveryStatus.PENDING, attempts=0))
    db.session.commit()

    assert fan_out(event.id) == [delivery.id]
    assert fan_out(event.id) == [delivery.id]
    db.session.commit()
    assert len(_deliveries()) == 1
    assert run_delivery(delivery.id) == Outcome.SENT
    assert run_delivery(delivery.id) == Outcome.SKIPPED
    assert len(smtp_server.wait_for(1)) == 1


def test_permanent_refusal_fails_at_once_shows_on_admin_page_and_resend_works(
    app, make, smtp_server, client, login
):
    ensure_default_rules()
    admin = make.user(role="admin")
    petition = make.petition()
    signature = make.signature(petition, email="nobody@example.org")
    smtp_server.handler.rcpt_replies = ["550 5.1.1 No such user"]
    record_event("signature.withdrawn", "signature", signature.id, {"petition_id": petition.id})
    db.session.commit()

    [delivery] = _deliveries()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    assert delivery.last_error == "SMTP 550: nobody@example.org: 5.1.1 No such user"
    assert smtp_server.messages == []

    login(admin)
    page = client.get("/notifications/admin/deliveries")
    assert page.status_code == 200
    # A signer's address, masked: this administrator is not on the petition's commission.
    html = page.get_data(as_text=True)
    assert "SMTP 550: n•••@e•••.org: 5.1.1 No such user" in html
    assert "<td>e-mail: n•••@e•••.org</td>" in html and "nobody@example.org" not in html

    response = client.post(f"/notifications/admin/deliveries/{delivery.id}/resend")
    assert response.status_code == 303
    [received] = smtp_server.wait_for(1)
    assert received.rcpt_tos == ["nobody@example.org"]
    db.session.expire_all()
    assert db.session.get(Delivery, delivery.id).status == DeliveryStatus.SENT
    assert b"nobody@example.org" not in client.get("/notifications/admin/deliveries").data


def test_resend_is_refused_to_non_admins_and_for_sent_deliveries(
    app, make, smtp_server, client, login
):
    ensure_default_rules()
    monitor, admin = make.user(role="monitor"), make.user(role="admin")
    signature = make.signature(make.petition())
    record_event("signature.withdrawn", "signature", signature.id, {})
    db.session.commit()
    [delivery] = _deliveries()
    assert delivery.status == DeliveryStatus.SENT
    login(monitor)
    assert client.get("/notifications/admin/deliveries").status_code == 403
    assert client.post(f"/notifications/admin/deliveries/{delivery.id}/resend").status_code == 403
    login(admin)
    response = client.post(
        f"/notifications/admin/deliveries/{delivery.id}/resend", follow_redirects=True
    )
    assert b"Only a failed delivery can be sent again." in response.data
    assert len(smtp_server.wait_for(1, timeout=0.5)) == 1


def test_temporary_refusal_without_redis_is_retried_by_redispatch(app, make, smtp_server, runner):
    ensure_default_rules()
    petition = make.petition()
    signature = make.signature(petition)
    smtp_server.handler.rcpt_replies = ["451 4.3.0 Try again later"]
    record_event("signature.withdrawn", "signature", signature.id, {"petition_id": petition.id})
    db.session.commit()
    [delivery] = _deliveries()
    assert (delivery.status, delivery.attempts) == (
        DeliveryStatus.PENDING,
        1,
    ) and "451" in delivery.last_error

    db.session.execute(
        sa.update(Delivery).values(claimed_at=Delivery.claimed_at - sa.text("interval '5 seconds'"))
    )
    db.session.commit()
    result = runner.invoke(args=["outbox", "redispatch"])
    assert result.exit_code == 0, result.output
    assert "1 delivery" in result.output
    assert [m.rcpt_tos for m in smtp_server.wait_for(1)] == [["signer@example.org"]]
    db.session.expire_all()
    assert (
        db.session.get(Delivery, delivery.id).status,
        db.session.get(Delivery, delivery.id).attempts,
    ) == (DeliveryStatus.SENT, 2)


def test_webhook_receiver_gets_a_signed_payload(app, make, webhook_receiver, client, login):
    monitor = make.user(role="monitor")
    db.session.commit()
    login(monitor)
    response = client.post("/notifications/webhooks", data={"url": webhook_receiver.url})
    assert response.status_code == 200
    [(secret, organization_id)] = db.session.execute(
        sa.text("SELECT secret, organization_id FROM webhook_endpoints")
    ).all()
    assert organization_id == monitor.organization_id and len(secret) == 64
    assert secret.encode() in response.data  # shown to the organization once registered

    db.session.add(
        NotificationRule(
            event_kind="promise.status_changed",
            recipient=Recipient.ORGANIZATION_WEBHOOKS,
            channel=Channel.WEBHOOK,
        )
    )
    deputy = make.deputy()
    event = record_event(
        "promise.status_changed", "deputy", deputy.id, {"status": "broken", "confirm_url": "x"}
    )
    db.session.commit()

    [(headers, body)] = webhook_receiver.requests
    assert verify_signature(secret, body, headers["x-recall-signature"]) is True
    assert verify_signature("wrong-key", body, headers["x-recall-signature"]) is False
    assert verify_signature(secret, body + b" ", headers["x-recall-signature"]) is False
    document = webhook_json(body)
    assert document["event"]["kind"] == "promise.status_changed"
    assert document["event"]["payload"] == {"status": "broken"}  # personal links never leave
    assert headers["x-recall-event"] == str(event.id)
    [delivery] = _deliveries()
    assert (
        headers["x-recall-delivery"] == str(delivery.id) and delivery.status == DeliveryStatus.SENT
    )


def test_webhook_server_error_is_temporary_client_error_permanent(app, make, webhook_receiver):
    org = make.organization()
    from recall.models.notifications import WebhookEndpoint

    db.session.add(WebhookEndpoint(organization_id=org.id, url=webhook_receiver.url, secret="s"))
    db.session.add(
        NotificationRule(
            event_kind="promise.created",
            recipient=Recipient.ORGANIZATION_WEBHOOKS,
            channel=Channel.WEBHOOK,
        )
    )
    deputy = make.deputy()
    webhook_receiver.status = 503
    record_event("promise.created", "deputy", deputy.id, {})
    db.session.commit()
    webhook_receiver.status = 404
    record_event("promise.created", "deputy", deputy.id, {})
    db.session.commit()
    first, second = _deliveries()
    assert (first.status, first.last_error) == (DeliveryStatus.PENDING, "webhook HTTP 503")
    assert (second.status, second.last_error) == (DeliveryStatus.FAILED, "webhook HTTP 404")


@pytest.mark.parametrize(
    ("url", "allow_private", "message"),
    [
        ("ftp://example.org/hook", True, b"Enter an http:// or https:// address."),
        ("http://127.0.0.1:9/hook", False, b"This address points into a private network."),
    ],
)
def test_bad_webhook_address_names_the_field_and_writes_nothing(
    app, make, client, login, url, allow_private, message
):
    app.config["WEBHOOK_ALLOW_PRIVATE"] = allow_private
    login(make.user(role="monitor"))
    db.session.commit()
    response = client.post("/notifications/webhooks", data={"url": url})
    assert response.status_code == 422
    assert message in response.data
    assert db.session.scalar(sa.text("SELECT count(*) FROM webhook_endpoints")) == 0


def test_citizens_cannot_manage_webhooks(app, make, client, login):
    login(make.user())
    db.session.commit()
    assert client.get("/notifications/webhooks").status_code == 403


def test_subjects_resolve_through_the_registry_and_unknown_types_reach_nobody(
    app, make, smtp_server
):
    from recall.models.verification import MisuseReport

    ensure_default_rules()
    commissioner = make.user(role="commissioner", email="commission@example.org")
    petition = make.petition(make.deputy(make.district(commissioner.commission_body)))
    report = MisuseReport(petition_id=petition.id, iin_hash="0" * 64, email="Victim@Example.org")
    db.session.add(report)
    db.session.flush()
    record_event("misuse_report.received", "misuse_report", report.id, {"petition_id": petition.id})
    db.session.add(
        NotificationRule(
            event_kind="mystery.happened",
            recipient=Recipient.MISUSE_REPORTER,
            channel=Channel.EMAIL,
        )
    )
    record_event("mystery.happened", "mystery", 1, {})
    db.session.commit()
    received = smtp_server.wait_for(2)
    assert sorted(m.rcpt_tos[0] for m in received) == [
        "commission@example.org",
        "victim@example.org",
    ]
    assert [(d.event_id, d.recipient_kind) for d in _deliveries()] == [
        (1, Recipient.MISUSE_REPORTER),
        (1, Recipient.BODY_COMMISSION),
    ]
    assert db.session.get(Event, 2).fanned_out_at is not None
