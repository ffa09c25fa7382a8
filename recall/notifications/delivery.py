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

import contextlib
import logging
import queue
import time
from collections.abc import Iterator
from concurrent.futures import Executor, Future
from datetime import timedelta
from enum import StrEnum

import sqlalchemy as sa
from flask import current_app
from rq.timeouts import JobTimeoutException

from recall.extensions import db
from recall.log_privacy import redact
from recall.models.base import utcnow
from recall.models.notifications import Channel, Delivery, DeliveryStatus
from recall.notifications.errors import PermanentDeliveryError, TemporaryDeliveryError
from recall.notifications.recipients import load_petitions, load_subject
from recall.notifications.shared_mail import SharedRenders

logger = logging.getLogger(__name__)


class Outcome(StrEnum):
    SENT = "sent"
    SKIPPED = "skipped"  # already sent or failed, claimed by a live run, or gone
    RETRY = "retry"  # temporary failure; released to pending for the next attempt
    FAILED = "failed"


def _claimable(now):
    lease = timedelta(seconds=current_app.config["DELIVERY_LEASE_SECONDS"])
    return sa.or_(
        Delivery.status == DeliveryStatus.PENDING,
        sa.and_(Delivery.status == DeliveryStatus.SENDING, Delivery.claimed_at <= now - lease),
    )


