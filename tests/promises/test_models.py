"""A promise recorded through the service reads back from the database with its rating history."""

from datetime import date

import pytest
import sqlalchemy as sa

from recall.extensions import db
from recall.models.promise import BrokenReason, PromiseStatus, PromiseStatusChange
from recall.services.promises import queries
from tests.promises.conftest import EVIDENCE, SOURCE


def test_a_recorded_promise_reads_back_with_its_status_history(record, rate, deputy, monitor):
    promise = record(deputy)
    rate(promise, "in_the_works", changed_on=date(2023, 6, 1), explanation="Land allocated.")
    rate(promise, "broken", changed_on=date(2024, 1, 10))
    db.session.commit()
    db.session.expire_all()  # read what the database holds, not the session's objects

    (stored,) = queries.deputy_promises(deputy.id)
    assert (stored.id, stored.title, stored.source_url, stored.topic.slug) == (
        promise.id,
        "Build a school in Zhanaarka",
        SOURCE,
        "education",
    )
    assert (stored.status, stored.broken_reason) == (PromiseStatus.BROKEN, BrokenReason.NO_MAJORITY)
    assert [
        (c.previous_status, c.status, c.changed_on, c.explanation, c.evidence, c.monitor_id)
        for c in stored.history
    ] == [
        (
            PromiseStatus.NOT_YET_RATED,
            PromiseStatus.IN_THE_WORKS,
            date(2023, 6, 1),
            "Land allocated.",
            EVIDENCE,
            monitor.id,
        ),
        (
            PromiseStatus.IN_THE_WORKS,
            PromiseStatus.BROKEN,
            date(2024, 1, 10),
            "Budget line adopted.",
            EVIDENCE,
            monitor.id,
        ),
    ]
    assert {c.organization_id for c in stored.history} == {monitor.organization_id}


def test_the_database_refuses_a_broken_rating_without_a_reason(record, deputy, monitor):
    promise = record(deputy)
    db.session.commit()
    db.session.add(
        PromiseStatusChange(
            promise_id=promise.id,
            status=PromiseStatus.BROKEN,
            previous_status=PromiseStatus.NOT_YET_RATED,
            changed_on=date(2024, 1, 10),
            explanation="No reason given.",
            evidence=EVIDENCE,
            monitor_id=monitor.id,
        )
    )
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PromiseStatusChange)) == 0


def test_seed_topics_command_is_idempotent(runner):
    from recall.models.promise import DEFAULT_TOPICS, Topic

    for _ in range(2):
        result = runner.invoke(args=["promises", "seed-topics"])
        assert result.exit_code == 0, result.output
        assert (
            "budget, housing, roads, health, education, ecology, corruption, other" in result.output
        )
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(Topic)) == len(DEFAULT_TOPICS) == 8
    )
