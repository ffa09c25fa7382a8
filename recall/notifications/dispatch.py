"""Dispatch after commit, and redispatch of what was committed but never handed over.

``record_event`` adds an ``Event`` to the caller's transaction. A session ``after_flush`` hook
notes the ids of new events in ``session.info``; ``after_commit`` takes them and dispatches:

* with ``REDIS_URL`` set, a drain of the outbox is requested (``queue.request_drain``: one
  ``SET NX`` while a drain job is already queued, else that and the job), and the drain job fans
  out and sends the waiting events in batches (``batch``). Nothing is written back: an event is "on its way" until its fan-out stamps
  ``fanned_out_at``. If Redis is unreachable the commit still stands and ``redispatch`` finds
  the event (not fanned out, no live job). A second write after commit used to stamp the event
  as enqueued; it cost ~40% of signing throughput and could wait on a second pool connection
  while the request held its first;
* without ``REDIS_URL`` (``make run``), the events are fanned out and delivered inline, in a
  fresh application context (so a fresh session), after the committing transaction is over.

A rollback drops the noted ids, so a rolled-back event is never dispatched. Only the outermost
transaction counts: SQLAlchemy also fires ``after_commit`` when a savepoint is released and
``after_rollback`` when one is rolled back, and acting on those would hand over events before
they are committed, or forget events the outer transaction still commits. Deliveries to send
again (an admin's "send again") go through the same path via ``schedule_delivery``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, has_app_context
from redis.exceptions import RedisError
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from recall.extensions import db
from recall.models.base import utcnow
from recall.models.notifications import Delivery, DeliveryStatus
from recall.models.outbox import Event
from recall.notifications import queue as rq_queue

logger = logging.getLogger(__name__)

EVENTS_KEY = "recall.outbox.events"
DELIVERIES_KEY = "recall.outbox.deliveries"
REDISPATCH_BATCH = 500

_installed = False


def install_session_hooks() -> None:
    """Listen on Flask-SQLAlchemy's session class once per process (idempotent)."""
    global _installed
    if _installed:
        return
    session_class = db.session.session_factory.class_
    sa_event.listen(session_class, "after_flush", _note_new_events)
    sa_event.listen(session_class, "after_commit", _dispatch_after_commit)
    sa_event.listen(session_class, "after_soft_rollback", _forget)
    _installed = True


def schedule_delivery(delivery_id: int, session: Session | None = None) -> None:
    """Have ``delivery_id`` sent (again) once the current transaction commits."""
    session = session or db.session()
    session.info.setdefault(DELIVERIES_KEY, []).append(delivery_id)


def _note_new_events(session: Session, flush_context) -> None:
    new_ids = [obj.id for obj in session.new if isinstance(obj, Event)]
    if new_ids:
        note_events(session, new_ids)


def note_events(session: Session, event_ids: list[int]) -> None:
    """Dispatch these events (inserted in the session's transaction) once it commits."""
    session.info.setdefault(EVENTS_KEY, []).extend(event_ids)


def _forget(session: Session, previous_transaction) -> None:
    if previous_transaction.nested:
        # A savepoint rolled back: events noted before it may still commit. Ids noted inside it
        # name rows that will not exist; fan-out finds no such event and does nothing.
        return
    session.info.pop(EVENTS_KEY, None)
    session.info.pop(DELIVERIES_KEY, None)


def _dispatch_after_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint was released; the real commit comes later
        return
    dispatch_committed(session.info.pop(EVENTS_KEY, []), session.info.pop(DELIVERIES_KEY, []))


def dispatch_committed(event_ids: list[int], delivery_ids: list[int] | tuple = ()) -> None:
    """Hand over what a commit just stored, never raising: after a session's commit (above), or
    after a statement that committed on its own (``recall.db_autocommit``)."""
    if not (event_ids or delivery_ids) or not has_app_context():
        return
    try:
        dispatch(list(dict.fromkeys(event_ids)), list(dict.fromkeys(delivery_ids)))
    except Exception:  # the commit stands whatever happens here; redispatch catches up
        logger.exception(
            "dispatch after commit failed for events %r deliveries %r", event_ids, delivery_ids
        )


