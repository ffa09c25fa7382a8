"""Signing online through the JSON API: every refusal, duplicates, confirmation, expiry, receipts, withdrawal."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from recall.extensions import db
from recall.models import PetitionState, Signature, SignatureSource, SignatureStatus
from recall.models.base import utcnow
from recall.models.signature import CheckStatus
from recall.services.iin_hash import hash_iin
from recall.services.sealing import open_payload
from recall.services.signing import counting, receipts
from recall.services.signing import online as signing
from tests import factories
from tests.signing.conftest import (
    confirm_token,
    events,
    payload,
    sign_url,
    signature_count,
    total_rows,
)

VALID = factories.iin(serial=4321)


def _bad_checksum(iin: str) -> str:
    return iin[:11] + str((int(iin[11]) + 1) % 10)


def _seventeen_today() -> str:
    today = counting.local_day(utcnow())
    return factories.iin(date(today.year - 17, today.month, min(today.day, 28)), "male", 77)


REFUSALS = [
    ({"full_name": ""}, "full_name", "Enter your full name."),
    ({"full_name": None}, "full_name", "Enter your full name."),
    (
        {"full_name": "John Smith 3rd"},
        "full_name",
        "The full name may contain only letters (Kazakh, Russian or Latin), spaces, hyphens and apostrophes.",
    ),
    (
        {"full_name": "<script>"},
        "full_name",
        "The full name may contain only letters (Kazakh, Russian or Latin), spaces, hyphens and apostrophes.",
    ),
    ({"full_name": "Ә"}, "full_name", "The full name must be between 2 and 200 characters."),
    ({"full_name": "А" * 201}, "full_name", "The full name must be between 2 and 200 characters."),
    ({"iin": ""}, "iin", "Enter your IIN (12 digits)."),
    ({"iin": "12345"}, "iin", "The IIN must be exactly 12 digits."),
    ({"iin": "85031540000A"}, "iin", "The IIN must be exactly 12 digits."),
    (
        {"iin": _bad_checksum(VALID)},
        "iin",
        "This IIN is not valid: please check that every digit is typed correctly.",
    ),
    ({"iin": "851315400008"}, "iin", "This IIN does not contain a valid date of birth."),
    (
        {"iin": factories.iin(date(2090, 1, 1), serial=5)},
        "iin",
        "This IIN does not contain a valid date of birth.",
    ),
    (
        {"iin": factories.iin(date(1880, 5, 1), "male", 12)},
        "iin",
        "This IIN does not contain a valid date of birth.",
    ),
    ({"iin": "__minor__"}, "iin", "You must be at least 18 years old on the day of signing."),
    ({"email": "not-an-address"}, "email", "Enter a valid e-mail address."),
    ({"email": None}, "email", "Enter a valid e-mail address."),
    ({"district_id": None}, "district_id", "Choose your district."),
    ({"district_id": "abc"}, "district_id", "Choose your district."),
    (
        {"district_id": "__other__"},
        "district_id",
        "You can only sign a recall petition in your own district: this petition is for __district__.",
    ),
    (
        {"consent": False},
        "consent",
        "Please agree to the processing of your personal data to sign.",
    ),
    (
        {"consent": "yes"},
        "consent",
        "Please agree to the processing of your personal data to sign.",
    ),
    ({"consent": None}, "consent", "Please agree to the processing of your personal data to sign."),
]


@pytest.mark.parametrize(
    ("changes", "field", "message"), REFUSALS, ids=[f"{r[1]}-{i}" for i, r in enumerate(REFUSALS)]
)
def test_each_refusal_names_the_field_and_writes_nothing(
    client, make, collecting_petition, changes, field, message
):
    petition = collecting_petition()
    if changes.get("iin") == "__minor__":
        changes = {"iin": _seventeen_today()}
    if changes.get("district_id") == "__other__":
        changes = {"district_id": make.district(petition.body).id}
        db.session.commit()
    message = message.replace("__district__", petition.district.name)
    before = total_rows()
    response = client.post(sign_url(petition), json=payload(petition, **changes))
    assert response.status_code == 422
    assert response.json["error"]["field"] == field
    assert response.json["error"]["message"] == message
    assert total_rows() == before == (0, 0)


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ({"state": PetitionState.SUBMITTED}, "This petition is not collecting signatures."),
        ({"state": PetitionState.CLOSED}, "This petition is not collecting signatures."),
        (
            {"closes_delta": timedelta(minutes=-1), "opens_delta": timedelta(days=-30)},
            "Signing for this petition has closed.",
        ),
        ({"opens_delta": timedelta(hours=2)}, "Signing for this petition has not opened yet."),
    ],
)
def test_petition_not_collecting_is_refused(client, collecting_petition, setup, message):
    petition = collecting_petition(**setup)
    response = client.post(sign_url(petition), json=payload(petition))
    assert response.status_code == 422
    assert response.json["error"] == {
        "status": 422,
        "code": "invalid",
        "field": "petition",
        "message": message,
    }
    assert total_rows() == (0, 0)


def test_unknown_petition_and_non_object_body(client, collecting_petition):
    petition = collecting_petition()
    assert (
        client.post("/api/v1/petitions/999999/signatures", json=payload(petition)).status_code
        == 404
    )
    response = client.post(sign_url(petition), json=["not", "an", "object"])
    assert response.status_code == 422
    assert response.json["error"]["message"] == "Send a JSON object in the request body."
    assert total_rows() == (0, 0)


def test_success_stores_hash_not_iin_and_requests_confirmation(app, client, collecting_petition):
    petition = collecting_petition()
    iin = factories.iin(serial=1234, born=date(1979, 10, 28), sex="male")
    response = client.post(
        sign_url(petition),
        json=payload(
            petition, iin=iin, email=" Aliya@Example.ORG ", full_name="  O'Brien   Жақып  "
        ),
    )
    assert response.status_code == 202
    receipt = response.json["receipt"]
    assert set(response.json) == {"receipt"}
    assert len(receipt) == 19 and receipt.count("-") == 3
    signature = db.session.scalar(sa.select(Signature))
    assert signature.iin_hash == hash_iin(iin) and len(signature.iin_hash) == 64
    assert signature.birth_date == date(1979, 10, 28)
    assert signature.full_name == "O'Brien Жақып"
    assert signature.email == "aliya@example.org"
    assert (
        signature.status == SignatureStatus.PENDING and signature.source == SignatureSource.ONLINE
    )
    assert signature.expires_at == signature.created_at + timedelta(hours=72)
    assert signature.receipt_hash == receipts.receipt_hash_of(receipt)
    # The IIN appears in no column of the row.
    row = db.session.execute(sa.text("SELECT * FROM signatures")).one()
    assert all(iin not in str(value) for value in row)
    [event] = events("signature.confirmation_requested")
    assert event.subject_type == "signature" and event.subject_id == signature.id
    # The receipt code and the link are stored sealed, never in plain text (issue 19).
    assert receipt not in str(event.payload) and "/signatures/confirm/" not in str(event.payload)
    opened = open_payload(event.payload)
    assert opened["petition_id"] == petition.id and opened["receipt"] == receipt
    assert opened["confirm_url"].startswith("http://recall.test/signatures/confirm/")
    assert iin not in str(event.payload)
    assert counting.confirmed_count(petition) == 0


def test_iin_is_never_logged(client, collecting_petition, caplog, monkeypatch):
    petition = collecting_petition()
    iin = factories.iin(serial=2468)
    # Alembic's fileConfig (run by migration tests earlier in the session) disables existing loggers.
    monkeypatch.setattr(logging.getLogger("recall.services.signing.online"), "disabled", False)
    caplog.set_level("DEBUG")
    client.post(sign_url(petition), json=payload(petition, iin=iin))
    client.post(sign_url(petition), json=payload(petition, iin=iin))
    client.post(sign_url(petition), json=payload(petition, iin=_bad_checksum(iin)))
    assert caplog.records
    assert iin not in caplog.text and _bad_checksum(iin) not in caplog.text


def test_second_attempt_answers_like_success_and_tells_nobody_else(client, collecting_petition):
    petition = collecting_petition()
    iin = factories.iin()
    first = client.post(
        sign_url(petition), json=payload(petition, iin=iin, email="first@example.org")
    )
    second = client.post(
        sign_url(petition),
        json=payload(petition, iin=iin, email="intruder@example.org", full_name="Somebody Else"),
    )
    assert first.status_code == second.status_code == 202
    assert set(second.json) == {"receipt"} and len(second.json["receipt"]) == len(
        first.json["receipt"]
    )
    assert first.json["receipt"] != second.json["receipt"]
    assert signature_count() == 1
    signature = db.session.scalar(sa.select(Signature))
    assert signature.email == "first@example.org" and signature.full_name != "Somebody Else"
    assert events("signature.already_signed") == []
    # The second attempt is a claim, with its own link (test_squatting.py follows it).
    own, claim = events("signature.confirmation_requested")
    assert (own.subject_type, claim.subject_type) == ("signature", "signature_claim")
    # The second receipt looks up exactly like an unconfirmed first signature.
    first_view = client.get(f"/api/v1/receipts/{first.json['receipt']}").json
    second_view = client.get(f"/api/v1/receipts/{second.json['receipt']}").json
    assert (
        first_view
        == second_view
        == {
            "petition_id": petition.id,
            "status": "pending",
            "check": None,
            "signed_on": counting.local_day(utcnow()).isoformat(),
            "in_sample": None,
        }
    )
    later = utcnow() + timedelta(hours=73)
    assert receipts.lookup_receipt(second.json["receipt"], now=later).status == "expired"
    # The real one turns "expired" at the same moment, before the periodic job marks it.
    assert receipts.lookup_receipt(first.json["receipt"], now=later).status == "expired"
    assert signature.status == SignatureStatus.PENDING


def test_confirmation_counts_once_and_is_idempotent(client, collecting_petition):
    petition = collecting_petition()
    response = client.post(sign_url(petition), json=payload(petition))
    token = confirm_token(events("signature.confirmation_requested")[0])
    opened = client.get(
        f"/signatures/confirm/{token}"
    )  # what a mail scanner does: confirms nothing
    assert opened.status_code == 200 and "Confirm my signature" in opened.get_data(as_text=True)
    assert db.session.scalar(sa.select(Signature.status)) == SignatureStatus.PENDING
    assert counting.confirmed_count(petition) == 0
    assert client.get("/signatures/confirm/not-a-token").status_code == 422
    page = client.post(f"/signatures/confirm/{token}")
    assert page.status_code == 200 and "your signature is confirmed" in page.get_data(as_text=True)
    assert client.post(f"/signatures/confirm/{token}").status_code == 200
    signature = db.session.scalar(sa.select(Signature))
    assert signature.status == SignatureStatus.CONFIRMED and signature.confirmed_at is not None
    assert counting.confirmed_count(petition) == 1
    assert counting.counts_per_day(petition) == [(counting.local_day(signature.created_at), 1)]
    assert client.get(f"/api/v1/receipts/{response.json['receipt']}").json["status"] == "confirmed"


def test_bad_or_foreign_confirmation_link_is_refused(client, collecting_petition):
    petition = collecting_petition()
    client.post(sign_url(petition), json=payload(petition))
    token = confirm_token(events("signature.confirmation_requested")[0])
    for bad in ("nonsense", token[:-2] + ("AA" if not token.endswith("AA") else "BB")):
        response = client.post(f"/signatures/confirm/{bad}", headers={"Accept": "application/json"})
        assert response.status_code == 422
        assert response.json["error"]["message"] == (
            "This confirmation link is not valid. Please use the link from the latest e-mail."
        )
    assert db.session.scalar(sa.select(Signature.status)) == SignatureStatus.PENDING
    assert counting.confirmed_count(petition) == 0


def test_expiry_then_signing_again_starts_afresh(app, client, collecting_petition):
    petition = collecting_petition()
    iin = factories.iin()
    old = client.post(
        sign_url(petition), json=payload(petition, iin=iin, email="old@example.org")
    ).json["receipt"]
    old_token = confirm_token(events("signature.confirmation_requested")[0])
    later = utcnow() + timedelta(hours=72, minutes=1)
    # Past its time but before the job ran, the link already refuses.
    with pytest.raises(signing.Invalid) as refused:
        signing.confirm_signature(old_token, now=later)
    assert "expired" in refused.value.message
    assert signing.expire_unconfirmed(utcnow()) == 0
    assert signing.expire_unconfirmed(later) == 1
    db.session.commit()
    assert receipts.lookup_receipt(old).status == "expired"
    new = client.post(
        sign_url(petition), json=payload(petition, iin=iin, email="new@example.org")
    ).json["receipt"]
    assert signature_count() == 1
    db.session.expire_all()
    signature = db.session.scalar(sa.select(Signature))
    assert (signature.status, signature.email) == (SignatureStatus.PENDING, "new@example.org")
    assert receipts.lookup_receipt(new).status == "pending"
    assert receipts.lookup_receipt(old).status == "expired"  # the old life's receipt still answers
    assert events("signature.already_signed") == []
    new_token = confirm_token(events("signature.confirmation_requested")[1])
    response = client.post(
        f"/signatures/confirm/{old_token}", headers={"Accept": "application/json"}
    )
    assert response.status_code == 422  # a link of the signature's earlier life no longer works
    assert client.post(f"/signatures/confirm/{new_token}").status_code == 200
    assert counting.confirmed_count(petition) == 1


def test_receipt_lookup_shows_no_personal_data_and_the_commission_verdict(
    client, collecting_petition
):
    petition = collecting_petition()
    sent = payload(petition, full_name="Марат Бекұлы")
    iin = sent["iin"]
    receipt = client.post(sign_url(petition), json=sent).json["receipt"]
    signature = db.session.scalar(sa.select(Signature))
    signature.check_status = CheckStatus.INVALID
    db.session.commit()
    body = client.get(f"/api/v1/receipts/{receipt.lower().replace('-', ' ')}")
    assert body.status_code == 200
    assert body.json == {
        "petition_id": petition.id,
        "status": "pending",
        "check": "invalid",
        "signed_on": counting.local_day(signature.created_at).isoformat(),
        "in_sample": None,
    }
    page = client.get("/receipts", query_string={"code": receipt}).get_data(as_text=True)
    assert (
        "waiting for confirmation" in page
        and "Марат" not in page
        and iin[-4:] not in page
        and signature.iin_ref not in page
    )
    missing = client.get("/api/v1/receipts/AAAA-BBBB-CCCC-DDDD")
    assert missing.status_code == 404
    assert (
        missing.json["error"]["message"]
        == "No signature has this receipt code. Please check the code."
    )
    assert client.get("/receipts", query_string={"code": "nonsense"}).status_code == 404


WITHDRAWABLE = {"withdrawal_allowed": True}


def test_withdrawal_uncounts_a_confirmed_signature(client, collecting_petition):
    petition = collecting_petition(rule_changes=WITHDRAWABLE)
    receipt = client.post(sign_url(petition), json=payload(petition, email="me@example.org")).json[
        "receipt"
    ]
    client.post(
        f"/signatures/confirm/{confirm_token(events('signature.confirmation_requested')[0])}"
    )
    assert counting.confirmed_count(petition) == 1
    response = client.post(
        "/api/v1/signatures/withdraw", json={"receipt": receipt, "email": "ME@example.org"}
    )
    assert response.status_code == 200 and response.json == {"status": "withdrawn"}
    assert counting.confirmed_count(petition) == 0
    assert counting.counts_per_day(petition) == []
    [event] = events("signature.withdrawn")
    assert event.payload == {"petition_id": petition.id}
    assert client.get(f"/api/v1/receipts/{receipt}").json["status"] == "withdrawn"
    # Withdrawing again changes nothing.
    assert (
        client.post(
            "/api/v1/signatures/withdraw", json={"receipt": receipt, "email": "me@example.org"}
        ).status_code
        == 200
    )
    assert len(events("signature.withdrawn")) == 1 and counting.confirmed_count(petition) == 0


def test_withdrawal_refusals_write_nothing(client, collecting_petition):
    forbidden = collecting_petition()  # the Kazakh preset: no withdrawal
    allowed = collecting_petition(rule_changes=WITHDRAWABLE)
    r1 = client.post(sign_url(forbidden), json=payload(forbidden, email="a@example.org")).json[
        "receipt"
    ]
    r2 = client.post(sign_url(allowed), json=payload(allowed, email="b@example.org")).json[
        "receipt"
    ]
    decoy = client.post(
        sign_url(allowed),
        json=payload(allowed, email="b@example.org", iin=signing_iin_of_first(allowed)),
    ).json["receipt"]
    before = total_rows()
    cases = [
        (
            {"receipt": r1, "email": "a@example.org"},
            "receipt",
            "The recall rules of this petition do not allow withdrawing a signature.",
        ),
        (
            {"receipt": r2, "email": "someone@example.org"},
            "receipt",
            "No signature matches this receipt code and e-mail address.",
        ),
        (
            {"receipt": decoy, "email": "b@example.org"},
            "receipt",
            "No signature matches this receipt code and e-mail address.",
        ),
        (
            {"receipt": "garbage", "email": "b@example.org"},
            "receipt",
            "No signature matches this receipt code and e-mail address.",
        ),
        ({"receipt": r2, "email": "nope"}, "email", "Enter a valid e-mail address."),
    ]
    for body, field, message in cases:
        response = client.post("/api/v1/signatures/withdraw", json=body)
        assert response.status_code == 422, body
        assert (response.json["error"]["field"], response.json["error"]["message"]) == (
            field,
            message,
        )
    assert total_rows() == before
    assert set(db.session.scalars(sa.select(Signature.status))) == {SignatureStatus.PENDING}


def signing_iin_of_first(petition) -> str:
    """Sign once more with a known IIN and return it (so a second attempt yields a decoy receipt)."""
    from flask import current_app

    iin = factories.iin()
    with current_app.test_client() as other:
        other.post(sign_url(petition), json=payload(petition, iin=iin, email="b@example.org"))
    return iin


def test_withdrawal_after_closing_is_refused(client, collecting_petition):
    petition = collecting_petition(rule_changes=WITHDRAWABLE)
    receipt = client.post(sign_url(petition), json=payload(petition, email="me@example.org")).json[
        "receipt"
    ]
    with pytest.raises(signing.Invalid) as refused:
        receipts.withdraw_signature(
            receipt, "me@example.org", now=petition.closes_at + timedelta(seconds=1)
        )
    assert refused.value.message == "Signing has closed, so a signature can no longer be withdrawn."
    assert events("signature.withdrawn") == []
