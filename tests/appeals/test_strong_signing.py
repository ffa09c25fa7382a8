"""Signing an appeal with a digital signature (issue 15: "e-mail or digital-signature
confirmation", as recall signing): a challenge naming the appeal, verified by the certificate
checks recall signing uses, confirmed and counted at once."""

from __future__ import annotations

import sqlalchemy as sa

from recall.extensions import db
from recall.models import Event
from recall.models.appeal import Appeal, AppealSignature, AppealSignatureClaim, AppealState
from recall.models.base import utcnow
from recall.models.signature import ClaimState, SignatureStatus
from recall.services.appeals import signing as appeal_signing
from tests import factories
from tests.appeals.test_signing import _body, _token

S = AppealState


def _challenge(client, appeal) -> str:
    response = client.post(f"/api/v1/appeals/{appeal.id}/challenge")
    assert response.status_code == 201, response.json
    assert f"appeal: {appeal.id}\n" in response.json["challenge"]
    return response.json["challenge"]


def _strong(client, appeal, iin, key, cert, challenge=None, **changes):
    challenge = challenge if challenge is not None else _challenge(client, appeal)
    body = _body(None, appeal.district, iin=iin) | {
        "challenge": challenge,
        "signature": factories.sign_challenge(key, challenge),
        "certificate": factories.certificate_pem(cert),
    }
    body.update(changes)
    return client.post(f"/api/v1/appeals/{appeal.id}/signatures/strong", json=body)


def _written():
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(m))
        for m in (AppealSignature, AppealSignatureClaim, Event)
    )


def test_a_verified_signature_is_confirmed_and_counted_at_once(app, client, make, ca):
    appeal = make.appeal(threshold=1)
    db.session.commit()
    iin = factories.iin()
    key, cert = ca.issue(iin)
    response = _strong(client, appeal, iin, key, cert, email=None)  # e-mail is optional
    assert response.status_code == 201, response.json
    assert response.json["status"] == "confirmed"
    signature = db.session.scalar(sa.select(AppealSignature))
    assert (signature.status, signature.identity_provider, signature.email) == (
        SignatureStatus.CONFIRMED,
        "online_strong",
        None,
    )
    db.session.expire_all()
    appeal = db.session.get(Appeal, appeal.id)
    assert appeal_signing.appeal_counts([appeal.id])[appeal.id].constituents == 1
    assert appeal.state == S.RESPONSE_DUE  # threshold 1
    kinds = db.session.scalars(sa.select(Event.kind)).all()
    assert "appeal_signature.confirmation_requested" not in kinds  # nothing to confirm by mail
    receipt = client.get(f"/api/v1/appeals/receipts/{response.json['receipt']}").json
    assert receipt["status"] == "confirmed"


def test_a_petitions_challenge_cannot_sign_an_appeal_and_refusals_write_nothing(
    app, client, make, ca
):
    appeal = make.appeal()
    petition = make.petition()
    db.session.commit()
    iin = factories.iin()
    key, cert = ca.issue(iin)
    _other_key, other_cert = ca.issue(factories.iin())
    for_petition = appeal_signing.certificates.new_challenge(appeal.id, utcnow())
    assert f"petition: {appeal.id}\n" in for_petition.text and petition.id
    before = _written()
    cases = [
        ({"challenge": for_petition.text}, "challenge"),  # a petition's, same number
        ({"certificate": factories.certificate_pem(other_cert)}, None),  # another's key
        ({"consent": False}, "consent"),
        ({"district_id": None}, "district_id"),
    ]
    for changes, field in cases:
        challenge = changes.pop("challenge", None)
        response = _strong(client, appeal, iin, key, cert, challenge=challenge, **changes)
        assert response.status_code == 422, response.json
        if field:
            assert response.json["error"]["field"] == field
    db.session.expire_all()
    assert _written() == before


def test_it_replaces_a_pending_email_signature_and_contests_a_confirmed_one(app, client, make, ca):
    appeal = make.appeal(threshold=10)
    db.session.commit()
    iin = factories.iin()
    key, cert = ca.issue(iin)
    pending = client.post(
        f"/api/v1/appeals/{appeal.id}/signatures", json=_body(make, appeal.district, iin=iin)
    )
    assert pending.status_code == 202
    assert _strong(client, appeal, iin, key, cert).json["status"] == "confirmed"
    signature = db.session.scalar(sa.select(AppealSignature))
    assert signature.identity_provider == "online_strong"
    [void] = db.session.scalars(sa.select(AppealSignatureClaim)).all()
    assert void.state == ClaimState.VOID  # the e-mail life, its receipt still answering
    assert client.get(f"/api/v1/appeals/receipts/{pending.json['receipt']}").json["status"] in (
        "pending",
        "expired",
    )
    again = _strong(client, appeal, iin, key, cert)
    assert again.status_code == 409 and again.json["error"]["field"] == "iin"

    other_iin = factories.iin()
    other_key, other_cert = ca.issue(other_iin)
    body = _body(make, appeal.district, iin=other_iin, email="first@example.org")
    client.post(f"/api/v1/appeals/{appeal.id}/signatures", json=body)
    first = db.session.scalar(
        sa.select(AppealSignature).where(AppealSignature.email == "first@example.org")
    )
    assert client.post(f"/appeals/signatures/confirm/{_token(first.id)}").status_code == 303
    db.session.refresh(first)
    assert first.identity_provider == "email_link"
    contested = _strong(client, appeal, other_iin, other_key, other_cert)
    assert contested.status_code == 201 and contested.json["status"] == "contested"
    counts = appeal_signing.appeal_counts([appeal.id])[appeal.id]
    assert counts.constituents == 2  # unchanged by the contest


def test_the_page_offers_the_digital_signature(app, client, make, ca):
    appeal = make.appeal()
    db.session.commit()
    page = client.get(f"/appeals/{appeal.id}/sign/certificate")
    assert page.status_code == 200 and f"appeal: {appeal.id}" in page.text
    assert (
        f'href="/appeals/{appeal.id}/sign/certificate"'
        in client.get(f"/appeals/{appeal.id}/sign").text
    )
