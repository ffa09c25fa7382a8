"""Links and codes for one person are stored sealed in events, and only the mail opens them (issue 19)."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from recall.extensions import db
from recall.models.notifications import Delivery
from recall.models.outbox import Event
from recall.notifications.errors import PermanentDeliveryError
from recall.notifications.mail import render_email
from recall.notifications.webhooks import webhook_body
from recall.services.outbox import record_event
from recall.services.sealing import SealedPayloadError, open_payload, seal_payload

SECRETS = {"confirm_url": "http://recall.test/c/SECRET-LINK", "receipt": "RCPT-SECRET-CODE"}


def test_record_event_stores_no_secret_in_plain_text(app):
    event = record_event("account.confirmation_requested", "user", 1, {"user_id": 1, **SECRETS})
    db.session.commit()
    stored = db.session.execute(
        sa.text("SELECT payload FROM events WHERE id = :i"), {"i": event.id}
    )
    raw = json.dumps(stored.scalar_one())
    assert "SECRET-LINK" not in raw and "RCPT-SECRET-CODE" not in raw
    assert open_payload(db.session.get(Event, event.id).payload) == {"user_id": 1, **SECRETS}


def test_a_sealed_payload_opens_only_under_its_key_and_unaltered(app):
    sealed = seal_payload({"petition_id": 3, **SECRETS})
    assert set(sealed) == {"petition_id", "sealed"}
    tampered = dict(sealed, sealed=sealed["sealed"][:-4] + "AAAA")
    with pytest.raises(SealedPayloadError):
        open_payload(tampered)
    app.config["SECRET_KEY"] = "another key, another box " * 2
    with pytest.raises(SealedPayloadError):
        open_payload(sealed)


def test_mail_carries_the_secrets_and_webhooks_never(app):
    event = record_event("account.confirmation_requested", "user", 1, {"user_id": 1, **SECRETS})
    delivery = Delivery(id=10**6, event=event, recipient="someone@example.org", locale="en")
    text = render_email(delivery, event, None).as_string()
    assert "SECRET-LINK" in text
    body = webhook_body(delivery, event).decode()
    assert "SECRET" not in body and "sealed" not in body
    app.config["SECRET_KEY"] = "rotated away from the sealing key" * 2
    with pytest.raises(PermanentDeliveryError):
        render_email(delivery, event, None)
