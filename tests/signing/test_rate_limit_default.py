"""Signing's budgets are counted by recall.rate_limits alone: Flask-Limiter's middleware leaves the
signing views alone (its per-request work cost CPU for nothing, issue 12), also when a default
limit (``RATELIMIT_DEFAULT``) is set for every other route."""

from __future__ import annotations

import pytest

from tests.signing.conftest import payload, sign_url, signature_count


@pytest.fixture
def app_config():
    return {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_DEFAULT": "2 per minute",
        "SIGNING_RATE_LIMIT": "4 per minute",
    }


def test_signing_answers_to_its_own_budget_and_other_routes_to_the_default(
    client, collecting_petition
):
    petition = collecting_petition()
    address = {"REMOTE_ADDR": "198.51.100.81"}  # its own: the limiter's memory outlives the app
    statuses = [
        client.post(sign_url(petition), json=payload(petition), environ_base=address).status_code
        for _ in range(5)
    ]
    assert statuses == [202] * 4 + [429]
    assert signature_count() == 4
    others = [client.get("/api/v1/bodies", environ_base=address).status_code for _ in range(3)]
    assert others == [200, 200, 429]
