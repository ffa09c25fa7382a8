"""The signing pages: form, sign box on the petition page, withdrawal form; and the SQLite path."""

from __future__ import annotations

import re
from datetime import timedelta
from functools import partial

import sqlalchemy as sa

from recall.extensions import db
from recall.models import PetitionState, Signature, SignatureStatus
from recall.models.base import utcnow
from recall.services.sealing import open_payload
from recall.services.signing import counting, receipts
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
        ({"district_id": None}, "Choose your district."),
        (
            {"district_id": str(petition.district_id + 1)},
            "You can only sign a recall petition in your own district",
        ),
    ]:
        response = client.post(f"/petitions/{petition.id}/sign", data=_form(petition, **changes))
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert total_rows() == (0, 0)


def test_an_empty_submit_shows_every_error_at_once_with_a_summary(client, collecting_petition):
    petition = collecting_petition()
    response = client.post(f"/petitions/{petition.id}/sign", data={})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    summary = html[
        html.index('class="error-summary"') : html.index(
            "</div>", html.index('class="error-summary"')
        )
    ]
    # One line per field, each linking to its field, in the order of the form.
    links = re.findall(r'<a href="#([a-z_]+)">([^<]+)</a>', summary)
    assert [field for field, _message in links] == [
        "full_name",
        "iin",
        "email",
        "district_id",
        "consent",
    ]
    assert "Please correct 5 things:" in summary
    for field in ("full_name", "iin", "email", "district_id", "consent"):
        assert f'id="{field}"' in html  # the link's target exists
    assert total_rows() == (0, 0)


def test_the_district_is_one_box_naming_the_petitions_district(client, collecting_petition):
    petition = collecting_petition()
    html = client.get(f"/petitions/{petition.id}/sign").get_data(as_text=True)
    district = petition.district
    assert f"I am registered in district No. {district.number} ({district.name})" in html
    assert f'type="checkbox" id="district_id" name="district_id" value="{district.id}"' in html
    assert "<select" not in html  # no list of the body's districts to pick the wrong one from
    assert f'href="/deputies?body={petition.body_id}"' in html  # find your district
    assert 'href="/privacy"' in html  # the consent box links the privacy notice
    assert "valid for 72 hours" in html


def test_sign_page_of_a_petition_not_collecting_offers_no_form(client, collecting_petition):
    petition = collecting_petition(state=PetitionState.CLOSED)
    html = client.get(f"/petitions/{petition.id}/sign").get_data(as_text=True)
    assert "This petition is not collecting signatures." in html and 'name="iin"' not in html
    response = client.post(f"/petitions/{petition.id}/sign", data=_form(petition))
    assert response.status_code == 422 and total_rows() == (0, 0)


def test_petition_page_starts_with_the_sign_form(client, collecting_petition):
    petition = collecting_petition()
    html = client.get(f"/petitions/{petition.id}").get_data(as_text=True)
    assert f'action="/petitions/{petition.id}/sign"' in html and "/receipts" in html
    # The form comes before the count and the details.
    form, count, details = (
        html.index(s) for s in ('class="stack sign-form"', 'class="count"', 'class="facts"')
    )
    assert form < count < details


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
    assert receipts.lookup_receipt(first.receipt).status == "confirmed"
    assert receipts.lookup_receipt(again.receipt).status == "pending"
