"""Draining the outbox in batches, with real ``flask worker`` processes, PostgreSQL, Redis and SMTP.

A commit requests a drain (one job while one is queued); a drain job fans out, claims and sends
``OUTBOX_BATCH_SIZE`` events per transaction, and records each result as its message goes out.
"""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from rq import Queue, Worker

from recall.extensions import db
from recall.models.notifications import Delivery, DeliveryStatus
from recall.notifications.rules import ensure_default_rules
from recall.services.outbox import record_event
from tests.notifications.conftest import mail_config, wait_until

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

BATCH = {"OUTBOX_BATCH_SIZE": "5"}


@pytest.fixture
def app_config(smtp_server, redis_url):
    return mail_config(smtp_server, REDIS_URL=redis_url)


def _withdrawals(make, addresses: list[str]) -> None:
    petition = make.petition()
    for address in addresses:
        signature = make.signature(petition, email=address)
        record_event("signature.withdrawn", "signature", signature.id, {})


def _deliveries() -> list[Delivery]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Delivery).order_by(Delivery.id)))


def test_one_drain_job_sends_a_backlog_in_batches_each_message_once(
    app, make, smtp_server, workers, redis_conn
):
    ensure_default_rules()
    addresses = [f"backlog-{n:02}@example.org" for n in range(12)]
    _withdrawals(make, addresses[:6])
    db.session.commit()
    _withdrawals(make, addresses[6:])
    db.session.commit()  # a drain is queued already: this commit adds no job
    queue = Queue("recall-test", connection=redis_conn)
    assert [job.func_name for job in queue.jobs] == ["recall.jobs.notifications.drain_outbox"]

    log = workers.run_burst(**BATCH)
    messages = smtp_server.wait_for(12)
    assert sorted(m.rcpt_tos[0] for m in messages) == addresses, log
    assert len(messages) == 12
    # Kept connections: one per sending thread (MAIL_SENDERS, 4 by default), not one per message.
    assert len({m.peer for m in messages}) <= 4
    deliveries = _deliveries()
    assert {(d.status, d.attempts) for d in deliveries} == {(DeliveryStatus.SENT, 1)}
    # Claimed together, five at a time (one claim time per batch): 5 + 5 + 2.
    sizes = sorted(
        sum(1 for d in deliveries if d.claimed_at == t) for t in {d.claimed_at for d in deliveries}
    )
    assert sizes == [2, 5, 5]
    assert "recall.jobs.notifications.deliver" not in log


def test_two_workers_drain_side_by_side_and_every_message_goes_once(
    app, make, smtp_server, workers, redis_conn
):
    ensure_default_rules()
    first, second = workers.start(**BATCH), workers.start(**BATCH)
    assert wait_until(lambda: len(Worker.all(connection=redis_conn)) == 2, timeout=30)
    addresses = [f"side-{n:02}@example.org" for n in range(40)]
    for start in range(0, 40, 10):
        _withdrawals(make, addresses[start : start + 10])
        db.session.commit()
    messages = smtp_server.wait_for(40, timeout=60)
    time.sleep(1)  # a second copy of any message would arrive by now
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == addresses
    assert {(d.status, d.attempts) for d in _deliveries()} == {(DeliveryStatus.SENT, 1)}
    assert len(messages) == 40
    # A full first batch asks for another drain, so the idle worker joins in.
    for process in (first, second):
        assert "drain the outbox" in process.log_path.read_text(errors="replace")


def test_a_worker_killed_mid_batch_loses_nothing_and_resends_only_the_message_in_flight(
    app, make, smtp_server, workers, runner
):
    fast = {**BATCH, "DELIVERY_LEASE_SECONDS": "3", "DELIVERY_JOB_TIMEOUT": "2"}
    app.config.update(DELIVERY_LEASE_SECONDS=3, DELIVERY_JOB_TIMEOUT=2)
    ensure_default_rules()
    smtp_server.handler.hang_at = 3  # the third message of the batch hangs in MAIL FROM
    addresses = [f"crash-{n}@example.org" for n in range(5)]
    _withdrawals(make, addresses)
    db.session.commit()

    first = workers.start("--no-scheduler", **fast)
    assert smtp_server.handler.mail_started.wait(20), first.log_path.read_text()
    assert wait_until(lambda: len(smtp_server.messages) == 4)  # the others, side by side
    time.sleep(0.5)  # their results are recorded as they are accepted
    workers.kill_hard(first)
    # The four messages that went out are recorded as sent; the hung one keeps its claim.
    deliveries = _deliveries()
    sent = sorted(m.rcpt_tos[0] for m in smtp_server.messages)
    assert sorted(d.recipient for d in deliveries if d.status == DeliveryStatus.SENT) == sent
    hung = [d for d in deliveries if d.status == DeliveryStatus.SENDING]
    assert len(hung) == 1 and hung[0].recipient not in sent

    workers.start("--no-scheduler", **fast)
    assert wait_until(lambda: hung[0].claimed_at.timestamp() + 3 < time.time(), 10)
    assert "1 delivery" in runner.invoke(args=["outbox", "redispatch"]).output
    smtp_server.wait_for(5)
    time.sleep(1.5)  # a second copy, if any, would have arrived by now
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == addresses
    attempts = {d.recipient: (d.status, d.attempts) for d in _deliveries()}
    assert attempts == {
        address: (DeliveryStatus.SENT, 2 if address == hung[0].recipient else 1)
        for address in addresses
    }


def test_a_drain_that_times_out_sends_none_of_the_messages_still_waiting_for_a_thread(
    app, make, smtp_server, workers
):
    app.config.update(DELIVERY_JOB_TIMEOUT=2)  # the drain job's timeout, given when it is queued
    ensure_default_rules()
    # Both sending threads hang in MAIL FROM: the first message 20 s, the second 30 s; the
    # other three wait for a thread when the job's 2 s are up.
    smtp_server.handler.mail_delay, smtp_server.handler.hang_at = 20.0, 2
    _withdrawals(make, [f"late-{n}@example.org" for n in range(5)])
    db.session.commit()

    log = workers.run_burst(**BATCH, MAIL_SENDERS="2", DELIVERY_JOB_TIMEOUT="2", MAIL_TIMEOUT="3")
    assert "JobTimeoutException" in log, log
    # The hung connections gave up after 3 s and the worker left; a sending thread that went
    # on with the waiting messages would have sent them by now, and they would go again later,
    # under a new claim. They keep this run's claim instead, until the lease expires.
    time.sleep(1)
    assert smtp_server.handler.attempts == 2
    assert smtp_server.messages == []
    assert {d.status for d in _deliveries()} == {DeliveryStatus.SENDING}
