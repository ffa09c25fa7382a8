"""The outbox: events recorded in the same transaction as the change they announce."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from recall.extensions import db
from recall.models.base import TimestampMixin, UTCDateTime


class Event(TimestampMixin, db.Model):
    """Something someone should hear about. Written with the change; delivered after commit."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(80), index=True)
    subject_type: Mapped[str] = mapped_column(sa.String(40))
    subject_id: Mapped[int] = mapped_column()
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # The language of the request that recorded the event: mail to a recipient without an account
    # (a signer, a misuse reporter) is written in the language they used on the site.
    locale: Mapped[str | None] = mapped_column(sa.String(8))
    # Set when fan-out created its deliveries; until then redispatch may hand the event over again.
    fanned_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        sa.Index("ix_events_subject", "subject_type", "subject_id"),
        # Redispatch scans only the events still waiting for fan-out, however long the outbox grows.
        sa.Index(
            "ix_events_waiting",
            "created_at",
            postgresql_where=sa.text("fanned_out_at IS NULL"),
            sqlite_where=sa.text("fanned_out_at IS NULL"),
        ),
    )

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.kind} {self.subject_type}:{self.subject_id}>"
