"""Status changes: refused without evidence, by a non-monitor, to an unknown status; nothing changes then."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from recall.errors import Conflict, Forbidden, Invalid
from recall.extensions import db
from recall.models import Event, Role
from recall.models.promise import PromiseStatus, PromiseStatusChange
from recall.services.promises import recording as svc
from tests.promises.conftest import EVIDENCE


def _nothing_changed(promise, status="not_yet_rated"):
    db.session.rollback()
    db.session.expire_all()
    assert promise.status.value == status
    changes = db.session.scalar(sa.select(sa.func.count()).select_from(PromiseStatusChange))
    events = db.session.scalar(
        sa.select(sa.func.count()).select_from(Event).where(Event.kind == "promise.status_changed")
    )
    return changes, events


@pytest.fixture
def promise(record, deputy):
    p = record(deputy)
    db.session.commit()
    return p


def _change(actor, promise, **overrides):
    values = {
        "status": "kept",
        "changed_on": date(2024, 5, 1),
        "explanation": "Done.",
        "evidence": list(EVIDENCE),
    }
    values.update(overrides)
    return svc.change_status(actor, promise.id, **values)


@pytest.mark.parametrize("evidence", [None, [], [""], "   "])
def test_without_evidence_refused(promise, monitor, evidence):
    with pytest.raises(Invalid) as err:
        _change(monitor, promise, evidence=evidence)
    assert err.value.field == "evidence"
    assert err.value.message == "At least one evidence link is required."
    assert _nothing_changed(promise) == (0, 0)


def test_evidence_must_be_web_links(promise, monitor):
    with pytest.raises(Invalid) as err:
        _change(monitor, promise, evidence=["javascript:alert(1)"])
    assert err.value.field == "evidence"
    assert "is not a web link" in err.value.message
    assert _nothing_changed(promise) == (0, 0)


@pytest.mark.parametrize("role", [None, Role.CITIZEN, Role.COMMISSIONER, Role.ADMIN])
def test_by_a_non_monitor_refused(promise, make, role):
    actor = make.user(role=role) if role else None
    with pytest.raises(Forbidden) as err:
        _change(actor, promise)
    assert err.value.message == "Only monitors of a civic organization may rate promises."
    assert _nothing_changed(promise) == (0, 0)


@pytest.mark.parametrize("status", ["done", "KEPT", "", None])
def test_to_an_unknown_status_refused(promise, monitor, status):
    with pytest.raises(Invalid) as err:
        _change(monitor, promise, status=status)
    assert err.value.field == "status"
    assert err.value.message.startswith("Unknown status")
    assert _nothing_changed(promise) == (0, 0)


def test_broken_needs_a_known_reason_and_only_broken_has_one(promise, monitor):
    with pytest.raises(Invalid) as err:
        _change(monitor, promise, status="broken")
    assert (err.value.field, err.value.message) == (
        "broken_reason",
        "A broken promise needs a reason.",
    )
    with pytest.raises(Invalid) as err:
        _change(monitor, promise, status="broken", broken_reason="bad_luck")
    assert err.value.field == "broken_reason"
    with pytest.raises(Invalid) as err:
        _change(monitor, promise, status="kept", broken_reason="no_majority")
    assert err.value.field == "broken_reason"
    assert _nothing_changed(promise) == (0, 0)


def test_dates_explanation_and_same_status_checked(promise, monitor):
    cases = [
        ({"changed_on": date(2099, 1, 1)}, "changed_on"),
        ({"changed_on": date(2020, 1, 1)}, "changed_on"),
        ({"changed_on": None}, "changed_on"),
        ({"explanation": "  "}, "explanation"),
        ({"status": "not_yet_rated"}, "status"),
    ]
    for overrides, field in cases:
        with pytest.raises(Invalid) as err:
            _change(monitor, promise, **overrides)
        assert err.value.field == field, overrides
    assert _nothing_changed(promise) == (0, 0)


def test_a_valid_change_is_a_history_entry_with_an_event_for_followers(promise, monitor):
    change = _change(
        monitor,
        promise,
        status="broken",
        broken_reason="outside_powers",
        evidence=["https://example.org/a", "https://example.org/a", "https://example.org/b"],
    )
    db.session.commit()
    assert (
        promise.status == PromiseStatus.BROKEN and promise.broken_reason.value == "outside_powers"
    )
    assert (change.previous_status, change.monitor_id, change.organization_id) == (
        PromiseStatus.NOT_YET_RATED,
        monitor.id,
        monitor.organization_id,
    )
    assert change.evidence == ["https://example.org/a", "https://example.org/b"]
    event = db.session.scalar(sa.select(Event).where(Event.kind == "promise.status_changed"))
    assert (event.subject_type, event.subject_id, event.actor_id) == (
        "promise",
        promise.id,
        monitor.id,
    )
    assert event.payload["deputy_id"] == promise.deputy_id
    assert (event.payload["status"], event.payload["previous_status"]) == (
        "broken",
        "not_yet_rated",
    )
    assert event.payload["correction"] is False
    # The history keeps every step; the later rating does not overwrite the earlier one.
    _change(monitor, promise, status="kept", changed_on=date(2024, 6, 1))
    db.session.commit()
    assert [c.status.value for c in promise.history] == ["broken", "kept"]
    assert promise.broken_reason is None


def test_changing_a_merged_promise_is_refused(record, deputy, monitor):
    first = record(deputy)
    second = record(deputy, confirm_distinct=True, source_url="https://example.org/other")
    svc.merge_promises(monitor, second.id, first.id, "Same promise.")
    with pytest.raises(Conflict):
        _change(monitor, second)


def test_status_change_for_a_missing_promise(monitor, topics):
    from recall.errors import NotFound

    with pytest.raises(NotFound):
        svc.change_status(
            monitor,
            999999,
            status="kept",
            changed_on=date(2024, 1, 1),
            explanation="x",
            evidence=EVIDENCE,
        )


def test_followers_of_the_deputy_hear_about_a_status_change(promise, monitor, make):
    from recall.models.notifications import Delivery, Recipient
    from recall.notifications.fanout import fan_out
    from recall.notifications.rules import ensure_default_rules
    from recall.services.notifications.follows import follow

    ensure_default_rules()
    follower, _bystander = (
        make.user(email="follower@example.org"),
        make.user(email="bystander@example.org"),
    )
    follow(follower, "deputy", promise.deputy_id)
    _change(monitor, promise)
    event = db.session.scalar(sa.select(Event).where(Event.kind == "promise.status_changed"))
    fan_out(event.id)
    recipients = {
        (d.recipient, d.recipient_kind)
        for d in db.session.scalars(sa.select(Delivery).where(Delivery.event_id == event.id))
    }
    assert ("follower@example.org", Recipient.DEPUTY_FOLLOWERS) in recipients
    assert all(address != "bystander@example.org" for address, _kind in recipients)
