"""Draining the outbox in batches: many events fanned out, claimed and sent per transaction.

In a surge every signature records one event with one recipient (its confirmation). Handling
them one job each costs more in RQ bookkeeping and commits than the mail itself, so the after-commit
hook only *requests a drain* (``queue.request_drain``) and a drain job takes the waiting events
in batches of ``OUTBOX_BATCH_SIZE``:

1. one transaction: ``SELECT ... FOR UPDATE SKIP LOCKED`` the oldest events not fanned out (so
   drains running in parallel, on any machine, take different events), fan each out as
   ``fanout.fan_out`` does, and claim every single-recipient delivery with one conditional UPDATE
   (``delivery.claim_many``); commit. Events with several recipients get one delivery job per
   recipient, as before;
2. render the claimed deliveries and hand them to the sending threads (``delivery.send_claimed``,
   ``delivery.Sending``), then go on to the next batch while they go out; results are recorded
   as they come, a few at a time. A temporary failure releases its delivery to ``pending`` and
   schedules its delivery job for the first back-off interval.

The guarantees are those of a single delivery: a message goes out only under a committed claim,
and a drain killed at any point leaves either events not fanned out (redispatch requests a drain
again) or claims that expire after ``DELIVERY_LEASE_SECONDS`` (redispatch sends them once).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from recall.extensions import db
from recall.models.outbox import Event
from recall.notifications import queue as rq_queue
from recall.notifications.delivery import Outcome, Sending, claim_many, send_claimed, sending
from recall.notifications.fanout import fan_out_many
from recall.notifications.recipients import subject_model
from recall.notifications.shared_mail import SharedRenders

logger = logging.getLogger(__name__)


@dataclass
class Drained:
    """What drain passes did: events fanned out, messages sent, deliveries left to jobs."""

    events: int = 0
    sent: int = 0
    retry: int = 0
    failed: int = 0
    queued: int = 0
    more: bool = False  # stopped for time with events still waiting


def drain_batch(limit: int, on_their_way: Sending, renders: SharedRenders | None = None) -> Drained:
    """Fan out, claim and send up to ``limit`` waiting events; the messages are handed to
    ``on_their_way`` (their outcomes arrive there), rendered through ``renders`` when given.
    Commits; must run in an app context."""
    session = db.session()
    # The events and subjects loaded first are read again after the commits below (rendering).
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    try:
        return _drain_batch(session, limit, on_their_way, renders)
    finally:
        session.expire_on_commit = expire_on_commit


def _drain_batch(session, limit: int, on_their_way: Sending, renders) -> Drained:
    result = Drained()
    events = list(
        session.scalars(
            sa.select(Event)
            .where(Event.fanned_out_at.is_(None))
            .order_by(Event.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if not events:
        session.rollback()
        return result
    subjects = _load_subjects(events)
    pending = fan_out_many(events, subjects)
    singles = [ids[0] for ids in pending.values() if len(ids) == 1]
    several = [i for ids in pending.values() if len(ids) > 1 for i in ids]
    claimed_at, claimed = claim_many(singles)
    session.commit()
    result.events = len(events)
    queue = rq_queue.get_queue()
    for delivery_id in several:
        rq_queue.enqueue_delivery(queue, delivery_id)
    result.queued = len(several)
    send_claimed(claimed, claimed_at, on_their_way, renders)
    return result


def _load_subjects(events: list[Event]) -> dict[tuple[str, int], object]:
    """The events' subjects by ``(type, id)``, one query per type (None where a row is gone)."""
    by_type: dict[str, set[int]] = {}
    for event in events:
        by_type.setdefault(event.subject_type, set()).add(event.subject_id)
    found: dict[tuple[str, int], object] = {}
    for subject_type, ids in by_type.items():
        model = subject_model(subject_type)
        rows = db.session.scalars(sa.select(model).where(model.id.in_(ids))) if model else []
        found.update({(subject_type, row.id): row for row in rows})
        found.update({(subject_type, i): None for i in ids if (subject_type, i) not in found})
    return found


def drain(
    *,
    budget_seconds: float | None = None,
    limit: int | None = None,
    on_backlog: Callable[[], object] | None = None,
) -> Drained:
    """Drain batch after batch until no event waits or ``budget_seconds`` have passed.

    The budget (default: half of ``DELIVERY_JOB_TIMEOUT``) keeps a drain job well inside its
    timeout; when it runs out with events left, ``more`` is set and the caller requests
    another drain. ``on_backlog`` is called once when the first batch is full: more events are
    waiting than one batch holds, so a drain job requested then lets an idle worker help.
    """
    config = current_app.config
    limit = limit or config["OUTBOX_BATCH_SIZE"]
    budget = config["DELIVERY_JOB_TIMEOUT"] / 2 if budget_seconds is None else budget_seconds
    deadline = time.monotonic() + budget
    total = Drained()
    queue = rq_queue.get_queue()
    # A surge's confirmations are rendered once per kind, language and petition for the drain.
    renders = SharedRenders()
    with sending() as on_their_way:
        while True:
            batch = drain_batch(limit, on_their_way, renders)
            total.events += batch.events
            total.queued += batch.queued
            # The next batch is fanned out and rendered while this one goes out; no more than
            # a batch waits for a sending thread (claims waiting longer would only age).
            on_their_way.wait(at_most=limit)
            _count(total, on_their_way.take_outcomes(), queue)
            if batch.events < limit:
                break
            if on_backlog is not None:
                on_backlog()
                on_backlog = None
            if time.monotonic() >= deadline:
                total.more = True
                break
    _count(total, on_their_way.take_outcomes(), queue)
    if total.events:
        logger.info(
            "drained %d event(s): %d sent, %d to retry, %d failed, %d delivery job(s)",
            total.events,
            total.sent,
            total.retry,
            total.failed,
            total.queued,
        )
    return total


def _count(total: Drained, outcomes: dict[int, Outcome], queue) -> None:
    """Add recorded outcomes to ``total``; a temporary failure gets its delivery job, scheduled
    for the first back-off interval."""
    for delivery_id, outcome in outcomes.items():
        if outcome == Outcome.SENT:
            total.sent += 1
        elif outcome == Outcome.RETRY:
            total.retry += 1
            rq_queue.enqueue_delivery(queue, delivery_id, after_first_attempt=True)
        else:
            total.failed += 1
