"""Bulk invalidation by criteria (issue 18): a burst from one block is flagged, previewed with its
count and a sample, invalidated by a tracked job (in batches, cancellable), audited with who, why
and the criteria; the count drops at once and the reason is in the commission's report."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from rq import Queue, SimpleWorker

from recall.errors import Conflict, Forbidden, Invalid
from recall.extensions import db
from recall.jobs import fraud as fraud_job
from recall.models import AuditEntry, Invalidation, InvalidationStatus, Signature, User
from recall.models.base import utcnow
from recall.services.fraud import invalidation, patterns, sources
from recall.services.signing import counting
from recall.services.verification import report
from tests.fraud.conftest import burst, scattered


def _audit(action):
    return db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)
    ).all()


def _pattern(petition, now, n_burst=30, n_people=20):
    scattered(petition, n_people, at=now)
    burst(petition, n_burst, domain="flood.kz", user_agent="python-requests/2.32", at=now)
    counting.recount(petition.id)
    db.session.commit()


def test_burst_flag_preview_invalidate_and_count_after(app, watched):
    petition, commissioner, _o = watched
    now = utcnow()
    _pattern(petition, now)
    assert counting.confirmed_count(petition.id) == 50
    patterns.scan_sources(now)  # the burst is flagged
    db.session.commit()
    flag = next(f for f in patterns.flags_of(commissioner, petition.id) if f.dimension == "block")

    # The sources page gives the block's full keyed hash; the commission can type the block too.
    for typed in (flag.value, "203.0.113.0/24", "203.0.113.200"):
        preview = invalidation.preview_invalidation(commissioner, petition.id, {"block": typed})
        assert preview.count == 30
    assert len(preview.sample) == invalidation.SAMPLE_SIZE
    assert {s.email_domain for s in preview.sample} == {"flood.kz"}
    run = fraud_job.start(
        commissioner, petition.id, {"block": flag.value}, "A burst of 30 from one /24 in an hour"
    )
    assert (run.status, run.matched, run.invalidated) == (InvalidationStatus.DONE, 30, 30)
    # Out of the count at once, and the reason in the report.
    assert counting.confirmed_count(petition.id) == 20
    assert counting.recount(petition.id) == 20  # the counters agree with the rows
    rep = report.report(commissioner, petition.id)
    assert rep.invalid_by_reason == {"bulk_invalidation": 30}
    assert "bulk" in rep.reason_labels["bulk_invalidation"].lower()
    rows = db.session.scalars(sa.select(Signature).where(Signature.invalidation_id == run.id)).all()
    assert len(rows) == 30 and {r.decided_by_id for r in rows} == {commissioner.id}
    started, finished = _audit("fraud.invalidation_started"), _audit("fraud.invalidation_finished")
    assert started[0].actor_id == commissioner.id
    assert started[0].payload == {
        "petition_id": petition.id,
        "reason": "A burst of 30 from one /24 in an hour",
        "criteria": {"block_hash": flag.value},
        "matched": 30,
    }
    assert finished[0].payload["invalidated"] == 30 and finished[0].payload["status"] == "done"
    # Nothing is left to match: a second run finds none.
    assert (
        invalidation.preview_invalidation(commissioner, petition.id, {"block": flag.value}).count
        == 0
    )


def test_domain_flood_by_domain_and_time_window(app, watched):
    petition, commissioner, _o = watched
    now = utcnow()
    _pattern(petition, now)
    window = {
        "domain": "Flood.KZ",
        "since": (now.replace(microsecond=0)).isoformat(),
        "until": "2999-01-01T00:00",
    }
    assert invalidation.preview_invalidation(commissioner, petition.id, window).count == 30
    fraud_job.start(commissioner, petition.id, window, "Domain flood")
    assert counting.confirmed_count(petition.id) == 20
    assert (
        invalidation.preview_invalidation(commissioner, petition.id, {"user_agent": "python"}).count
        == 0
    )


def test_a_run_cancelled_after_one_batch_keeps_what_it_did(app, watched):
    petition, commissioner, _o = watched
    petition_id, commissioner_id = petition.id, commissioner.id
    _pattern(petition, utcnow())
    run = invalidation.start_invalidation(commissioner, petition.id, {"domain": "flood.kz"}, "x")
    db.session.commit()
    assert invalidation.run_batch(run.id, batch=10) is False
    db.session.commit()
    assert (run.status, run.invalidated) == (InvalidationStatus.RUNNING, 10)
    assert counting.confirmed_count(petition.id) == 40
    invalidation.cancel_invalidation(commissioner, run.id)
    db.session.commit()
    run_id = run.id
    assert fraud_job.run_invalidation(run_id, batch=10) == "cancelled"  # removes the session
    run = db.session.get(Invalidation, run_id)
    assert (run.status, run.invalidated) == (InvalidationStatus.CANCELLED, 10)
    assert counting.confirmed_count(petition_id) == 40
    with pytest.raises(Conflict):
        invalidation.cancel_invalidation(db.session.get(User, commissioner_id), run_id)
    assert [e.payload["processed"] for e in _audit("fraud.invalidation_cancelled")] == [10]


def test_bad_criteria_and_strangers_write_nothing(app, watched):
    petition, commissioner, outsider = watched
    _pattern(petition, utcnow(), n_burst=3, n_people=2)
    for raw, field in (
        ({}, "block"),
        ({"block": "not a block"}, "block"),
        ({"address": "1.2.3"}, "address"),
        ({"domain": "no spaces.kz"}, "domain"),
        ({"since": "yesterday"}, "since"),
        ({"since": "2025-02-01T00:00", "until": "2025-01-01T00:00"}, "until"),
    ):
        with pytest.raises(Invalid) as caught:
            invalidation.start_invalidation(commissioner, petition.id, raw, "why")
        assert caught.value.field == field, raw
    with pytest.raises(Invalid) as caught:
        invalidation.start_invalidation(commissioner, petition.id, {"domain": "flood.kz"}, "  ")
    assert caught.value.field == "reason"
    with pytest.raises(Forbidden):
        invalidation.preview_invalidation(outsider, petition.id, {"domain": "flood.kz"})
    with pytest.raises(Forbidden):
        invalidation.start_invalidation(outsider, petition.id, {"domain": "flood.kz"}, "why")
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invalidation)) == 0
    assert _audit("fraud.invalidation_started") == []
    assert counting.confirmed_count(petition.id) == 5


def test_the_pages_preview_start_and_show_a_run(app, client, login, watched):
    petition, commissioner, outsider = watched
    _pattern(petition, utcnow())
    login(commissioner)
    sources_page = client.get(f"/commission/petitions/{petition.id}/sources")
    assert "Preview invalidation" in sources_page.text
    preview = client.get(
        f"/commission/petitions/{petition.id}/invalidations/preview?domain=flood.kz"
    )
    assert preview.status_code == 200 and "30 signatures match" in preview.text
    refused = client.post(
        f"/commission/petitions/{petition.id}/invalidations", data={"domain": "flood.kz"}
    )
    assert refused.status_code == 422  # no reason given
    started = client.post(
        f"/commission/petitions/{petition.id}/invalidations",
        data={"domain": "flood.kz", "reason": "Domain flood"},
    )
    assert started.status_code == 303
    page = client.get(started.headers["Location"])
    assert "30 of 30" in page.text and "done" in page.text
    assert counting.confirmed_count(petition.id) == 20
    login(outsider)
    assert client.get(started.headers["Location"]).status_code == 403


@pytest.mark.redis
class TestOnTheQueue:
    @pytest.fixture
    def app_config(self, redis_url):
        return {"REDIS_URL": redis_url, "RQ_QUEUE_NAME": "recall-test-fraud"}

    def test_the_run_is_a_job_a_worker_runs(self, app, client, login, watched, redis_conn):
        petition, commissioner, _o = watched
        _pattern(petition, utcnow())
        login(commissioner)
        started = client.post(
            f"/commission/petitions/{petition.id}/invalidations",
            data={"block": "203.0.113.0/24", "reason": "Burst"},
        )
        run = db.session.scalar(sa.select(Invalidation))
        assert run.status == InvalidationStatus.PENDING
        assert 'data-refresh="3"' in client.get(started.headers["Location"]).text
        assert counting.confirmed_count(petition.id) == 50
        run_id, petition_id = run.id, petition.id  # the job ends by removing the session
        queue = Queue("recall-test-fraud", connection=redis_conn)
        assert queue.count == 1
        SimpleWorker([queue], connection=redis_conn).work(burst=True)
        db.session.expire_all()
        run = db.session.get(Invalidation, run_id)
        assert (run.status, run.invalidated) == (InvalidationStatus.DONE, 30)
        assert counting.confirmed_count(petition_id) == 20
        assert run.criteria == {"block_hash": sources.block_hash_of("203.0.113.0/24")}
