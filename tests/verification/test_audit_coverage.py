"""Every kind of action the count's legitimacy rests on lands in the audit chain (issue 19):
paper batches, petition registration and rejection, rule assignments and copies, role grants and
revocations, and the bulk work of the periodic tasks (closing, expiry, recount corrections)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import sqlalchemy as sa

from recall.errors import Invalid
from recall.extensions import db
from recall.models import AuditEntry, PetitionState, Role, SignatureStatus
from recall.models.base import utcnow
from recall.services import audit
from recall.services.accounts import users
from recall.services.petitions import lifecycle
from recall.services.rules import recall_rules
from recall.services.signing import counting, online, paper
from tests import factories


def _entries(action: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)
        )
    )


@pytest.fixture
def commission(app, make):
    deputy = make.deputy()
    commissioner = make.user(role=Role.COMMISSIONER, commission_body=deputy.body)
    db.session.commit()
    return deputy, commissioner


def test_registration_is_logged_with_its_terms(commission, make):
    deputy, commissioner = commission
    petition = make.petition(deputy, state=PetitionState.SUBMITTED)
    lifecycle.register_petition(commissioner, petition.id)
    db.session.commit()
    [entry] = _entries("petition.registered")
    assert (entry.actor_id, entry.subject_id, entry.body_id) == (
        commissioner.id,
        petition.id,
        deputy.body_id,
    )
    assert entry.payload["required_signatures"] == petition.required_signatures
    assert entry.payload["rule_version_id"] == petition.rule_version_id
    assert audit.verify_chain().problem == ""


def test_rejection_is_logged_with_the_digest_of_its_reason(commission, make):
    deputy, commissioner = commission
    petition = make.petition(deputy, state=PetitionState.SUBMITTED)
    reason = "Grounds not related to the mandate"
    lifecycle.reject_petition(commissioner, petition.id, reason)
    db.session.commit()
    [entry] = _entries("petition.rejected")
    assert entry.payload == {"reason_sha256": hashlib.sha256(reason.encode()).hexdigest()}


def test_a_refused_rejection_logs_nothing(commission, make):
    deputy, commissioner = commission
    petition = make.petition(deputy, state=PetitionState.SUBMITTED)
    with pytest.raises(Invalid):
        lifecycle.reject_petition(commissioner, petition.id, "  ")
    assert _entries("petition.rejected") == []


def test_paper_batch_is_logged_with_its_signatures(commission, make):
    deputy, commissioner = commission
    petition = make.petition(deputy)
    today = counting.local_day(utcnow()).isoformat()
    lines = [
        paper.PaperLine(
            row=row,
            sheet=1,
            line=row,
            full_name="Серік Абенов",
            iin=factories.iin(serial=row),
            district_number=deputy.district.number,
            signed_on=today,
        )
        for row in (1, 2)
    ]
    report = paper.add_paper_signatures(commissioner, petition.id, lines)
    db.session.commit()
    [entry] = _entries("paper.batch_entered")
    assert entry.payload == {
        "added": 2,
        "duplicates": 0,
        "skipped": 0,
        "signature_ids": [s.id for s in report.signatures],
    }
    assert "Серік" not in str(entry.payload)


def test_rule_copy_and_assignment_are_logged(commission, make):
    deputy, _ = commission
    admin = make.user(role=Role.ADMIN)
    original = factories.rule_version()
    copy = recall_rules.copy_rule(admin, original.id, dict(original.data, key="kz_strict"))
    recall_rules.assign_rule(admin, deputy.body_id, copy.id)
    recall_rules.assign_rule(admin, deputy.body_id, original.id)
    db.session.commit()
    [created] = _entries("rules.version_created")
    assert created.payload["based_on_id"] == original.id
    assert (
        created.payload["rule_sha256"]
        == hashlib.sha256(audit.canonical_json(copy.data).encode()).hexdigest()
    )
    first, second = _entries("rules.assigned")
    assert (first.subject_type, first.subject_id, first.actor_id) == (
        "body",
        deputy.body_id,
        admin.id,
    )
    assert (first.payload["rule_version_id"], first.payload["previous_rule_version_id"]) == (
        copy.id,
        None,
    )
    assert second.payload["previous_rule_version_id"] == copy.id


def test_role_grants_and_revocations_are_logged_by_account_number(commission, make):
    deputy, _ = commission
    admin = make.user(role=Role.ADMIN)
    citizen = make.user()
    users.grant_role(admin, citizen.email, "commissioner", body=deputy.body.slug)
    users.grant_role(None, citizen.email, "monitor", organization="Watch KZ")
    users.revoke_role(admin, citizen.email, "commissioner")
    db.session.commit()
    granted = _entries("role.granted")
    assert [(e.actor_id, e.subject_id, e.payload["role"]) for e in granted] == [
        (admin.id, citizen.id, "commissioner"),
        (None, citizen.id, "monitor"),
    ]
    assert granted[0].body_id == deputy.body_id
    [revoked] = _entries("role.revoked")
    assert revoked.payload["role"] == "commissioner"
    assert citizen.email not in str([e.payload for e in [*granted, revoked]])


def test_bulk_closing_is_logged_per_petition(commission, make):
    deputy, _ = commission
    petition = make.petition(
        deputy, opens_at=utcnow() - timedelta(days=31), closes_at=utcnow() - timedelta(hours=1)
    )
    assert lifecycle.close_due_petitions(utcnow()) == 1
    db.session.commit()
    [entry] = _entries("petition.closed")
    assert (entry.actor_id, entry.subject_id) == (None, petition.id)


def test_bulk_expiry_is_logged_per_run(commission, make):
    deputy, _ = commission
    first, second = make.petition(deputy), make.petition(make.deputy())
    past = utcnow() - timedelta(hours=1)
    for petition, n in ((first, 2), (second, 1)):
        for _ in range(n):
            factories.signature(petition, status=SignatureStatus.PENDING, expires_at=past)
    assert online.expire_unconfirmed(utcnow()) == 3
    assert online.expire_unconfirmed(utcnow()) == 0  # nothing more: no second entry
    db.session.commit()
    [entry] = _entries("signing.expired_unconfirmed")
    assert entry.payload["expired"] == 3
    assert entry.payload["by_petition"] == {str(first.id): 2, str(second.id): 1}


def test_a_recount_that_moves_the_count_is_logged(commission, make):
    deputy, _ = commission
    petition = make.petition(deputy)
    factories.signature(petition)
    counting.recount(petition.id)
    db.session.commit()
    assert counting.recount_all(utcnow()) == 0 and _entries("counting.recount_corrected") == []
    factories.signature(petition)  # written behind the counters' back: drift
    assert counting.recount_all(utcnow()) == 1
    db.session.commit()
    [entry] = _entries("counting.recount_corrected")
    assert (entry.subject_id, entry.payload) == (petition.id, {"before": 1, "after": 2})
