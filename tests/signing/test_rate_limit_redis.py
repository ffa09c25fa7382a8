"""Signing's budgets counted in Redis (recall.rate_limits): every budget of a request in one call,
with Flask-Limiter's fixed windows and keys."""

from __future__ import annotations

import pytest

from tests.signing.conftest import payload, sign_url

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

ADDRESS = "198.51.100.91"


@pytest.fixture
def app_config(redis_url, redis_conn):
    return {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": redis_url,
        "SIGNING_RATE_LIMIT": "3 per minute;5 per hour",
        "SIGNING_DOMAIN_RATE_LIMIT": "10 per minute",
    }


def _counter(redis_conn, key: str) -> int | None:
    value = redis_conn.get(f"LIMITS:LIMITER/{key}")
    return None if value is None else int(value)


def test_every_budget_is_counted_until_the_first_one_spent(client, collecting_petition, redis_conn):
    petition = collecting_petition()
    statuses = [
        client.post(
            sign_url(petition),
            json=payload(petition, email=f"s{n}@mail.kz"),
            environ_base={"REMOTE_ADDR": ADDRESS},
        ).status_code
        for n in range(4)
    ]
    assert statuses == [202, 202, 202, 429]
    # The minute window is checked first and stops the count: the hour and the domain's budget
    # were not charged for the refused request.
    assert _counter(redis_conn, f"{ADDRESS}/signing/3/1/minute") == 4
    assert _counter(redis_conn, f"{ADDRESS}/signing/5/1/hour") == 3
    assert _counter(redis_conn, "domain:mail.kz/signing-domain/10/1/minute") == 3
    assert 0 < redis_conn.ttl(f"LIMITS:LIMITER/{ADDRESS}/signing/5/1/hour") <= 3600
    # No per-petition budget is configured: nothing is counted for it.
    assert redis_conn.keys("LIMITS:LIMITER/petition:*") == []


def test_a_spent_budget_answers_429_with_its_window(client, collecting_petition, redis_conn):
    petition = collecting_petition()
    for n in range(10):
        client.post(
            sign_url(petition),
            json=payload(petition, email=f"d{n}@flood.kz"),
            environ_base={"REMOTE_ADDR": f"198.51.100.{100 + n}"},
        )
    limited = client.post(
        sign_url(petition),
        json=payload(petition, email="late@flood.kz"),
        environ_base={"REMOTE_ADDR": "198.51.100.120"},
    )
    assert limited.status_code == 429 and limited.json["error"]["status"] == 429
    assert limited.headers["Retry-After"] == "60"
    assert _counter(redis_conn, "domain:flood.kz/signing-domain/10/1/minute") == 11
