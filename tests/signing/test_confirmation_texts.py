"""What a signer is told (issue 14): the mail and the pages name the deputy, the link's lifetime
is the configured one, the success page offers next steps, and the receipt names the deputy."""

from __future__ import annotations

import email
from email.header import decode_header, make_header
from email.policy import default as default_policy

import pytest

from recall.notifications.rules import ensure_default_rules
from recall.services.sealing import open_payload
from tests import factories
from tests.signing.conftest import confirm_token, events


@pytest.fixture
def app_config(tmp_path):
    return {"MAIL_FOLDER": str(tmp_path / "mail"), "SIGNATURE_CONFIRMATION_HOURS": 48}


def _sign(client, petition, address="dana@example.org"):
    return client.post(
        f"/petitions/{petition.id}/sign",
        data={
            "full_name": "Дана Әбілова",
            "iin": factories.iin(),
            "email": address,
            "district_id": str(petition.district_id),
            "consent": "y",
        },
    )


def test_the_mail_names_the_deputy_and_the_links_lifetime(
    app, client, collecting_petition, tmp_path
):
    ensure_default_rules()
    petition = collecting_petition()
    deputy = petition.deputy.full_name
    assert _sign(client, petition).status_code == 202
    [path] = (tmp_path / "mail").glob("*.eml")
    message = email.message_from_bytes(path.read_bytes(), policy=default_policy)
    assert str(make_header(decode_header(message["Subject"]))) == (
        f"Confirm your signature on the recall of {deputy}"
    )
    text = message.get_body(("plain",)).get_content()
    assert f"signed the petition to recall {deputy}, deputy for {petition.district.name}" in text
    assert "The link expires after 48 hours." in text
    html = message.get_body(("html",)).get_content()
    assert deputy in html and "The link expires after 48 hours." in html


def test_the_success_page_names_the_deputy_and_offers_next_steps(client, collecting_petition):
    petition = collecting_petition()
    html = _sign(client, petition).get_data(as_text=True)
    assert f"You signed the petition to recall {petition.deputy.full_name}" in html
    assert "The link expires after 48 hours." in html
    assert "Sign in to follow" in html  # follow the petition (after signing in)
    assert 'href="https://t.me/share/url?' in html and 'href="https://wa.me/?' in html


def test_the_confirmation_page_and_the_receipt_name_the_deputy(client, collecting_petition):
    petition = collecting_petition()
    _sign(client, petition)
    [event] = events("signature.confirmation_requested")
    page = client.get(f"/signatures/confirm/{confirm_token(event)}").get_data(as_text=True)
    assert f"signed the petition to recall {petition.deputy.full_name}" in page
    assert "works for 48 hours after signing" in page
    code = open_payload(event.payload)["receipt"]
    receipt = client.get(f"/receipts?code={code}").get_data(as_text=True)
    assert f"Recall of {petition.deputy.full_name}" in receipt