def _claim(delivery_id: int):
    """Take the delivery for this run; returns the claim time, or None when someone else has it."""
    now = utcnow()
    result = db.session.execute(
        sa.update(Delivery)
        .where(Delivery.id == delivery_id)
        .where(_claimable(now))
        .values(status=DeliveryStatus.SENDING, claimed_at=now, attempts=Delivery.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return now if result.rowcount == 1 else None


def claim_many(delivery_ids: list[int]):
    """Take several deliveries with one conditional UPDATE, in the caller's transaction.

    Returns ``(claim time, ids this run now holds)``; the caller commits before sending
    anything, so each claim is on record before its message can go out.
    """
    now = utcnow()
    if not delivery_ids:
        return now, []
    claimed = db.session.scalars(
        sa.update(Delivery)
        .where(Delivery.id.in_(delivery_ids))
        .where(_claimable(now))
        .values(status=DeliveryStatus.SENDING, claimed_at=now, attempts=Delivery.attempts + 1)
        .returning(Delivery.id)
        .execution_options(synchronize_session=False)
    )
    return now, sorted(claimed)


def _finishing(delivery_id: int, claimed_at, values: dict):
    # Only the run holding the claim may finish it (a stale run whose lease was taken over may not).
    return (
        sa.update(Delivery)
        .where(
            Delivery.id == delivery_id,
            Delivery.status == DeliveryStatus.SENDING,
            Delivery.claimed_at == claimed_at,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def _finish(delivery_id: int, claimed_at, **values) -> None:
    result = db.session.execute(_finishing(delivery_id, claimed_at, values))
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


def _failure(delivery: Delivery, exc: Exception) -> tuple[Outcome, dict]:
    """The outcome of a failed attempt and the values to finish the claim with."""
    if isinstance(exc, PermanentDeliveryError):
        logger.warning("delivery %s failed permanently: %s", delivery.id, redact(str(exc)))
        return Outcome.FAILED, {"status": DeliveryStatus.FAILED, "last_error": str(exc)[:2000]}
    # Temporary by default: network trouble, timeouts, 4xx replies.
    error = (
        str(exc) if isinstance(exc, TemporaryDeliveryError) else f"{exc.__class__.__name__}: {exc}"
    )
    if delivery.attempts >= current_app.config["DELIVERY_MAX_ATTEMPTS"]:
        logger.warning(
            "delivery %s failed after %d attempts: %s",
            delivery.id,
            delivery.attempts,
            redact(error),
        )
        return Outcome.FAILED, {"status": DeliveryStatus.FAILED, "last_error": error[:2000]}
    logger.info(
        "delivery %s attempt %d failed, will retry: %s",
        delivery.id,
        delivery.attempts,
        redact(error),
    )
    return Outcome.RETRY, {"status": DeliveryStatus.PENDING, "last_error": error[:2000]}


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
    except JobTimeoutException:
        raise  # the job's time is up: the claim stays until its lease expires
    except Exception as exc:
        db.session.rollback()
        outcome, values = _failure(delivery, exc)
        _finish(delivery_id, claimed_at, **values)
        return outcome
    _finish(delivery_id, claimed_at, status=DeliveryStatus.SENT, sent_at=utcnow(), last_error=None)
    # By kind, never by address: a log line is a copy the purge cannot reach (issue 19).
    logger.info(
        "delivery %s sent (%s to %s)", delivery_id, delivery.channel, delivery.recipient_kind
    )
    return Outcome.SENT


def send_claimed(
    delivery_ids: list[int], claimed_at, sending: Sending, renders: SharedRenders | None = None
) -> None:
    """Send deliveries this run claimed together (``claim_many``, committed): render each e-mail
    and hand it to ``sending`` (the outcomes arrive in ``sending.outcomes``). Returns once the
    last is handed over; results are recorded as ``Sending`` describes, so a crash re-sends the
    messages in flight and those accepted a moment before, never those recorded. Only rows
    still holding this claim are finished. ``renders``, kept by a drain across its batches,
    renders a surge's confirmations once per kind, language and petition, and keeps the
    petitions its mails name (loaded once per drain, not once per batch).
    """
    if not delivery_ids:
        return
    from recall.notifications.mail import render_email

    render = renders.render_email if renders is not None else render_email

    session = db.session()
    # Not joined to their events: the drain that claimed them has the events in the session, so
    # ``delivery.event`` is an identity-map look-up without a query, where a joined load fetched
    # and parsed each event's JSON payload again (8% of a surge's worker CPU in a profile).
    deliveries = session.scalars(
        sa.select(Delivery).where(Delivery.id.in_(delivery_ids)).order_by(Delivery.id)
    ).all()
    # The petitions this batch's messages name, each loaded once, all in one query.
    petitions: dict = renders.petitions if renders is not None else {}
    subjects = {}
    if sending.threaded:
        subjects = {
            d.id: load_subject(d.event.subject_type, d.event.subject_id)
            for d in deliveries
            if d.channel == Channel.EMAIL
        }
        load_petitions(
            ((d.event, subjects[d.id]) for d in deliveries if d.id in subjects), petitions
        )
    # The rows stay loaded: rendering reads them (and the events' subjects) after the commits.
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()  # ends the read; nothing was written
        for delivery in deliveries:
            try:
                if delivery.id in subjects:
                    # Rendered here (templates, the session); sent by a sending thread.
                    message = render(delivery, delivery.event, subjects[delivery.id], petitions)
                    sending.submit(delivery, claimed_at, message)
                else:
                    _send(delivery)
                    sending.sent_here(delivery, claimed_at)
            except JobTimeoutException:
                raise
            except Exception as exc:
                db.session.rollback()  # rendering may have left the session's transaction failed
                sending.failed(delivery, claimed_at, exc)
            sending.checkpoint()
        db.session.commit()  # ends what rendering read
    finally:
        session.expire_on_commit = expire_on_commit


# ``_finishing`` for several messages accepted under one claim, built once: recording results is
# done for every message of a surge, and building the statement was half its cost in a profile.
_FINISHING_SENT = (
    sa.update(Delivery)
    .where(
        Delivery.id.in_(sa.bindparam("delivery_ids", expanding=True)),
        Delivery.status == DeliveryStatus.SENDING,
        Delivery.claimed_at == sa.bindparam("claim_time"),
    )
    .values(status=DeliveryStatus.SENT, sent_at=sa.bindparam("sent_time"), last_error=None)
    .execution_options(synchronize_session=False)
)


class _Results:
    """Records results of one claim: ``one(id, claimed_at, **values)`` for any outcome,
    ``sent(ids, claimed_at)`` for messages accepted together (one UPDATE); each call commits."""

    def __init__(self, execute):
        self._execute = execute

    def one(self, delivery_id: int, claimed_at, **values) -> None:
        if self._execute(_finishing(delivery_id, claimed_at, values)).rowcount != 1:
            logger.warning(
                "delivery %s: claim was taken over before this run finished", delivery_id
            )

    def sent(self, delivery_ids: list[int], claimed_at) -> None:
        parameters = {"delivery_ids": delivery_ids, "claim_time": claimed_at, "sent_time": utcnow()}
        finished = self._execute(_FINISHING_SENT, parameters).rowcount
        if finished != len(delivery_ids):
            logger.warning(
                "%d of deliveries %s: claim was taken over before this run finished",
                len(delivery_ids) - finished,
                delivery_ids,
            )


@contextlib.contextmanager
def _results_writer(session):
    """A ``_Results`` that commits each result (or group of results) it records."""
    if session.get_bind().dialect.name != "postgresql":

        def execute(statement, parameters=None):
            result = db.session.execute(statement, parameters)
            db.session.commit()
            return result

        yield _Results(execute)
        return
    with db.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        connection.execute(sa.text("SET synchronous_commit TO OFF"))
        try:
            yield _Results(connection.execute)
        finally:
            connection.execute(sa.text("RESET synchronous_commit"))


@contextlib.contextmanager
def sending() -> Iterator[Sending]:
    """A ``Sending`` for a drain's messages; on leaving, waits for the last and records it (after
    an error, messages not yet begun are left to their claims' lease). On PostgreSQL results go
    through a connection of their own in autocommit mode with ``synchronous_commit`` off: one
    round trip per group, without waiting for the WAL flush. Only a database crash in the next
    moment could lose such a result, and the lease then re-sends those messages, with their
    same ``Message-ID``.
    """
    from recall.notifications.mail import parallel_sender

    pool = parallel_sender() if current_app.config.get("MAIL_SERVER") else None
    with _results_writer(db.session()) as results:
        on_their_way = Sending(results, pool)
        try:
            yield on_their_way
            on_their_way.wait()
        except BaseException:
            on_their_way.abandon()
            raise


# A result accepted by the SMTP server is recorded at most this long afterwards (unless the drain
# is rendering a message or in its fan-out transaction at that moment), together with the others
# accepted meanwhile: an UPDATE per message or two was the drain's slowest step in a surge.
RESULTS_EVERY_SECONDS = 0.02


class Sending:
    """The messages of one drain on their way, across its batches (``sending()``).

    E-mails are rendered in the drain's thread (templates, the session) and sent side by side by
    the ``MAIL_SENDERS`` sending threads of a worker (``mail.reused_smtp_connection``); the drain
    goes on to its next batch meanwhile (``wait``). Results are recorded in the drain's thread,
    at ``checkpoint``s between messages and while it waits: those accepted since the last record
    together (one UPDATE per claim), each at most ``RESULTS_EVERY_SECONDS`` after the server
    accepted it, unless the drain is busy with one message or one fan-out transaction then.
    Without sending threads (no ``MAIL_SERVER``, or a webhook) a message is sent in the drain's
    thread and recorded at once.
    """

    def __init__(self, results: _Results, pool: Executor | None):
        self._results, self._pool = results, pool
        self._app = current_app._get_current_object() if pool is not None else None
        self._in_flight: dict[Future, tuple[Delivery, object]] = {}
        self._done: queue.SimpleQueue[Future] = queue.SimpleQueue()
        self._unrecorded: list[tuple[Future, Delivery, object]] = []
        self._due: float | None = None  # when the oldest unrecorded result is to be recorded
        self.outcomes: dict[int, Outcome] = {}

    @property
    def threaded(self) -> bool:
        return self._pool is not None

    def take_outcomes(self) -> dict[int, Outcome]:
        """The outcomes recorded since the last call."""
        outcomes, self.outcomes = self.outcomes, {}
        return outcomes

    def submit(self, delivery: Delivery, claimed_at, message) -> None:
        """Hand a rendered e-mail to the sending threads."""
        from recall.notifications.mail import send_email_in

        future = self._pool.submit(send_email_in, self._app, message, delivery.id)
        self._in_flight[future] = (delivery, claimed_at)
        future.add_done_callback(self._done.put)

    def sent_here(self, delivery: Delivery, claimed_at) -> None:
        self.outcomes[delivery.id] = Outcome.SENT
        self._results.one(
            delivery.id, claimed_at, status=DeliveryStatus.SENT, sent_at=utcnow(), last_error=None
        )

    def failed(self, delivery: Delivery, claimed_at, exc: Exception) -> None:
        self.outcomes[delivery.id], values = _failure(delivery, exc)
        self._results.one(delivery.id, claimed_at, **values)

    def checkpoint(self) -> None:
        """Between two messages: take the results that came, record them once due."""
        self._collect(block=False)
        if self._due is not None and time.monotonic() >= self._due:
            self._record()

    def wait(self, at_most: int = 0) -> None:
        """Until at most ``at_most`` messages are on their way, recording results as they come
        (every one, with ``at_most=0``)."""
        while len(self._in_flight) > at_most:
            timeout = None if self._due is None else max(0.0, self._due - time.monotonic())
            self._collect(block=True, timeout=timeout)
            if self._due is not None and time.monotonic() >= self._due:
                self._record()
        if not self._in_flight:
            self._record()

    def abandon(self) -> None:
        """After an error (the job's timeout): messages not yet begun are not sent (their claims
        wait for the lease); results that came are recorded."""
        for future in self._in_flight:
            future.cancel()
        self._collect(block=False)
        try:
            self._record()
        except Exception:
            logger.exception("results of %d deliveries not recorded", len(self._unrecorded))

    def _collect(self, block: bool, timeout: float | None = None) -> None:
        try:
            future = self._done.get(block=block, timeout=timeout)
            while True:
                delivery, claimed_at = self._in_flight.pop(future)
                if not future.cancelled():
                    self._unrecorded.append((future, delivery, claimed_at))
                    if self._due is None:
                        self._due = time.monotonic() + RESULTS_EVERY_SECONDS
                future = self._done.get(block=False)
        except queue.Empty:
            return

    def _record(self) -> None:
        came, self._unrecorded, self._due = self._unrecorded, [], None
        accepted: dict[object, list[int]] = {}
        for future, delivery, claimed_at in came:
            if future.exception() is None:
                self.outcomes[delivery.id] = Outcome.SENT
                accepted.setdefault(claimed_at, []).append(delivery.id)
            else:
                self.failed(delivery, claimed_at, future.exception())
        for claimed_at, delivery_ids in accepted.items():
            self._results.sent(sorted(delivery_ids), claimed_at)
