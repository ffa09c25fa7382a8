"""Real RQ worker processes (``flask worker``) against the test PostgreSQL, Redis and SMTP server."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from rq import Queue

from recall.extensions import db
from recall.models import Event
from recall.models.notifications import Delivery, DeliveryStatus
from recall.notifications.rules import ensure_default_rules
from recall.services.outbox import record_event
from tests.notifications.conftest import (
    free_port,
    mail_config,
    wait_until,
)

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


@pytest.fixture
def app_config(smtp_server, redis_url):
    return mail_config(smtp_server, REDIS_URL=redis_url)


def _delivery(delivery_id: int | None = None) -> Delivery:
    db.session.expire_all()
    query = sa.select(Delivery).order_by(Delivery.id)
    return db.session.scalars(
        query.where(Delivery.id == delivery_id) if delivery_id else query
    ).first()


def _withdrawal(make, address: str) -> Event:
    signature = make.signature(make.petition(), email=address)
    return record_event("signature.withdrawn", "signature", signature.id, {})


def test_event_committed_while_redis_is_down_is_delivered_after_redispatch(
    app, make, smtp_server, workers, redis_url, redis_conn, runner
):
    ensure_default_rules()
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/10"  # nothing listens there
    event = _withdrawal(make, "down@example.org")
    db.session.commit()  # must not fail: the event is safe in PostgreSQL
    db.session.refresh(event)
    assert event.fanned_out_at is None

    app.config["REDIS_URL"] = redis_url  # Redis is back
    result = runner.invoke(args=["outbox", "redispatch"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Redispatched 1 event(s) and 0 delivery(ies)."
    jobs = Queue("recall-test", connection=redis_conn).jobs
    assert [job.func_name for job in jobs] == ["recall.jobs.notifications.drain_outbox"]

    log = workers.run_burst()
    assert [m.rcpt_tos for m in smtp_server.wait_for(1)] == [["down@example.org"]], log
    assert _delivery().status == DeliveryStatus.SENT
    assert (
        runner.invoke(args=["outbox", "redispatch"]).output.strip()
        == "Redispatched 0 event(s) and 0 delivery(ies)."
    )


def test_rolled_back_event_is_never_enqueued(app, make, redis_conn):
    ensure_default_rules()
    db.session.commit()
    _withdrawal(make, "never@example.org")
    db.session.rollback()
    assert Queue("recall-test", connection=redis_conn).count == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0


def test_worker_killed_mid_send_delivers_exactly_once_after_a_new_worker_starts(
    app, make, smtp_server, workers, runner
):
    fast = {"DELIVERY_LEASE_SECONDS": "3", "DELIVERY_JOB_TIMEOUT": "2"}
    app.config.update(DELIVERY_LEASE_SECONDS=3, DELIVERY_JOB_TIMEOUT=2)
    ensure_default_rules()
    smtp_server.handler.mail_delay = 30  # the first send hangs in MAIL FROM
    _withdrawal(make, "once@example.org")
    db.session.commit()

    first = workers.start("--no-scheduler", **fast)
    assert smtp_server.handler.mail_started.wait(20), first.log_path.read_text()
    workers.kill_hard(first)  # worker and work horse die mid-job, as in a crash
    delivery = _delivery()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENDING, 1)
    assert smtp_server.messages == []

    workers.start("--no-scheduler", **fast)
    # A claim younger than the lease may belong to a live run: redispatch leaves it alone.
    assert "0 delivery" in runner.invoke(args=["outbox", "redispatch"]).output
    assert wait_until(lambda: _delivery().claimed_at.timestamp() + 3 < time.time(), timeout=10)
    assert "1 delivery" in runner.invoke(args=["outbox", "redispatch"]).output
    assert [m.rcpt_tos for m in smtp_server.wait_for(1)] == [["once@example.org"]]
    time.sleep(1.5)  # a second copy, if any, would have arrived by now
    assert len(smtp_server.messages) == 1
    delivery = _delivery()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)


def test_temporary_refusal_is_retried_with_backoff_and_the_last_failure_marks_failed(
    app, make, smtp_server, workers
):
    ensure_default_rules()
    smtp_server.handler.refuse = {
        "later@example.org": ["451 4.3.0 Try again later"],
        "never@example.org": ["451 4.3.0 Busy"] * 5,
    }
    later = _withdrawal(make, "later@example.org")
    never = _withdrawal(make, "never@example.org")
    db.session.commit()
    workers.start()  # with RQ's scheduler, which re-queues retries after their back-off

    assert [m.rcpt_tos for m in smtp_server.wait_for(1, timeout=20)] == [["later@example.org"]]

    def _by_event(event_id):
        db.session.expire_all()
        return db.session.scalars(sa.select(Delivery).where(Delivery.event_id == event_id)).one()

    assert wait_until(lambda: _by_event(later.id).status == DeliveryStatus.SENT, timeout=10)
    assert _by_event(later.id).attempts == 2
    assert wait_until(lambda: _by_event(never.id).status == DeliveryStatus.FAILED, timeout=20)
    failed = _by_event(never.id)
    assert (failed.attempts, failed.last_error) == (3, "SMTP 451: never@example.org: 4.3.0 Busy")
    assert len(smtp_server.messages) == 1


def test_one_worker_sends_single_recipient_events_in_one_drain_job_over_one_connection(
    app, make, smtp_server, workers, redis_conn
):
    """One drain job for events committed while it waits, no delivery jobs, one SMTP connection."""
    ensure_default_rules()
    addresses = [f"one-{n}@example.org" for n in range(4)]
    for address in addresses:
        _withdrawal(make, address)
    db.session.commit()
    assert Queue("recall-test", connection=redis_conn).count == 1  # one drain for all four

    log = workers.run_burst(MAIL_SENDERS="1")
    messages = smtp_server.wait_for(4)
    assert sorted(m.rcpt_tos[0] for m in messages) == addresses, log
    assert len({m.peer for m in messages}) == 1, log  # the connection was kept (MAIL_SENDERS=1)
    assert "recall.jobs.notifications.deliver" not in log  # no second job per event
    db.session.expire_all()
    assert {d.status for d in db.session.scalars(sa.select(Delivery))} == {DeliveryStatus.SENT}
    assert {d.attempts for d in db.session.scalars(sa.select(Delivery))} == {1}
