"""Savepoints inside a transaction neither dispatch its events early nor forget them.

SQLAlchemy fires ``after_commit`` when a savepoint is released and ``after_rollback`` when one is
rolled back. The outbox hooks must only act on the outermost transaction: dispatching at a
savepoint release hands over events that are not committed yet (a job, or the inline delivery's
own connection, cannot see them), and forgetting at a savepoint rollback drops events the outer
transaction goes on to commit.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from rq import Queue

from recall.extensions import db
from recall.models import Event
from recall.notifications.rules import ensure_default_rules
from recall.services.outbox import record_event
from tests.notifications.conftest import mail_config


@pytest.fixture
def app_config(smtp_server):
    return mail_config(smtp_server)


def _withdrawal(make, address: str) -> Event:
    signature = make.signature(make.petition(), email=address)
    return record_event("signature.withdrawn", "signature", signature.id, {})


def test_a_released_savepoint_does_not_dispatch_before_the_commit(app, make, smtp_server):
    ensure_default_rules()
    _withdrawal(make, "outer@example.org")
    with db.session.begin_nested():
        make.body()
    assert smtp_server.wait_for(1, timeout=0.5) == []  # nothing leaves before the real commit
    db.session.commit()
    assert [m.rcpt_tos for m in smtp_server.wait_for(1)] == [["outer@example.org"]]


def test_a_rolled_back_savepoint_keeps_the_events_recorded_outside_it(app, make, smtp_server):
    ensure_default_rules()
    _withdrawal(make, "kept@example.org")
    try:
        with db.session.begin_nested():
            _withdrawal(make, "dropped@example.org")
            raise RuntimeError("the savepoint fails")
    except RuntimeError:
        pass
    db.session.commit()
    assert [m.rcpt_tos for m in smtp_server.wait_for(1)] == [["kept@example.org"]]
    assert len(smtp_server.wait_for(2, timeout=0.5)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 1


@pytest.mark.redis
def test_with_redis_a_released_savepoint_enqueues_nothing_before_the_commit(
    app, make, redis_url, redis_conn
):
    app.config["REDIS_URL"] = redis_url
    queue = Queue("recall-test", connection=redis_conn)
    _withdrawal(make, "queued@example.org")
    with db.session.begin_nested():
        make.body()
    assert queue.job_ids == []
    db.session.commit()
    assert [job.func_name for job in queue.jobs] == ["recall.jobs.notifications.drain_outbox"]
