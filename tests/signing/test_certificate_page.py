"""Signing with a digital signature on a page (issue 13): the page shows a challenge, the citizen
signs it with their own software and pastes or uploads the signature and the certificate."""

from __future__ import annotations

import base64
import html
import io
import re

import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization

from recall.extensions import db
from recall.models import Signature, SignatureStatus
from recall.services.signing import counting
from tests import factories
from tests.signing.conftest import total_rows


def _page_challenge(page) -> str:
    assert page.status_code in (200, 422), page.status_code
    value = re.search(r'name="challenge" type="hidden" value="([^"]*)"', page.text)
    return html.unescape(value.group(1))


def _form(petition, iin, challenge, **fields):
    return {
        "full_name": "Aliya Serikova",
        "iin": iin,
        "district_id": str(petition.district_id),
        "consent": "y",
        "challenge": challenge.replace("\n", "\r\n"),  # as browsers send line breaks
        **fields,
    }


def _pasted(petition, iin, challenge, key, cert) -> dict:
    """The form with the challenge signed by ``key`` and ``cert`` pasted."""
    return _form(
        petition,
        iin,
        challenge,
        signature=factories.sign_challenge(key, challenge),
        certificate=factories.certificate_pem(cert),
    )


def test_pasted_signature_and_certificate_confirm_at_once(client, collecting_petition, ca):
    petition = collecting_petition()
    iin = factories.iin()
    key, cert = ca.issue(iin)
    url = f"/petitions/{petition.id}/sign/certificate"
    page = client.get(url)
    challenge = _page_challenge(page)
    assert f"petition: {petition.id}\n" in challenge and page.headers["Cache-Control"] == "no-store"
    response = client.post(url, data=_pasted(petition, iin, challenge, key, cert))
    assert response.status_code == 201, response.text
    assert "counts" in response.text and iin not in response.text
    signature = db.session.scalar(sa.select(Signature))
    assert (signature.status, signature.identity_provider) == (
        SignatureStatus.CONFIRMED,
        "online_strong",
    )
    assert counting.confirmed_count(petition) == 1


def test_uploaded_binary_signature_and_der_certificate(client, collecting_petition, app, tmp_path):
    authority = factories.CertificationAuthority(kind="ec")
    authority.install(app, tmp_path)
    petition = collecting_petition()
    iin = factories.iin()
    key, cert = authority.issue(iin, kind="ec")
    url = f"/petitions/{petition.id}/sign/certificate"
    challenge = _page_challenge(client.get(url))
    raw_signature = base64.b64decode(factories.sign_challenge(key, challenge))
    der = cert.public_bytes(serialization.Encoding.DER)
    response = client.post(
        url,
        data=_form(
            petition,
            iin,
            challenge,
            signature_file=(io.BytesIO(raw_signature), "signature.bin"),
            certificate_file=(io.BytesIO(der), "me.cer"),
        ),
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.text
    assert counting.confirmed_count(petition) == 1


def test_a_refusal_names_the_field_keeps_the_challenge_and_writes_nothing(
    client, collecting_petition, ca
):
    petition = collecting_petition()
    iin = factories.iin()
    _key, cert = ca.issue(factories.iin())  # someone else's certificate
    url = f"/petitions/{petition.id}/sign/certificate"
    challenge = _page_challenge(client.get(url))
    response = client.post(
        url,
        data=_form(
            petition,
            iin,
            challenge,
            signature=factories.sign_challenge(_key, challenge),
            certificate=factories.certificate_pem(cert),
        ),
    )
    assert response.status_code == 422
    assert "another IIN" in response.text and iin not in response.text
    assert _page_challenge(response) == challenge  # correct a field without signing again
    assert total_rows() == (0, 0)
    tampered = challenge.replace("nonce: ", "nonce: 0")[: len(challenge)]
    refused = client.post(url, data=_form(petition, iin, tampered, signature="AAAA"))
    assert refused.status_code == 422 and "not a challenge this site issued" in refused.text
    assert _page_challenge(refused) != tampered  # a fresh one to sign
    assert total_rows() == (0, 0)


def test_a_petition_without_digital_signatures_says_so(client, collecting_petition):
    petition = collecting_petition(rule_changes={"signing_channels": ["online_email", "paper"]})
    page = client.get(f"/petitions/{petition.id}/sign/certificate")
    assert page.status_code == 200
    assert "does not allow signing online (digital signature)" in page.text
    assert "confirmed by a link sent to your e-mail" in page.text
    assert 'name="challenge"' not in page.text
    assert "sign/certificate" not in client.get(f"/petitions/{petition.id}/sign").text


def test_the_district_is_one_box_naming_the_petitions_district(client, collecting_petition, ca):
    """As on the e-mail signing form (issue 14): no list of the body's districts to pick from."""
    petition = collecting_petition()
    district = petition.district
    url = f"/petitions/{petition.id}/sign/certificate"
    page = client.get(url).text
    assert f"I am registered in district No. {district.number} ({district.name})" in page
    assert f'type="checkbox" id="district_id" name="district_id" value="{district.id}"' in page
    assert "<select" not in page and "Choose your district" not in page
    assert f'href="/deputies?body={petition.body_id}"' in page  # find your district
    # Left unticked, the box is the error, named beside it; the rest of the form is kept.
    iin = factories.iin()
    key, cert = ca.issue(iin)
    challenge = _page_challenge(client.get(url))
    form = _pasted(petition, iin, challenge, key, cert)
    del form["district_id"]
    refused = client.post(url, data=form)
    assert refused.status_code == 422
    box = refused.text[refused.text.index('id="district_id"') :]
    assert 'aria-invalid="true"' in refused.text and 'class="error"' in box[:900]
    assert "checked" not in box[:200] and total_rows() == (0, 0)
