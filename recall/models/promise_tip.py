"""Tips and evidence citizens send about a promise, until a monitor triages them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recall.extensions import db
from recall.models.base import TimestampMixin, UTCDateTime, enum_column
from recall.models.promise import Promise
from recall.models.user import User


class TipStatus(StrEnum):
    NEW = "new"  # waiting for a monitor
    ACCEPTED = "accepted"  # taken as evidence: shown on the promise page (its link as a source)
    DISMISSED = "dismissed"  # with the monitor's reason; never shown publicly


class PromiseTip(TimestampMixin, db.Model):
    """A link, a description of a photo, where and when: what a citizen saw of a promise."""

    __tablename__ = "promise_tips"

    id: Mapped[int] = mapped_column(primary_key=True)
    promise_id: Mapped[int] = mapped_column(
        sa.ForeignKey("promises.id", ondelete="CASCADE"), index=True
    )
    submitted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    link: Mapped[str | None] = mapped_column(sa.String(1000))
    description: Mapped[str | None] = mapped_column(sa.Text)  # what the photo or the tip shows
    place: Mapped[str | None] = mapped_column(sa.String(200))
    observed_on: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[TipStatus] = mapped_column(
        enum_column(TipStatus, name="promise_tip_status"), default=TipStatus.NEW, index=True
    )
    dismiss_reason: Mapped[str | None] = mapped_column(sa.Text)
    triaged_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    triaged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    promise: Mapped[Promise] = relationship()
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    triaged_by: Mapped[User | None] = relationship(foreign_keys=[triaged_by_id])

    __table_args__ = (
        sa.CheckConstraint(
            "link IS NOT NULL OR description IS NOT NULL", name="link_or_description"
        ),
        sa.CheckConstraint(
            "status <> 'dismissed' OR dismiss_reason IS NOT NULL", name="dismissed_with_reason"
        ),
    )
