"""Signing rate limits per address, per e-mail domain and per petition, changed at run time by an
administrator (issue 18)."""

from __future__ import annotations

import pytest

from recall.errors import Invalid
from recall.extensions import db, limiter
from recall.models import Role
from recall.services.fraud import settings
from tests import factories
from tests.signing.conftest import payload, sign_url


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "SIGNING_RATE_LIMIT": "100 per minute"}


def _set(**rates):
    settings.update_settings(
        None, flag_share=0.3, flag_min_count=20, flag_rate=300, disposable_email="flag", **rates
    )
    db.session.commit()


def _sign(client, petition, address, email):
    return client.post(
        sign_url(petition),
        json=payload(petition, email=email),
        environ_base={"REMOTE_ADDR": address},
    ).status_code


def test_per_domain_and_per_petition_limits_take_effect_at_run_time(client, collecting_petition):
    limiter.reset()  # the limiter's memory outlives each test's app
    petition, other = collecting_petition(), collecting_petition()
    assert [_sign(client, petition, f"198.51.100.{i}", f"a{i}@flood-a.kz") for i in range(4)] == [
        202
    ] * 4
    _set(rate_per_domain="2 per minute")
    statuses = [
        _sign(client, petition, f"198.51.100.{i + 10}", f"b{i}@flood-b.kz") for i in range(3)
    ]
    assert statuses == [202, 202, 429]  # one domain, many addresses
    assert _sign(client, petition, "198.51.100.30", "c@other.kz") == 202  # another domain
    _set(rate_per_domain="", rate_per_petition="1 per minute")
    assert _sign(client, other, "198.51.100.40", "d@flood-b.kz") == 202  # the domain limit is off
    assert _sign(client, other, "198.51.100.41", "e@x.kz") == 429  # the petition's budget
    assert _sign(client, petition, "198.51.100.42", "f@x.kz") == 202  # a petition of its own...
    assert _sign(client, petition, "198.51.100.43", "g@y.kz") == 429


def test_the_per_address_limit_is_a_run_time_setting(client, collecting_petition):
    limiter.reset()
    petition = collecting_petition()
    _set(rate_per_address="2 per minute")
    statuses = [_sign(client, petition, "203.0.113.50", f"p{i}@mail.kz") for i in range(3)]
    assert statuses == [202, 202, 429]


def test_bad_limits_are_refused(app):
    admin = factories.user(role=Role.ADMIN)
    db.session.commit()
    with pytest.raises(Invalid) as caught:
        settings.update_settings(
            admin,
            flag_share=0.3,
            flag_min_count=20,
            flag_rate=300,
            disposable_email="flag",
            rate_per_domain="lots",
        )
    assert caught.value.field == "rate_per_domain"
    assert settings.current_settings(fresh=True).rate_per_domain == ""
