"""Fraud patterns: settings an administrator changes at run time, flagged sources per petition
and hour, bulk invalidations and shadow bans (issue 18; docs/fraud.md)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from recall.extensions import db
from recall.models.base import TimestampMixin, UTCDateTime, enum_column


class FraudSetting(TimestampMixin, db.Model):
    """One setting of ``recall.services.fraud.settings`` changed by an administrator (a row
    overrides the configured default)."""

    __tablename__ = "fraud_settings"

    key: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    value: Mapped[Any] = mapped_column(sa.JSON)
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )


class SourceFlag(TimestampMixin, db.Model):
    """A source that passed the flag share or rate on a petition in one hour (recorded once)."""

    __tablename__ = "source_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(sa.ForeignKey("petitions.id", ondelete="CASCADE"))
    hour: Mapped[datetime] = mapped_column(UTCDateTime())
    dimension: Mapped[str] = mapped_column(sa.String(20))  # block | domain | user_agent
    value: Mapped[str] = mapped_column(sa.String(253))  # keyed block hash, domain or family
    count: Mapped[int] = mapped_column()
    total: Mapped[int] = mapped_column()
    reason: Mapped[str] = mapped_column(sa.String(20))  # share | rate | disposable

    __table_args__ = (
        sa.UniqueConstraint(
            "petition_id", "hour", "dimension", "value", name="uq_source_flags_petition_hour"
        ),
    )


class InvalidationStatus(StrEnum):
    PENDING = "pending"  # created, the job not started yet
    RUNNING = "running"
    DONE = "done"
    CANCELLED = "cancelled"
    FAILED = "failed"


class Invalidation(TimestampMixin, db.Model):
    """One bulk invalidation by criteria: who, why, what, and how far the job got."""

    __tablename__ = "invalidations"

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(
        sa.ForeignKey("petitions.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    reason: Mapped[str] = mapped_column(sa.Text)
    criteria: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    status: Mapped[InvalidationStatus] = mapped_column(
        enum_column(InvalidationStatus, name="invalidation_status"),
        default=InvalidationStatus.PENDING,
    )
    matched: Mapped[int] = mapped_column(default=0)  # at the preview the run was started from
    processed: Mapped[int] = mapped_column(default=0)
    invalidated: Mapped[int] = mapped_column(default=0)
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SourceBan(TimestampMixin, db.Model):
    """A shadow-banned source on a petition: its signatures are answered like everyone's and never
    count. ``dimension`` is ``address``, ``block`` or ``domain``; ``value`` the stored form."""

    __tablename__ = "source_bans"

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(
        sa.ForeignKey("petitions.id", ondelete="CASCADE"), index=True
    )
    dimension: Mapped[str] = mapped_column(sa.String(20))
    value: Mapped[str] = mapped_column(sa.String(253))
    reason: Mapped[str] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lifted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))


class IinWatch(TimestampMixin, db.Model):
    """A voter who proved their IIN with a digital signature asked to be told whenever it
    appears on a petition, online or on paper. Keeps the keyed hash, never the IIN."""

    __tablename__ = "iin_watches"

    id: Mapped[int] = mapped_column(primary_key=True)
    iin_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
