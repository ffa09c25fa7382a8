"""The "who hears what" table: seeding the defaults and reading it."""

from __future__ import annotations

import sqlalchemy as sa

from recall.extensions import db
from recall.models.notifications import DEFAULT_RULES, Channel, NotificationRule, Recipient

__all__ = ["DEFAULT_RULES", "ensure_default_rules", "rules_for"]


def ensure_default_rules() -> int:
    """Insert every rule of ``DEFAULT_RULES`` that is missing; return how many were added.

    Idempotent, and never re-activates or changes a rule an administrator edited. Flushes.
    """
    rows = db.session.execute(
        sa.select(NotificationRule.event_kind, NotificationRule.recipient, NotificationRule.channel)
    )
    existing = {
        (kind, Recipient(recipient).value, Channel(channel).value)
        for kind, recipient, channel in rows
    }
    added = 0
    for kind, recipient, channel in DEFAULT_RULES:
        if (kind, recipient, channel) not in existing:
            db.session.add(
                NotificationRule(
                    event_kind=kind, recipient=Recipient(recipient), channel=Channel(channel)
                )
            )
            added += 1
    db.session.flush()
    return added


def rules_for(event_kind: str) -> list[NotificationRule]:
    """The active rules of one event kind."""
    return list(
        db.session.scalars(
            sa.select(NotificationRule)
            .where(NotificationRule.event_kind == event_kind, NotificationRule.active.is_(True))
            .order_by(NotificationRule.id)
        )
    )
