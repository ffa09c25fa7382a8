"""The API's CSRF rule: a call that carries the session cookie must send ``X-CSRFToken`` on an
unsafe method; an anonymous call (no cookie: nothing a browser sends on its own) and a call with
an API token need none. Anonymous calls skip loading a user for it (issue 12), so this pins
that a cookie still triggers the check."""

from __future__ import annotations

import re

import pytest

from recall.extensions import db
from tests.signing.conftest import payload, sign_url, signature_count

pytestmark = pytest.mark.postgres


def _csrf(client) -> str:
    html = client.get("/petitions").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_a_signed_in_browser_must_send_the_csrf_token(client, login, make, collecting_petition):
    petition = collecting_petition()
    login(make.user())
    db.session.commit()
    refused = client.post(sign_url(petition), json=payload(petition))
    assert refused.status_code == 400
    assert refused.get_json()["error"]["code"] == "bad_request"
    assert signature_count() == 0
    accepted = client.post(
        sign_url(petition), json=payload(petition), headers={"X-CSRFToken": _csrf(client)}
    )
    assert accepted.status_code == 202
    assert signature_count() == 1


def test_an_anonymous_call_needs_no_csrf_token(app, collecting_petition):
    petition = collecting_petition()
    anonymous = app.test_client()
    assert anonymous.post(sign_url(petition), json=payload(petition)).status_code == 202
    assert signature_count() == 1
