"""Fixtures for signing tests: a collecting petition under a chosen rule, and valid IINs."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from recall.extensions import db
from recall.models import Event, Petition, PetitionState, Role, Signature
from recall.models.base import utcnow
from recall.services.sealing import open_payload
from tests import factories


@pytest.fixture
def collecting_petition(app, make):
    """Build a collecting petition (committed, so other threads see it); keyword overrides.

    ``rule``: preset key (default the Kazakh rule: no withdrawal, no public count); ``rule_changes``:
    dict merged into the rule data; ``required``: required signatures.
    """

    def _make(
        rule: str = "kz_mazhilis_single_mandate",
        rule_changes: dict | None = None,
        required: int = 100,
        state: PetitionState = PetitionState.COLLECTING,
        opens_delta=timedelta(days=-1),
        closes_delta=timedelta(days=29),
    ) -> Petition:
        district = make.district()
        now = utcnow()
        petition = make.petition(
            make.deputy(district),
            state=state,
            rule_version=make.rule_version(rule, is_preset=True, **(rule_changes or {})),
            opens_at=now + opens_delta,
            closes_at=now + closes_delta,
            registered=district.registered_voters,
            required=required,
        )
        db.session.commit()
        return petition

    return _make


@pytest.fixture
def setup(make, collecting_petition):
    """A collecting petition (10 signatures required) and a commissioner of its body, committed:
    what the paper-signing and signature-sheet tests start from."""
    petition = collecting_petition(required=10)
    commissioner = make.user(role=Role.COMMISSIONER, commission_body=petition.body)
    db.session.commit()
    return petition, commissioner


def signature_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Signature))


def events(kind: str) -> list[Event]:
    return list(db.session.scalars(sa.select(Event).where(Event.kind == kind).order_by(Event.id)))


def total_rows() -> tuple[int, int]:
    """(signatures, events): what a refused request must leave unchanged."""
    return signature_count(), db.session.scalar(sa.select(sa.func.count()).select_from(Event))


def payload(petition: Petition, **changes) -> dict:
    """A valid JSON signing request for ``petition``; ``changes`` replace or (value None) drop fields."""
    body = {
        "full_name": "Әлия Қасымова-Нұрланқызы",
        "iin": factories.iin(),
        "email": "aliya@example.org",
        "district_id": petition.district_id,
        "consent": True,
    }
    for key, value in changes.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    return body


def sign_url(petition: Petition) -> str:
    return f"/api/v1/petitions/{petition.id}/signatures"


def confirm_token(event: Event) -> str:
    """The token of the confirmation link recorded in a ``signature.confirmation_requested`` event."""
    return open_payload(event.payload)["confirm_url"].rsplit("/", 1)[1]
