"""Each online signature keeps pattern data, keyed, until the purge (issue 18)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from recall.extensions import db
from recall.models import Signature, SignatureClaim
from recall.models.base import utcnow
from recall.models.petition import PetitionState
from recall.rules.sources import Client
from recall.services.fraud import sources
from recall.services.signing import online as signing
from recall.services.verification import privacy
from tests import factories
from tests.signing.conftest import confirm_token, events, payload, sign_url

UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Version/17.5 Mobile/15E148 Safari/604.1"
)


def test_signing_keeps_keyed_pattern_data(client, collecting_petition):
    petition = collecting_petition()
    response = client.post(
        sign_url(petition),
        json=payload(petition, email="Ali.Ya+recall@GMail.com"),
        environ_base={"REMOTE_ADDR": "203.0.113.77"},
        headers={"User-Agent": UA},
    )
    assert response.status_code == 202
    row = db.session.scalar(sa.select(Signature))
    assert row.email_domain == "gmail.com"
    assert row.user_agent_family == "safari/ios"
    assert row.source_address_hash == sources.hash_source("203.0.113.77")
    assert row.source_block_hash == sources.hash_source("203.0.113.0/24")
    assert row.source_block_hash == sources.block_hash_of("203.0.113.5")
    assert row.email_canonical_hash == sources.hash_source("aliya@gmail.com")
    stored = " ".join(str(v) for v in db.session.execute(sa.select(Signature.__table__)).one())
    assert "203.0.113" not in stored and "aliya@gmail.com" not in stored
    # Keyed: a different IIN_HASH_KEY gives a different hash, and an address hash is never the
    # plain SHA-256 anyone could compute.
    import hashlib

    assert row.source_address_hash != hashlib.sha256(b"203.0.113.77").hexdigest()


def test_a_claim_that_wins_brings_its_own_pattern_data(client, collecting_petition):
    petition = collecting_petition()
    iin = factories.iin()
    for address, email in (("198.51.100.1", "squat@mail.kz"), ("203.0.113.2", "me@mail.ru")):
        client.post(
            sign_url(petition),
            json=payload(petition, iin=iin, email=email),
            environ_base={"REMOTE_ADDR": address},
        )
    db.session.commit()
    claim = db.session.scalar(sa.select(SignatureClaim))
    assert claim.email_domain == "mail.ru"
    signing.confirm_signature(confirm_token(events("signature.confirmation_requested")[-1]))
    db.session.commit()
    row = db.session.scalar(sa.select(Signature))
    assert (row.email_domain, row.source_address_hash) == (
        "mail.ru",
        sources.hash_source("203.0.113.2"),
    )
    void = db.session.scalar(sa.select(SignatureClaim).where(SignatureClaim.state == "void"))
    assert void.email_domain == "mail.kz"


def test_service_without_a_client_keeps_no_address(app, collecting_petition):
    petition = collecting_petition()
    signing.sign_petition(
        petition_id=petition.id,
        full_name="Aliya Kasymova",
        iin=factories.iin(),
        email="a@mail.kz",
        district_id=petition.district_id,
        consent=True,
    )
    row = db.session.scalar(sa.select(Signature))
    assert (row.source_address_hash, row.user_agent_family, row.email_domain) == (
        None,
        None,
        "mail.kz",
    )
    values = sources.pattern_values(Client(address="10.0.0.1", user_agent=""), "x@y.kz")
    assert values["user_agent_family"] == "none"


def test_purge_clears_pattern_data(app, collecting_petition):
    petition = collecting_petition()
    factories.sourced_signature(petition, address="203.0.113.9", email="a@mail.kz")
    claim_of = factories.sourced_signature(petition, address="203.0.113.10", email="b@mail.kz")
    claim = factories.signature_claim(claim_of)
    claim.email_domain, claim.source_block_hash = "c.kz", "x" * 64
    petition.state = PetitionState.FAILED
    petition.final_state_at = utcnow() - timedelta(days=app.config["PRIVACY_PURGE_DAYS"] + 1)
    db.session.commit()
    privacy.purge_personal_data(None)
    db.session.commit()
    for model in (Signature, SignatureClaim):
        rows = db.session.execute(
            sa.select(*(getattr(model, name) for name in sources.PATTERN_COLUMNS))
        ).all()
        assert rows and all(value is None for row in rows for value in row)
