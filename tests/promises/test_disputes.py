"""Disputes: raised by any monitor with evidence, resolved only by another organization than the rater."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from recall.errors import Conflict, Forbidden, Invalid
from recall.extensions import db
from recall.models import Event, Role
from recall.models.promise import Correction, DisputeState, PromiseStatus
from recall.services.promises import recording as svc
from tests.promises.conftest import EVIDENCE


@pytest.fixture
def rated(record, rate, deputy):
    promise = record(deputy)
    rate(promise, "kept")
    db.session.commit()
    return promise


def test_dispute_needs_a_rating_evidence_and_a_monitor(record, deputy, monitor, make, rated):
    unrated = record(deputy, title="Open a clinic in Saran", source_url="https://example.org/x")
    with pytest.raises(Conflict) as err:
        svc.raise_dispute(monitor, unrated.id, reason="No.", evidence=EVIDENCE)
    assert err.value.message == "This promise is not rated yet; there is no rating to dispute."
    with pytest.raises(Invalid) as err:
        svc.raise_dispute(monitor, rated.id, reason="No.", evidence=[])
    assert (err.value.field, err.value.message) == (
        "evidence",
        "At least one evidence link is required.",
    )
    with pytest.raises(Invalid) as err:
        svc.raise_dispute(monitor, rated.id, reason=" ", evidence=EVIDENCE)
    assert (err.value.field, err.value.message) == ("reason", "Reason is required.")
    with pytest.raises(Forbidden) as err:
        svc.raise_dispute(make.user(role=Role.CITIZEN), rated.id, reason="No.", evidence=EVIDENCE)
    assert err.value.message == "Only monitors of a civic organization may dispute ratings."
    assert rated.disputes == []
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Event).where(Event.kind == "promise.disputed")
        )
        == 0
    )


def test_any_monitor_may_dispute_even_the_raters_own_organization(rated, monitor, other_monitor):
    own = svc.raise_dispute(monitor, rated.id, reason="We were too quick.", evidence=EVIDENCE)
    other = svc.raise_dispute(other_monitor, rated.id, reason="Only half done.", evidence=EVIDENCE)
    db.session.commit()
    assert [d.state for d in (own, other)] == [DisputeState.OPEN, DisputeState.OPEN]
    assert own.status_change_id == rated.history[-1].id
    with pytest.raises(Conflict):  # one open dispute per organization and rating
        svc.raise_dispute(other_monitor, rated.id, reason="Again.", evidence=EVIDENCE)
    event = db.session.scalar(
        sa.select(Event).where(Event.kind == "promise.disputed").order_by(Event.id.desc())
    )
    assert event.payload["deputy_id"] == rated.deputy_id and event.payload["dispute_id"] == other.id


def test_the_raters_organization_cannot_resolve(rated, monitor, other_monitor, make):
    dispute = svc.raise_dispute(
        other_monitor, rated.id, reason="Only half done.", evidence=EVIDENCE
    )
    colleague = make.user(role=Role.MONITOR, organization=monitor.organization)
    db.session.commit()
    for actor in (monitor, colleague):
        with pytest.raises(Forbidden) as err:
            svc.resolve_dispute(actor, dispute.id, resolution="It stands.")
        assert "another organization" in err.value.message
    db.session.rollback()
    db.session.expire_all()
    assert dispute.state == DisputeState.OPEN and dispute.resolved_at is None


def test_another_organization_upholds(rated, monitor, other_monitor, make):
    dispute = svc.raise_dispute(monitor, rated.id, reason="Doubt.", evidence=EVIDENCE)
    # The disputer's organization is the rater's; a third organization resolves.
    third = make.user(role=Role.MONITOR)
    svc.resolve_dispute(
        third, dispute.id, resolution="The opening is documented; the rating stands."
    )
    db.session.commit()
    assert dispute.state == DisputeState.UPHELD
    assert (dispute.resolved_by_id, dispute.resolved_by_organization_id) == (
        third.id,
        third.organization_id,
    )
    assert rated.status == PromiseStatus.KEPT and len(rated.history) == 1
    with pytest.raises(Conflict):
        svc.resolve_dispute(other_monitor, dispute.id, resolution="Again.")
    event = db.session.scalar(sa.select(Event).where(Event.kind == "promise.dispute_resolved"))
    assert event.payload["outcome"] == "upheld" and event.payload["deputy_id"] == rated.deputy_id


def test_the_disputer_of_another_organization_may_resolve_with_a_correction(rated, other_monitor):
    dispute = svc.raise_dispute(
        other_monitor, rated.id, reason="Only half done.", evidence=EVIDENCE
    )
    svc.resolve_dispute(
        other_monitor,
        dispute.id,
        resolution="Half done is a compromise.",
        corrected=svc.CorrectedRating("compromise", date(2024, 2, 1), ["https://example.org/half"]),
    )
    db.session.commit()
    assert dispute.state == DisputeState.CORRECTED
    assert rated.status == PromiseStatus.COMPROMISE
    new = rated.history[-1]
    assert (
        new.corrects_id == dispute.status_change_id
        and new.explanation == "Half done is a compromise."
    )
    assert dispute.correction_change_id == new.id
    correction = db.session.scalar(sa.select(Correction))
    assert correction.kind.value == "rating" and correction.details == {
        "from": "kept",
        "to": "compromise",
        "corrects_id": dispute.status_change_id,
    }


def test_a_correction_without_evidence_leaves_the_dispute_open(rated, other_monitor):
    dispute = svc.raise_dispute(
        other_monitor, rated.id, reason="Only half done.", evidence=EVIDENCE
    )
    db.session.commit()
    with pytest.raises(Invalid) as err:
        svc.resolve_dispute(
            other_monitor,
            dispute.id,
            resolution="Compromise.",
            corrected=svc.CorrectedRating("compromise", date(2024, 2, 1), []),
        )
    assert err.value.field == "evidence"
    db.session.rollback()
    db.session.expire_all()
    assert dispute.state == DisputeState.OPEN and rated.status == PromiseStatus.KEPT
