"""Whoever signs first with an IIN must not own it (issue 13): later attempts are claims.

A squatter who knows a voter's IIN signs first with their own address. The voter's later attempt
gets its own link and the first link followed wins; an attempt on a confirmed signature answers
like a success and is a "contested IIN" review item; the earlier address is never told; a planted
receipt answers the same before and after the voter signs.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from recall.extensions import db
from recall.models import ClaimState, Role, Signature, SignatureClaim, SignatureStatus
from recall.models.base import utcnow
from recall.models.outbox import Event
from recall.models.signature import CheckStatus
from recall.notifications.recipients import resolve, subject_model
from recall.services.signing import counting, receipts
from recall.services.signing import online as signing
from recall.services.verification import review
from tests import factories
from tests.signing.conftest import confirm_token, events, payload, sign_url, signature_count

VOID = (
    "This confirmation link can no longer be used: another link for the same IIN on this "
    "petition was followed first. If that was not you, report the misuse of your IIN to the "
    "election commission."
)


def _sign(client, petition, iin, email, name="Әлия Қасымова"):
    response = client.post(
        sign_url(petition), json=payload(petition, iin=iin, email=email, full_name=name)
    )
    assert response.status_code == 202
    return response.json["receipt"]


def _mailed_to(event: Event) -> list[str]:
    """The addresses the default rule of ``event`` (signer) would mail."""
    from recall.models.notifications import Channel, Recipient

    subject = db.session.get(subject_model(event.subject_type), event.subject_id)
    return [t.address for t in resolve(Recipient.SIGNER, Channel.EMAIL, event, subject)]


def _confirm(client, token):
    return client.post(f"/signatures/confirm/{token}", headers={"Accept": "application/json"})


def test_a_later_attempt_gets_its_own_link_and_the_earlier_address_is_never_told(
    client, collecting_petition
):
    petition = collecting_petition()
    iin = factories.iin()
    _sign(client, petition, iin, "squatter@example.org", "Somebody Else")
    _sign(client, petition, iin, "voter@example.org")
    _sign(client, petition, iin, "voter@example.org")
    assert signature_count() == 1
    first, *claims = events("signature.confirmation_requested")
    assert events("signature.already_signed") == []
    assert _mailed_to(first) == ["squatter@example.org"]
    assert [e.subject_type for e in claims] == ["signature_claim"] * 2
    assert [_mailed_to(e) for e in claims] == [["voter@example.org"]] * 2
    # Every event of the run: nothing else went to anyone.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 3
    assert len({confirm_token(e) for e in events("signature.confirmation_requested")}) == 3


def test_the_later_link_followed_first_wins_and_the_squatters_link_is_void(
    client, collecting_petition
):
    petition = collecting_petition()
    iin = factories.iin()
    planted = _sign(client, petition, iin, "squatter@example.org", "Somebody Else")
    mine = _sign(client, petition, iin, "voter@example.org", "Әлия Қасымова")
    squatter_link, voter_link = (
        confirm_token(e) for e in events("signature.confirmation_requested")
    )
    assert client.post(f"/signatures/confirm/{voter_link}").status_code == 200
    signature = db.session.scalar(sa.select(Signature))
    assert (signature.status, signature.email, signature.full_name) == (
        SignatureStatus.CONFIRMED,
        "voter@example.org",
        "Әлия Қасымова",
    )
    assert counting.confirmed_count(petition) == 1
    refused = _confirm(client, squatter_link)
    assert refused.status_code == 422 and refused.json["error"]["message"] == VOID
    assert client.post(f"/signatures/confirm/{voter_link}").status_code == 200  # idempotent
    assert counting.confirmed_count(petition) == 1
    assert client.get(f"/api/v1/receipts/{mine}").json["status"] == "confirmed"
    assert client.get(f"/api/v1/receipts/{planted}").json["status"] == "pending"
    # Withdrawal needs the signature's receipt and address: the squatter's no longer are.
    assert receipts.find_by_receipt(planted) is None
    states = db.session.scalars(sa.select(SignatureClaim.state).order_by(SignatureClaim.id))
    assert list(states) == [ClaimState.WON, ClaimState.VOID]


def test_the_first_signatures_link_followed_first_wins_and_the_claim_is_void(
    client, collecting_petition
):
    petition = collecting_petition()
    iin = factories.iin()
    _sign(client, petition, iin, "voter@example.org")
    _sign(client, petition, iin, "other@example.org")
    own, claim = (confirm_token(e) for e in events("signature.confirmation_requested"))
    assert client.post(f"/signatures/confirm/{own}").status_code == 200
    refused = _confirm(client, claim)
    assert refused.status_code == 422 and refused.json["error"]["message"] == VOID
    signature = db.session.scalar(sa.select(Signature))
    assert (signature.status, signature.email) == (SignatureStatus.CONFIRMED, "voter@example.org")
    assert db.session.scalar(sa.select(SignatureClaim.state)) == ClaimState.VOID
    assert counting.confirmed_count(petition) == 1


def test_an_attempt_on_a_confirmed_signature_is_a_contested_iin_review_item(
    client, make, collecting_petition
):
    petition = collecting_petition()
    iin = factories.iin()
    _sign(client, petition, iin, "squatter@example.org", "Somebody Else")
    client.post(
        f"/signatures/confirm/{confirm_token(events('signature.confirmation_requested')[0])}"
    )
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Event))
    mine = _sign(client, petition, iin, "voter@example.org", "Әлия Қасымова")
    # Answered like a success, and no mail to anyone: no event at all.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == before
    assert client.get(f"/api/v1/receipts/{mine}").json["status"] == "pending"
    later = utcnow() + timedelta(hours=73)
    assert receipts.lookup_receipt(mine, now=later).status == "expired"
    db.session.expire_all()
    signature = db.session.scalar(sa.select(Signature))
    assert (signature.check_status, signature.reason_code) == (CheckStatus.REVIEW, "contested_iin")
    assert signature.email == "squatter@example.org"
    assert counting.confirmed_count(petition) == 1  # counted until a commissioner decides
    commissioner = make.user(role=Role.COMMISSIONER, commission_body=petition.body)
    db.session.commit()
    [item] = review.review_queue(commissioner, petition.id)
    assert item.signature.id == signature.id
    assert [(c.full_name, c.email) for c in item.contests] == [
        ("Әлия Қасымова", "voter@example.org")
    ]
    review.decide(commissioner, signature.id, accept=False, reason_code="misuse_reported")
    db.session.commit()
    assert counting.confirmed_count(petition) == 0
    assert review.item_for(commissioner, signature.id).contests == []


def test_a_planted_receipt_answers_the_same_before_and_after_the_voter_signs(
    client, collecting_petition
):
    petition = collecting_petition()
    iin = factories.iin()
    planted = _sign(client, petition, iin, "squatter@example.org", "Somebody Else")
    moments = [utcnow(), utcnow() + timedelta(hours=71), utcnow() + timedelta(hours=73)]

    def answers():
        return [receipts.lookup_receipt(planted, now=at) for at in moments]

    before = answers()
    assert [v.status for v in before] == ["pending", "pending", "expired"]
    _sign(client, petition, iin, "voter@example.org")
    assert answers() == before
    client.post(
        f"/signatures/confirm/{confirm_token(events('signature.confirmation_requested')[1])}"
    )
    db.session.expire_all()
    assert db.session.scalar(sa.select(Signature.email)) == "voter@example.org"
    assert answers() == before


def test_an_expired_planted_receipt_stays_expired_when_the_voter_signs(client, collecting_petition):
    petition = collecting_petition()
    iin = factories.iin()
    planted = _sign(client, petition, iin, "squatter@example.org", "Somebody Else")
    assert signing.expire_unconfirmed(utcnow() + timedelta(hours=73)) == 1
    db.session.commit()
    seen = receipts.lookup_receipt(planted)
    assert seen.status == "expired"
    mine = _sign(client, petition, iin, "voter@example.org")
    assert receipts.lookup_receipt(planted) == seen  # was a 404 once the row was signed again
    assert receipts.lookup_receipt(mine).status == "pending"
    squatter_link = confirm_token(events("signature.confirmation_requested")[0])
    with pytest.raises(signing.Invalid):
        signing.confirm_signature(squatter_link)
