"""Notification jobs: drain the outbox in batches, fan one event out, send one delivery."""

from __future__ import annotations

import logging

from recall.extensions import db
from recall.jobs import job_context
from recall.notifications import queue as rq_queue
from recall.notifications.batch import drain
from recall.notifications.delivery import Outcome, run_delivery
from recall.notifications.errors import TemporaryDeliveryError
from recall.notifications.fanout import fan_out

logger = logging.getLogger(__name__)


def drain_outbox() -> int:
    """Fan out and send every waiting event, in batches (``recall.notifications.batch``).

    Clears the drain request first, so that an event committed from now on requests a new drain
    job (another worker takes it and drains beside this one). When more events wait than one
    batch holds, requests another drain at once so that an idle worker joins in; when the time
    budget runs out with events left, requests the next drain itself. Returns the number of events fanned out.
    """
    with job_context():
        queue = rq_queue.get_queue()
        rq_queue.drain_started(queue)
        result = drain(on_backlog=lambda: rq_queue.request_drain(queue))
        if result.more:
            rq_queue.request_drain(queue)
        return result.events


def fan_out_event(event_id: int) -> int:
    """Create the deliveries of an event, commit, then send or enqueue them.

    An event with a single pending delivery (a signer's confirmation, the commonest by far) is
    sent right here, through the same claim as a delivery job, which halves the jobs per
    signature; after a temporary failure its delivery job is scheduled for the first retry.
    Several deliveries get one job each, so they go out in parallel and one slow recipient does
    not hold up the others. Idempotent: a second run creates nothing, and finds the single
    delivery claimed or sent, or re-enqueues the same delivery job ids.
    Returns the number of pending deliveries it found.
    """
    with job_context():
        delivery_ids = fan_out(event_id)
        db.session.commit()
        queue = rq_queue.get_queue()
        if len(delivery_ids) == 1:
            if run_delivery(delivery_ids[0]) == Outcome.RETRY:
                rq_queue.enqueue_delivery(queue, delivery_ids[0], after_first_attempt=True)
            return 1
        for delivery_id in delivery_ids:
            rq_queue.enqueue_delivery(queue, delivery_id)
        return len(delivery_ids)


def deliver(delivery_id: int) -> str:
    """Send one delivery (at most once; see ``recall.notifications.delivery``).

    Raises ``TemporaryDeliveryError`` after a temporary failure so that RQ retries the job with
    back-off; the delivery row is already back to ``pending`` with its error recorded.
    """
    with job_context():
        outcome = run_delivery(delivery_id)
    if outcome == Outcome.RETRY:
        raise TemporaryDeliveryError(f"delivery {delivery_id}: temporary failure, retrying")
    return outcome.value
