"""Wording edits are kept as revisions; the corrections log lists revisions, rating corrections, merges."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from recall.errors import Conflict, Forbidden, Invalid
from recall.extensions import db
from recall.models import Event, Role
from recall.models.promise import Correction, Promise, PromiseRevision
from recall.services.promises import queries as q
from recall.services.promises import recording as svc
from tests.promises.conftest import EVIDENCE


def test_edit_keeps_the_old_wording(record, deputy, monitor):
    promise = record(deputy)
    revision = svc.edit_promise(
        monitor,
        promise.id,
        title="Build a school in Zhanaarka village",
        statement="I will build a 600-place school.",
        reason="Quoted more precisely.",
    )
    svc.edit_promise(
        monitor,
        promise.id,
        title="Build a 600-place school in Zhanaarka",
        statement="I will build a 600-place school.",
        reason="Shorter.",
    )
    db.session.commit()
    assert (revision.old_title, revision.new_title) == (
        "Build a school in Zhanaarka",
        "Build a school in Zhanaarka village",
    )
    assert (revision.old_statement, revision.new_statement) == (
        "I will build a school.",
        "I will build a 600-place school.",
    )
    assert (revision.editor_id, revision.organization_id) == (monitor.id, monitor.organization_id)
    assert [r.new_title for r in promise.revisions] == [
        "Build a school in Zhanaarka village",
        "Build a 600-place school in Zhanaarka",
    ]
    assert promise.title == "Build a 600-place school in Zhanaarka"


def test_bad_edits_are_refused_and_change_nothing(record, deputy, monitor, make):
    promise = record(deputy)
    db.session.commit()
    cases = [
        ({"title": "Same", "statement": "I will build a school.", "reason": ""}, Invalid, "reason"),
        (
            {"title": promise.title, "statement": promise.statement, "reason": "No change"},
            Invalid,
            "title",
        ),
        ({"title": "", "statement": "x", "reason": "r"}, Invalid, "title"),
        ({"title": "x" * 201, "statement": "x", "reason": "r"}, Invalid, "title"),
    ]
    for values, error, field in cases:
        with pytest.raises(error) as err:
            svc.edit_promise(monitor, promise.id, **values)
        assert err.value.field == field
    with pytest.raises(Forbidden):
        svc.edit_promise(
            make.user(role=Role.CITIZEN), promise.id, title="New", statement="x", reason="r"
        )
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PromiseRevision)) == 0
    assert promise.title == "Build a school in Zhanaarka"


def test_corrections_log_lists_every_replacement_newest_first(
    record, rate, deputy, monitor, client
):
    promise = record(deputy)
    first = rate(promise, "kept")
    rate(promise, "stalled", changed_on=date(2024, 2, 1))  # progress: not a correction
    assert q.corrections_log().total == 0
    svc.edit_promise(
        monitor,
        promise.id,
        title="Build a school in Zhanaarka village",
        statement=promise.statement,
        reason="Village named.",
    )
    correction = rate(
        promise,
        "in_the_works",
        changed_on=date(2024, 2, 1),
        corrects=True,
        explanation="Construction had not stopped; 'stalled' was wrong.",
    )
    db.session.commit()
    assert correction.corrects_id == promise.history[1].id and correction.corrects_id != first.id
    log = q.corrections_log()
    assert [c.kind.value for c in log.items] == ["rating", "wording"]
    assert log.items[0].details == {
        "from": "stalled",
        "to": "in_the_works",
        "corrects_id": promise.history[1].id,
    }
    page = client.get("/promises/corrections").text
    assert "Construction had not stopped" in page and "Village named." in page
    assert "correction of an earlier rating" in client.get(f"/promises/{promise.id}").text


def test_correction_needs_an_earlier_rating(record, deputy, monitor):
    promise = record(deputy)
    with pytest.raises(Invalid) as err:
        svc.change_status(
            monitor,
            promise.id,
            status="kept",
            changed_on=date(2024, 1, 1),
            explanation="x",
            evidence=EVIDENCE,
            corrects=True,
        )
    assert err.value.field == "corrects"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Correction)) == 0


def test_topics_are_managed_by_admins(make, topics):
    admin = make.user(role=Role.ADMIN)
    topic = svc.add_topic(admin, "Transport", "Public transport")
    assert topic.slug == "transport" and [t.slug for t in svc.list_topics()][-1] == "transport"
    with pytest.raises(Conflict):
        svc.add_topic(admin, "transport", "Again")
    with pytest.raises(Invalid) as err:
        svc.add_topic(admin, "bad slug!", "x")
    assert err.value.field == "slug"
    with pytest.raises(Forbidden):
        svc.add_topic(make.user(role=Role.MONITOR), "x", "y")
    assert len(svc.ensure_default_topics()) == 9  # idempotent: nothing added twice


def test_recording_validates_every_field(record, deputy, monitor, make):
    from recall.errors import NotFound

    cases = [
        ({"title": " "}, "title", "Title is required."),
        ({"title": "t" * 201}, "title", "Title is too long (at most 200 characters)."),
        ({"statement": ""}, "statement", "The promise as stated is required."),
        ({"made_on": None}, "made_on", "A date is required."),
        ({"made_on": date(2099, 1, 1)}, "made_on", "The date cannot be in the future."),
        ({"source_url": ""}, "source_url", "A source link is required."),
        (
            {"source_url": "ftp://example.org/x"},
            "source_url",
            "ftp://example.org/x is not a web link (it must start with http:// or https://).",
        ),
        ({"topic": "weather"}, "topic", "Choose a topic from the list."),
        ({"level": "galactic"}, "level", "Unknown level: galactic."),
    ]
    for overrides, field, message in cases:
        with pytest.raises(Invalid) as err:
            record(deputy, **overrides)
        assert (err.value.field, err.value.message) == (field, message), overrides
    with pytest.raises(Forbidden) as err:
        record(deputy, actor=make.user(role=Role.CITIZEN))
    assert err.value.message == "Only monitors of a civic organization may record promises."
    with pytest.raises(NotFound) as err:
        svc.record_promise(
            monitor,
            svc.PromiseInput(
                deputy_id=999999,
                title="t",
                statement="s",
                made_on=date(2023, 1, 1),
                source_url="https://e.org",
                topic="other",
                level="local",
            ),
        )
    assert err.value.message == "No such deputy."
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Promise)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0
    promise = record(deputy, quotation="  ")
    assert promise.quotation is None and promise.status.value == "not_yet_rated"
    assert (promise.created_by_id, promise.organization_id) == (monitor.id, monitor.organization_id)
