"""Fan-out: one event becomes one delivery per recipient and channel, by the rules table."""

from __future__ import annotations

import logging

import sqlalchemy as sa

from recall.extensions import db
from recall.models.base import utcnow
from recall.models.notifications import Delivery, DeliveryStatus
from recall.models.outbox import Event
from recall.notifications.recipients import load_subject, resolve
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
    stmt = insert(Delivery).values(
        [
            {**row, "created_at": now, "status": DeliveryStatus.PENDING.value, "attempts": 0}
            for row in rows
        ]
    )
    db.session.execute(
        stmt.on_conflict_do_nothing(
            index_elements=[Delivery.event_id, Delivery.channel, Delivery.recipient]
        )
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
    if event.fanned_out_at is None:
        rules = rules_for(event.kind)
        subject = load_subject(event.subject_type, event.subject_id)
        rows: dict[tuple[str, str], dict] = {}
        for rule in rules:
            for target in resolve(rule.recipient, rule.channel, event, subject):
                rows.setdefault(
                    (target.channel.value, target.address),
                    {
                        "event_id": event.id,
                        "channel": target.channel.value,
                        "recipient": target.address,
                        "recipient_kind": target.kind.value,
                        "user_id": target.user_id,
                        "endpoint_id": target.endpoint_id,
                        "follow_id": target.follow_id,
                        "locale": target.locale,
                    },
                )
        if rows:
            _insert_ignoring_duplicates(list(rows.values()))
        event.fanned_out_at = utcnow()
        db.session.flush()
        logger.info("event %s (%s) fanned out to %d recipient(s)", event.id, event.kind, len(rows))
    return list(
        db.session.scalars(
            sa.select(Delivery.id)
            .where(Delivery.event_id == event.id, Delivery.status == DeliveryStatus.PENDING)
            .order_by(Delivery.id)
        )
    )
