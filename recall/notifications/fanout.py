"""Fan-out: one event becomes one delivery per recipient and channel, by the rules table."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from recall.extensions import db
from recall.models.base import utcnow
from recall.models.notifications import Delivery, DeliveryStatus
from recall.models.outbox import Event
from recall.notifications.recipients import Known, load_account_locales, load_subject, resolve
from recall.notifications.rules import rules_for

logger = logging.getLogger(__name__)


def _insert_ignoring_duplicates(rows: list[dict]) -> None:
    # (event, channel, recipient) is unique: a second fan-out, even a concurrent one, adds nothing.
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    now = utcnow()
    # One statement with bound parameters, executed for many rows (SQLAlchemy sends them as one
    # multi-row INSERT): compiled once and cached, where a VALUES list built from the rows was
    # compiled again for every batch (half of a surge's fan-out CPU in a profile).
    stmt = insert(Delivery.__table__).on_conflict_do_nothing(
        index_elements=["event_id", "channel", "recipient"]
    )
    db.session.connection().execute(
        stmt,
        [
            {**row, "created_at": now, "status": DeliveryStatus.PENDING.value, "attempts": 0}
            for row in rows
        ],
    )


def fan_out(event_id: int) -> list[int]:
    """Create the deliveries of event ``event_id`` (once) and return the ids of its pending ones.

    Recipients are resolved now, from the rules active for the event's kind and from the rows
    the event concerns. Idempotent: a repeated call creates nothing and returns what is still
    pending. Flushes; the caller commits, then enqueues or sends the returned deliveries.
    """
    event = db.session.get(Event, event_id)
    if event is None:  # rolled back, or never existed
        return []
    return fan_out_many([event]).get(event.id, [])


def fan_out_many(events: list[Event], subjects: dict | None = None) -> dict[int, list[int]]:
    """``fan_out`` for several loaded events at once: ``{event id: its pending delivery ids}``.

    One INSERT for every new delivery, one UPDATE stamping the events, one SELECT of what is
    pending; the rules are read once per kind. ``subjects`` may hold the events' subjects,
    loaded already, by ``(subject_type, subject_id)``. Flushes; the caller commits.
    """
    rules_by_kind: dict[str, list] = {}
    rows: dict[tuple[int, str, str], dict] = {}
    fresh = [event for event in events if event.fanned_out_at is None]
    subject_of = {}
    for event in fresh:
        key = (event.subject_type, event.subject_id)
        if key not in subject_of:
            subject_of[key] = (
                subjects[key]
                if subjects is not None and key in subjects
                else load_subject(event.subject_type, event.subject_id)
            )
    known = Known()  # rows the events share: their signers' accounts, the petitions they name
    load_account_locales(subject_of.values(), known)
    for event in fresh:
        if event.kind not in rules_by_kind:
            rules_by_kind[event.kind] = rules_for(event.kind)
        subject = subject_of[(event.subject_type, event.subject_id)]
        found = 0
        for rule in rules_by_kind[event.kind]:
            for target in resolve(rule.recipient, rule.channel, event, subject, known):
                row_key = (event.id, target.channel.value, target.address)
                if row_key in rows:
                    continue
                found += 1
                rows[row_key] = {
                    "event_id": event.id,
                    "channel": target.channel.value,
                    "recipient": target.address,
                    "recipient_kind": target.kind.value,
                    "user_id": target.user_id,
                    "endpoint_id": target.endpoint_id,
                    "follow_id": target.follow_id,
                    "locale": target.locale,
                }
        logger.info("event %s (%s) fanned out to %d recipient(s)", event.id, event.kind, found)
    if rows:
        _insert_ignoring_duplicates(list(rows.values()))
    if fresh:
        now = utcnow()
        db.session.execute(
            sa.update(Event)
            .where(Event.id.in_([event.id for event in fresh]))
            .values(fanned_out_at=now)
            .execution_options(synchronize_session=False)
        )
        for event in fresh:
            set_committed_value(event, "fanned_out_at", now)
    pending: dict[int, list[int]] = {event.id: [] for event in events}
    for delivery_id, event_id in db.session.execute(
        sa.select(Delivery.id, Delivery.event_id)
        .where(
            Delivery.event_id.in_(list(pending)),
            Delivery.status == DeliveryStatus.PENDING,
        )
        .order_by(Delivery.id)
    ):
        pending[event_id].append(delivery_id)
    return pending
