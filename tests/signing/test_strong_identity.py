"""Strong identity by digital signature (issue 13): a challenge naming the petition and a nonce,
signed with a certificate whose subject names the IIN; verified against the CA certificates in
IDENTITY_CA_FILE, validity dates and the CRL in IDENTITY_CRL_FILE. The tests build their own CA."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from recall.extensions import db
from recall.models import ClaimState, Signature, SignatureClaim, SignatureStatus
from recall.models.base import utcnow
from recall.models.signature import CheckStatus
from recall.services.signing import counting, receipts
from recall.services.signing import online as signing
from tests import factories
from tests.signing.conftest import confirm_token, events, payload, sign_url, total_rows

STRONG_ONLY = {"signing_channels": ["online_strong", "paper"]}
EMAIL_ONLY = {"signing_channels": ["online_email", "paper"]}


def _challenge(client, petition) -> str:
    response = client.post(f"/api/v1/petitions/{petition.id}/challenge")
    assert response.status_code == 201, response.json
    text = response.json["challenge"]
    assert f"petition: {petition.id}\n" in text and "nonce: " in text
    return text


def _strong(client, petition, iin, key, cert, challenge=None, **changes):
    challenge = challenge if challenge is not None else _challenge(client, petition)
    body = payload(petition, iin=iin, email="aliya@example.org") | {
        "challenge": challenge,
        "signature": factories.sign_challenge(key, challenge),
        "certificate": factories.certificate_pem(cert),
    }
    body.update(changes)
    return client.post(f"/api/v1/petitions/{petition.id}/signatures/strong", json=body)


@pytest.mark.parametrize("kind", ["rsa", "ec"])
def test_a_verified_signature_is_confirmed_at_once(client, collecting_petition, ca, kind):
    petition = collecting_petition()
    iin = factories.iin()
    key, cert = ca.issue(iin, kind=kind)
    response = _strong(client, petition, iin, key, cert)
    assert response.status_code == 201, response.json
    assert response.json["status"] == "confirmed"
    signature = db.session.scalar(sa.select(Signature))
    assert (signature.status, signature.identity_provider) == (
        SignatureStatus.CONFIRMED,
        "online_strong",
    )
    assert counting.confirmed_count(petition) == 1
    assert events("signature.confirmation_requested") == []  # nothing to confirm by mail
    receipt = client.get(f"/api/v1/receipts/{response.json['receipt']}").json
    assert receipt["status"] == "confirmed"


def test_an_ecdsa_ca_issues_too(app, client, collecting_petition, tmp_path):
    authority = factories.CertificationAuthority(kind="ec")
    authority.install(app, tmp_path)
    petition = collecting_petition()
    iin = factories.iin()
    key, cert = authority.issue(iin, kind="ec")
    assert _strong(client, petition, iin, key, cert).status_code == 201


def _refused(response, field, message_part):
    assert response.status_code == 422, response.json
    assert response.json["error"]["field"] == field
    assert message_part in response.json["error"]["message"]


def test_every_bad_certificate_is_refused_and_writes_nothing(
    app, client, collecting_petition, ca, tmp_path
):
    petition = collecting_petition()
    iin = factories.iin()
    now = utcnow()
    key, good = ca.issue(iin)
    _key_expired, expired = ca.issue(
        iin, valid_from=now - timedelta(days=400), valid_to=now - timedelta(days=1)
    )
    _key_future, future = ca.issue(iin, valid_from=now + timedelta(days=1))
    other_ca = factories.CertificationAuthority(name="Test National CA")  # same name, other key
    stranger_key, stranger = other_ca.issue(iin)
    wrong_key, wrong_iin = ca.issue(factories.iin())
    no_iin_key, no_iin = ca.issue(iin, serial_text="PAS12345")
    revoked_key, revoked = ca.issue(iin)
    ca.revoke(revoked)
    ca.install(app, tmp_path)
    cases = [
        (_strong(client, petition, iin, _key_expired, expired), "certificate", "not valid today"),
        (_strong(client, petition, iin, _key_future, future), "certificate", "not valid today"),
        (_strong(client, petition, iin, stranger_key, stranger), "certificate", "not issued"),
        (_strong(client, petition, iin, wrong_key, wrong_iin), "iin", "another IIN"),
        (_strong(client, petition, iin, no_iin_key, no_iin), "certificate", "does not name"),
        (_strong(client, petition, iin, revoked_key, revoked), "certificate", "revoked"),
        # The key of another certificate signed the challenge.
        (_strong(client, petition, iin, wrong_key, good), "signature", "does not match"),
        (
            _strong(client, petition, iin, key, good, certificate="not a pem"),
            "certificate",
            "PEM",
        ),
        (_strong(client, petition, iin, key, good, signature="%%%"), "signature", "base64"),
    ]
    for response, field, message in cases:
        _refused(response, field, message)
    assert total_rows() == (0, 0)
    assert _strong(client, petition, iin, key, good).status_code == 201


def test_challenges_are_ours_for_this_petition_and_fresh(client, collecting_petition, ca):
    petition, other = collecting_petition(), collecting_petition()
    iin = factories.iin()
    key, cert = ca.issue(iin)
    text = _challenge(client, petition)
    tampered = text.replace("nonce: ", "nonce: 0", 1)[:-1]
    _refused(_strong(client, petition, iin, key, cert, challenge=tampered), "challenge", "not")
    foreign = _challenge(client, other)
    _refused(_strong(client, petition, iin, key, cert, challenge=foreign), "challenge", "another")
    with pytest.raises(signing.Invalid) as stale:
        signing.sign_petition_strong(
            petition_id=petition.id,
            full_name="Әлия Қасымова",
            iin=iin,
            email=None,
            district_id=petition.district_id,
            consent=True,
            challenge=text,
            signature=factories.sign_challenge(key, text),
            certificate=factories.certificate_pem(cert),
            now=utcnow() + timedelta(minutes=11),
        )
    assert stale.value.field == "challenge" and "expired" in stale.value.message
    assert total_rows() == (0, 0)


def test_the_crl_must_be_current_and_the_settings_present(
    app, client, collecting_petition, ca, tmp_path
):
    petition = collecting_petition()
    iin = factories.iin()
    key, cert = ca.issue(iin)
    ca.install(app, tmp_path, next_update=utcnow() - timedelta(hours=1))
    _refused(_strong(client, petition, iin, key, cert), "certificate", "revocation status")
    app.config["IDENTITY_CA_FILE"] = None
    _refused(_strong(client, petition, iin, key, cert), "certificate", "not available")
    assert total_rows() == (0, 0)


def test_a_verified_signature_replaces_a_pending_email_claim(client, collecting_petition, ca):
    petition = collecting_petition()
    iin = factories.iin()
    planted = client.post(
        sign_url(petition), json=payload(petition, iin=iin, email="squatter@example.org")
    ).json["receipt"]
    client.post(sign_url(petition), json=payload(petition, iin=iin, email="other@example.org"))
    links = [confirm_token(e) for e in events("signature.confirmation_requested")]
    before = receipts.lookup_receipt(planted)
    key, cert = ca.issue(iin)
    response = _strong(client, petition, iin, key, cert)
    assert response.status_code == 201 and response.json["status"] == "confirmed"
    db.session.expire_all()
    signature = db.session.scalar(sa.select(Signature))
    assert (signature.email, signature.identity_provider) == ("aliya@example.org", "online_strong")
    assert counting.confirmed_count(petition) == 1
    for link in links:  # the squatter's link and the other claim are void
        with pytest.raises(signing.Invalid):
            signing.confirm_signature(link)
    assert receipts.lookup_receipt(planted) == before
    assert set(db.session.scalars(sa.select(SignatureClaim.state))) == {ClaimState.VOID}


def test_on_a_confirmed_email_signature_it_is_contested_and_twice_strong_is_refused(
    client, collecting_petition, ca
):
    petition = collecting_petition()
    iin = factories.iin()
    client.post(sign_url(petition), json=payload(petition, iin=iin, email="squatter@example.org"))
    client.post(
        f"/signatures/confirm/{confirm_token(events('signature.confirmation_requested')[0])}"
    )
    key, cert = ca.issue(iin)
    response = _strong(client, petition, iin, key, cert)
    assert response.status_code == 201 and response.json["status"] == "contested"
    db.session.expire_all()
    signature = db.session.scalar(sa.select(Signature))
    assert (signature.check_status, signature.reason_code) == (CheckStatus.REVIEW, "contested_iin")
    assert counting.confirmed_count(petition) == 1

    fresh = collecting_petition()
    assert _strong(client, fresh, iin, key, cert).status_code == 201
    again = _strong(client, fresh, iin, key, cert)
    assert again.status_code == 409


def test_a_rule_can_require_the_digital_signature(client, collecting_petition, ca):
    strong_only = collecting_petition(rule_changes=STRONG_ONLY)
    email_only = collecting_petition(rule_changes=EMAIL_ONLY)
    # The channel refusal of every other way (field ``channel``), saying how to sign instead.
    _refused(
        client.post(sign_url(strong_only), json=payload(strong_only)),
        "channel",
        "does not allow signing online (e-mail confirmation). This petition can be signed "
        "online on this site with your digital signature; on a paper signature sheet",
    )
    _refused(
        client.post(f"/api/v1/petitions/{email_only.id}/challenge"),
        "channel",
        "does not allow signing online (digital signature). This petition can be signed "
        "online on this site, confirmed by a link sent to your e-mail; on a paper",
    )
    assert total_rows() == (0, 0)
    iin = factories.iin()
    key, cert = ca.issue(iin)
    assert _strong(client, strong_only, iin, key, cert).status_code == 201
    assert client.post(sign_url(email_only), json=payload(email_only)).status_code == 202
