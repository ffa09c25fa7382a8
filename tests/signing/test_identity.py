"""Identity confirmation is pluggable: a provider registered by name replaces the e-mail link
without any change to the signing service (docs/signing.md, "Identity confirmation")."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from recall.errors import Invalid
from recall.extensions import db
from recall.models import Signature, SignatureStatus
from recall.services.outbox import record_event
from recall.services.signing import counting, identity
from recall.services.signing import online as signing
from tests.signing.conftest import events, payload, sign_url


class CodeConfirmation(identity.IdentityConfirmation):
    """A stand-in for an SMS provider: the code is derived from the receipt hash."""

    name = "test_code"

    @staticmethod
    def code_for(signature: Signature) -> str:
        return hashlib.sha256(signature.receipt_hash.encode()).hexdigest()[:6]

    def start(self, signature, receipt):
        record_event(
            "signature.code_requested",
            "signature",
            signature.id,
            {"petition_id": signature.petition_id},
        )

    def complete(self, signature, proof):
        return proof == self.code_for(signature)


@pytest.fixture
def app_config():
    return {"IDENTITY_CONFIRMATION": CodeConfirmation.name}


@pytest.fixture(autouse=True)
def provider():
    identity.register_provider(CodeConfirmation)
    yield
    del identity.PROVIDERS[CodeConfirmation.name]


def test_a_registered_provider_takes_over_confirmation(client, collecting_petition):
    petition = collecting_petition()
    assert client.post(sign_url(petition), json=payload(petition)).status_code == 202
    assert events("signature.confirmation_requested") == []  # no e-mail link under this provider
    [requested] = events("signature.code_requested")
    signature = db.session.scalar(sa.select(Signature))
    assert requested.subject_id == signature.id and signature.status == SignatureStatus.PENDING
    with pytest.raises(Invalid) as refused:
        signing.confirm_identity(signature.id, "000000")
    assert (refused.value.field, refused.value.message) == (
        "token",
        "This confirmation link is not valid. Please use the link from the latest e-mail.",
    )
    db.session.rollback()
    db.session.refresh(signature)
    assert signature.status == SignatureStatus.PENDING and counting.confirmed_count(petition) == 0
    confirmed = signing.confirm_identity(signature.id, CodeConfirmation.code_for(signature))
    db.session.commit()
    assert confirmed.status == SignatureStatus.CONFIRMED and counting.confirmed_count(petition) == 1


def test_an_unknown_provider_name_is_a_configuration_error(app):
    app.config["IDENTITY_CONFIRMATION"] = "carrier_pigeon"
    with pytest.raises(
        RuntimeError, match="IDENTITY_CONFIRMATION='carrier_pigeon' names no registered provider"
    ):
        identity.get_confirmation()
