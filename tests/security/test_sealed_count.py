"""Nothing a signer receives carries a sequential number: two signatures taken far apart must not
tell how many were taken between them."""

from __future__ import annotations

import base64
import email
import json
import re
from pathlib import Path

import sqlalchemy as sa

from recall.extensions import db
from recall.models import Signature
from recall.models.notifications import Delivery
from recall.notifications.rules import ensure_default_rules
from tests.signing.conftest import confirm_token, events, payload, sign_url


def _token_payload(token: str):
    """What an itsdangerous URL-safe token carries, read without the key (as anyone can)."""
    data = token.split(".", 1)[0]
    return json.loads(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))


def test_confirmation_links_carry_no_row_id(app, client, collecting_petition):
    petition = collecting_petition()
    for _ in range(2):
        assert client.post(sign_url(petition), json=payload(petition)).status_code == 202
    signatures = list(db.session.scalars(sa.select(Signature).order_by(Signature.id)))
    tokens = [confirm_token(e) for e in events("signature.confirmation_requested")]
    assert len(tokens) == 2 and tokens[0] != tokens[1]
    assert len(signatures) == 2
    for token in tokens:
        decoded = _token_payload(token)
        # Random text only: no number at all, so no row id or counter whatever its value.
        assert isinstance(decoded, list) and decoded, decoded
        assert all(isinstance(v, str) and not v.isdigit() for v in decoded), decoded
        assert all(len(v) >= 16 for v in decoded), decoded
    # The links still confirm their own signature, and only theirs.
    assert client.get(f"/signatures/confirm/{tokens[1]}").status_code == 200
    assert client.post(f"/signatures/confirm/{tokens[1]}").status_code == 200
    db.session.expire_all()
    assert [
        s.status.value for s in db.session.scalars(sa.select(Signature).order_by(Signature.id))
    ] == [
        "pending",
        "confirmed",
    ]


def test_confirmation_mails_carry_no_sequential_id(app, client, collecting_petition, tmp_path):
    app.config["MAIL_FOLDER"] = str(tmp_path)
    ensure_default_rules()
    db.session.commit()
    petition = collecting_petition()
    for n in range(2):
        body = payload(petition, email=f"signer{n}@example.org")
        assert client.post(sign_url(petition), json=body).status_code == 202
    deliveries = list(db.session.scalars(sa.select(Delivery).order_by(Delivery.id)))
    assert len(deliveries) == 2
    message_ids = []
    for delivery in deliveries:
        message = email.message_from_bytes(
            (Path(tmp_path) / f"delivery-{delivery.id}.eml").read_bytes()
        )
        message_id = message["Message-ID"]
        assert re.fullmatch(r"<[0-9a-f]{32}@recall\.test>", message_id), message_id
        for name in ("X-Recall-Event", "X-Recall-Delivery"):
            assert message[name] in (None, message_id[1:33]), (name, message[name])
        message_ids.append(message_id)
    assert message_ids[0] != message_ids[1]
