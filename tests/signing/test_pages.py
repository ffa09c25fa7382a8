"""The signing pages: form, sign box on the petition page, withdrawal form; and the SQLite path."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

import sqlalchemy as sa

from recall.extensions import db
from recall.models import PetitionState, Signature, SignatureStatus
from recall.models.base import utcnow
from recall.services.sealing import open_payload
from recall.services.signing import counting
from recall.services.signing import online as signing
from tests import factories
from tests.signing.conftest import confirm_token, events, signature_count, total_rows


def _form(petition, **changes) -> dict:
    data = {
        "full_name": "Гүлнара Сейтқали",
        "iin": factories.iin(),
        "email": "gulnara@example.org",
        "district_id": str(petition.district_id),
        "consent": "y",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_sign_form_success_shows_the_receipt_once(client, collecting_petition):
    petition = collecting_petition()
    page = client.get(f"/petitions/{petition.id}/sign")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="iin"' in html and 'inputmode="numeric"' in html and petition.district.name in html
    response = client.post(f"/petitions/{petition.id}/sign", data=_form(petition))
    assert response.status_code == 202
    receipt = open_payload(events("signature.confirmation_requested")[0].payload)["receipt"]
    assert receipt in response.get_data(as_text=True)
    assert signature_count() == 1


def test_sign_form_refusal_shows_the_message_beside_the_field(client, collecting_petition):
    petition = collecting_petition()
    for changes, message in [
        ({"consent": None}, "Please agree to the processing of your personal data to sign."),
        ({"iin": "123"}, "The IIN must be exactly 12 digits."),
        ({"district_id": "0"}, "Choose your district."),
    ]:
        response = client.post(f"/petitions/{petition.id}/sign", data=_form(petition, **changes))
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert total_rows() == (0, 0)


def test_sign_page_of_a_petition_not_collecting_offers_no_form(client, collecting_petition):
    petition = collecting_petition(state=PetitionState.CLOSED)
    html = client.get(f"/petitions/{petition.id}/sign").get_data(as_text=True)
    assert "This petition is not collecting signatures." in html and 'name="iin"' not in html
    response = client.post(f"/petitions/{petition.id}/sign", data=_form(petition))
    assert response.status_code == 422 and total_rows() == (0, 0)


def test_petition_page_includes_the_sign_box(client, collecting_petition):
    petition = collecting_petition()
    html = client.get(f"/petitions/{petition.id}").get_data(as_text=True)
    assert f"/petitions/{petition.id}/sign" in html and "/receipts" in html


def test_withdraw_form(client, collecting_petition):
    petition = collecting_petition(rule_changes={"withdrawal_allowed": True})
    client.post(f"/petitions/{petition.id}/sign", data=_form(petition, email="w@example.org"))
    receipt = open_payload(events("signature.confirmation_requested")[0].payload)["receipt"]
    assert client.get("/signatures/withdraw").status_code == 200
    wrong = client.post("/signatures/withdraw", data={"receipt": receipt, "email": "x@example.org"})
    assert wrong.status_code == 422
    assert "No signature matches this receipt code and e-mail address." in wrong.get_data(
        as_text=True
    )
    done = client.post("/signatures/withdraw", data={"receipt": receipt, "email": "w@example.org"})
    assert done.status_code == 200 and "withdrawn" in done.get_data(as_text=True)
    assert db.session.scalar(sa.select(Signature.status)) == SignatureStatus.WITHDRAWN


def test_signing_works_on_sqlite(sqlite_app, make):
    district = make.district()
    now = utcnow()
    petition = make.petition(
        make.deputy(district),
        # a running count is public: milestones announced while signing
        rule_version=make.rule_version(
            "california_local", key="ca", is_preset=True, signing_channels=["online_email"]
        ),
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=10),
        required=2,
    )
    db.session.commit()
    iin = factories.iin()
    sign = partial(
        signing.sign_petition, petition_id=petition.id, district_id=district.id, consent=True
    )
    first = sign(full_name="Asel Mukanova", iin=iin, email="asel@example.org")
    again = sign(full_name="Asel Mukanova", iin=iin, email="other@example.org")
    db.session.commit()
    assert first.receipt != again.receipt and signature_count() == 1
    assert events("signature.already_signed") == []
    signing.confirm_signature(confirm_token(events("signature.confirmation_requested")[0]))
    sign(full_name="Daulet Bekov", iin=factories.iin(), email="d@example.org")
    signing.confirm_signature(confirm_token(events("signature.confirmation_requested")[2]))
    db.session.commit()
    assert counting.confirmed_count(petition) == 2
    assert [e.payload["percent"] for e in events("petition.milestone")] == [25, 50, 75, 100]
    assert counting.recount(petition.id) == 2
    assert signing.lookup_receipt(first.receipt).status == "confirmed"
    assert signing.lookup_receipt(again.receipt).status == "pending"
