"""Sending one delivery, at most once per claim.

A run first *claims* the delivery with a conditional UPDATE (pending -> sending, or a sending
claim older than ``DELIVERY_LEASE_SECONDS``, whose job died) and commits. Only the run whose
UPDATE matched a row sends; a second copy of the same job finds it ``sending`` or ``sent`` and
does nothing. After the send the delivery is marked ``sent`` (or released for a retry, or
``failed``) in a second short transaction.

The lease must exceed the job timeout (``DELIVERY_JOB_TIMEOUT``), which bounds how long a live
run can hold the claim; so a claim older than the lease belongs to a run that is dead.
The one window left is a crash after the server accepted the message and before ``sent`` is
committed; then the message is sent again with the same ``Message-ID``/``X-Recall-Delivery``.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from enum import StrEnum

import sqlalchemy as sa
from flask import current_app

from recall.extensions import db
from recall.models.base import utcnow
from recall.models.notifications import Channel, Delivery, DeliveryStatus
from recall.notifications.errors import PermanentDeliveryError, TemporaryDeliveryError
from recall.notifications.recipients import load_subject

logger = logging.getLogger(__name__)


class Outcome(StrEnum):
    SENT = "sent"
    SKIPPED = "skipped"  # already sent or failed, claimed by a live run, or gone
    RETRY = "retry"  # temporary failure; released to pending for the next attempt
    FAILED = "failed"


def _claim(delivery_id: int):
    """Take the delivery for this run; returns the claim time, or None when someone else has it."""
    now = utcnow()
    lease = timedelta(seconds=current_app.config["DELIVERY_LEASE_SECONDS"])
    result = db.session.execute(
        sa.update(Delivery)
        .where(Delivery.id == delivery_id)
        .where(
            sa.or_(
                Delivery.status == DeliveryStatus.PENDING,
                sa.and_(
                    Delivery.status == DeliveryStatus.SENDING, Delivery.claimed_at <= now - lease
                ),
            )
        )
        .values(status=DeliveryStatus.SENDING, claimed_at=now, attempts=Delivery.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return now if result.rowcount == 1 else None


def _finish(delivery_id: int, claimed_at, **values) -> None:
    # Only the run holding the claim may finish it (a stale run whose lease was taken over may not).
    result = db.session.execute(
        sa.update(Delivery)
        .where(
            Delivery.id == delivery_id,
            Delivery.status == DeliveryStatus.SENDING,
            Delivery.claimed_at == claimed_at,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if result.rowcount != 1:
        logger.warning("delivery %s: claim was taken over before this run finished", delivery_id)


def _send(delivery: Delivery) -> None:
    from recall.notifications.mail import render_email, send_email
    from recall.notifications.webhooks import post_webhook

    event = delivery.event
    if delivery.channel == Channel.WEBHOOK:
        if delivery.endpoint is None:
            raise PermanentDeliveryError("webhook endpoint was removed")
        post_webhook(delivery.endpoint, delivery, event)
    else:
        subject = load_subject(event.subject_type, event.subject_id)
        send_email(render_email(delivery, event, subject), delivery.id)


def run_delivery(delivery_id: int) -> Outcome:
    """Send delivery ``delivery_id`` if it is still to be sent; commit its new state.

    Returns the outcome. A temporary failure is released back to ``pending`` (and the caller,
    an RQ job, raises so RQ retries it with back-off) until ``DELIVERY_MAX_ATTEMPTS`` attempts
    have been made; then, or on a permanent failure, the delivery is marked ``failed``.
    """
    claimed_at = _claim(delivery_id)
    if claimed_at is None:
        return Outcome.SKIPPED
    delivery = db.session.get(Delivery, delivery_id)
    try:
        _send(delivery)
    except PermanentDeliveryError as exc:
        logger.warning("delivery %s failed permanently: %s", delivery_id, exc)
        _finish(delivery_id, claimed_at, status=DeliveryStatus.FAILED, last_error=str(exc)[:2000])
        return Outcome.FAILED
    except Exception as exc:  # temporary by default: network trouble, timeouts, 4xx replies
        error = (
            str(exc)
            if isinstance(exc, TemporaryDeliveryError)
            else f"{exc.__class__.__name__}: {exc}"
        )
        db.session.rollback()
        if delivery.attempts >= current_app.config["DELIVERY_MAX_ATTEMPTS"]:
            logger.warning(
                "delivery %s failed after %d attempts: %s", delivery_id, delivery.attempts, error
            )
            _finish(delivery_id, claimed_at, status=DeliveryStatus.FAILED, last_error=error[:2000])
            return Outcome.FAILED
        logger.info(
            "delivery %s attempt %d failed, will retry: %s", delivery_id, delivery.attempts, error
        )
        _finish(delivery_id, claimed_at, status=DeliveryStatus.PENDING, last_error=error[:2000])
        return Outcome.RETRY
    _finish(delivery_id, claimed_at, status=DeliveryStatus.SENT, sent_at=utcnow(), last_error=None)
    logger.info("delivery %s sent (%s to %s)", delivery_id, delivery.channel, delivery.recipient)
    return Outcome.SENT
