"""Fraud-pattern tests reuse the signing fixtures (a collecting petition under a chosen rule)."""

import pytest

from recall.extensions import db
from recall.models import Role
from tests import factories
from tests.signing.conftest import collecting_petition  # noqa: F401


@pytest.fixture
def watched(collecting_petition):
    """A collecting petition (the Kazakh rule, 1,000 required) and a commissioner of its body."""
    petition = collecting_petition(required=1000)
    commissioner = factories.user(role=Role.COMMISSIONER, commission_body=petition.district.body)
    outsider = factories.user(role=Role.COMMISSIONER)
    db.session.commit()
    return petition, commissioner, outsider


def burst(petition, n, *, block="203.0.113", domain="example.org", user_agent=None, at=None):
    """``n`` signatures from one /24 (``block``.1, .2, ...) with addresses at ``domain``."""
    kwargs = {"user_agent": user_agent} if user_agent is not None else {}
    return [
        factories.sourced_signature(
            petition,
            address=f"{block}.{i % 250 + 1}",
            email=f"bot{i}@{domain}",
            at=at,
            **kwargs,
        )
        for i in range(n)
    ]


def scattered(petition, n, *, at=None):
    """``n`` signatures from different blocks, domains and browsers: ordinary signers."""
    agents = (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Version/17.5 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0 Safari/537.36 Edg/131.0",
        "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
        "Mozilla/5.0 (Linux; Android 14) Chrome/131.0 Mobile Safari/537.36",
    )
    domains = ("mail.kz", "gmail.com", "mail.ru", "yandex.kz", "inbox.kz")
    return [
        factories.sourced_signature(
            petition,
            address=f"10.{i}.{i * 7 % 250}.9",
            email=f"person{i}@{domains[i % len(domains)]}",
            user_agent=agents[i % len(agents)],
            at=at,
        )
        for i in range(n)
    ]