def dispatch(event_ids: list[int], delivery_ids: list[int]) -> None:
    """Hand committed events and deliveries over: to RQ, or inline when there is no Redis.

    Must run outside any transaction that wrote them (the rows must be committed).
    """
    queue = rq_queue.get_queue()
    if queue is None:
        _deliver_inline(event_ids, delivery_ids)
        return
    enqueued = 0
    try:
        if event_ids:
            rq_queue.request_drain(queue)
            enqueued = len(event_ids)
        for delivery_id in delivery_ids:
            rq_queue.enqueue_delivery(queue, delivery_id)
    except RedisError as exc:
        logger.warning(
            "Redis unreachable (%s); %d event(s) left for redispatch",
            exc,
            len(event_ids) - enqueued,
        )


def _deliver_inline(event_ids: list[int], delivery_ids: list[int]) -> None:
    from recall.notifications.delivery import run_delivery
    from recall.notifications.fanout import fan_out

    app = current_app._get_current_object()
    # A fresh app context gives a fresh scoped session: the caller's session is left untouched.
    with app.app_context():
        for event_id in event_ids:
            try:
                delivery_ids.extend(fan_out(event_id))
                db.session.commit()
            except Exception:
                db.session.rollback()
                logger.exception(
                    "inline fan-out of event %r failed; redispatch will retry", event_id
                )
        for delivery_id in dict.fromkeys(delivery_ids):
            try:
                run_delivery(delivery_id)
            except Exception:
                db.session.rollback()
                logger.exception("inline delivery %r failed; redispatch will retry", delivery_id)


@dataclass
class Redispatch:
    """What one redispatch pass handed over again."""

    events: list[int] = field(default_factory=list)
    deliveries: list[int] = field(default_factory=list)


def redispatch(now: datetime | None = None, *, older_than: int | None = None) -> Redispatch:
    """Find work that was committed but is not on its way, and dispatch it after the next commit.

    * events not fanned out, older than ``older_than`` seconds (default
      ``OUTBOX_REDISPATCH_AFTER``): the drain was never requested because Redis was down, or
      its job was lost or died; a drain is requested again (harmless if one is queued);
    * pending deliveries whose retry is due and whose job is not queued, scheduled or running;
    * deliveries claimed (``sending``) longer than ``DELIVERY_LEASE_SECONDS`` ago: their job died.

    The ids go into the session and are dispatched by the after-commit hook, so the caller
    (command or periodic runner) commits once. Writes nothing itself.
    """
    config = current_app.config
    now = now or utcnow()
    grace = timedelta(
        seconds=config["OUTBOX_REDISPATCH_AFTER"] if older_than is None else older_than
    )
    lease = timedelta(seconds=config["DELIVERY_LEASE_SECONDS"])
    result = Redispatch()
    queue = rq_queue.get_queue()
    stalled = db.session.scalars(
        sa.select(Event.id)
        .where(Event.fanned_out_at.is_(None), Event.created_at <= now - grace)
        .order_by(Event.id)
        .limit(REDISPATCH_BATCH)
    )
    # One drain request covers them all (a drain already queued reads them anyway).
    result.events = list(stalled)
    abandoned = db.session.scalars(
        sa.select(Delivery.id)
        .where(Delivery.status == DeliveryStatus.SENDING, Delivery.claimed_at <= now - lease)
        .order_by(Delivery.id)
        .limit(REDISPATCH_BATCH)
    )
    result.deliveries.extend(abandoned)
    intervals = rq_queue.retry_intervals(config) or [0]
    pending = db.session.execute(
        sa.select(Delivery.id, Delivery.attempts, Delivery.claimed_at, Delivery.created_at)
        .where(Delivery.status == DeliveryStatus.PENDING)
        .where(sa.func.coalesce(Delivery.claimed_at, Delivery.created_at) <= now - grace)
        .order_by(Delivery.id)
        .limit(REDISPATCH_BATCH)
    )
    for delivery_id, attempts, claimed_at, created_at in pending:
        wait = (
            timedelta(seconds=intervals[min(max(attempts - 1, 0), len(intervals) - 1)])
            if attempts
            else grace
        )
        if (claimed_at or created_at) > now - wait:
            continue
        if queue is not None and _live(queue, rq_queue.delivery_job_id(delivery_id)):
            continue
        result.deliveries.append(delivery_id)
    session = db.session()
    session.info.setdefault(EVENTS_KEY, []).extend(result.events)
    session.info.setdefault(DELIVERIES_KEY, []).extend(result.deliveries)
    return result


def _live(queue, job_id: str) -> bool:
    try:
        return rq_queue.job_is_live(queue, job_id)
    except RedisError:
        return False  # dispatch will find Redis down too and leave the row for the next pass
