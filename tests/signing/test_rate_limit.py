"""Signing is rate-limited per client address (SIGNING_RATE_LIMIT, shared by the form and the API)."""

from __future__ import annotations

import pytest

from tests.signing.conftest import payload, sign_url, signature_count


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "SIGNING_RATE_LIMIT": "3 per minute"}


def test_the_fourth_signing_request_from_one_address_gets_429(client, collecting_petition):
    petition = collecting_petition()
    address = {
        "REMOTE_ADDR": "198.51.100.77"
    }  # its own address: the limiter's memory outlives the app
    statuses = [
        client.post(sign_url(petition), json=payload(petition), environ_base=address).status_code
        for _ in range(3)
    ]
    statuses.append(
        client.post(f"/petitions/{petition.id}/sign", data={}, environ_base=address).status_code
    )
    assert statuses == [202, 202, 202, 429]
    other = client.post(
        sign_url(petition), json=payload(petition), environ_base={"REMOTE_ADDR": "198.51.100.78"}
    )
    assert other.status_code == 202
    assert signature_count() == 4
    limited = client.post(sign_url(petition), json=payload(petition), environ_base=address)
    assert limited.status_code == 429 and limited.json["error"]["status"] == 429
    # No X-RateLimit-* headers (two Redis round trips each time), but the client learns when to retry.
    assert limited.headers["Retry-After"] == "60"
    assert "X-RateLimit-Remaining" not in limited.headers
