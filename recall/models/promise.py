"""Promises of deputies, their rating history, revisions, disputes and the corrections log.

Nothing here is overwritten without trace: a wording edit leaves a ``PromiseRevision``, every
rating is a ``PromiseStatusChange`` row (the promise's ``status`` only caches the latest one),
a dispute stays beside the rating until a monitor of another organization resolves it, and
every change that replaced earlier published content writes a ``Correction`` for the
site-wide corrections log.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recall.extensions import db
from recall.i18n import N_
from recall.models.base import TimestampMixin, UTCDateTime, enum_column
from recall.models.deputy import Deputy
from recall.models.user import Organization, User
from recall.rules.scorecard import PROMISE_STATUSES


class PromiseStatus(StrEnum):
    """Meter statuses: they rate outcomes, not intentions (DOMAIN.md section 5)."""

    NOT_YET_RATED = "not_yet_rated"
    IN_THE_WORKS = "in_the_works"
    STALLED = "stalled"
    COMPROMISE = "compromise"
    KEPT = "kept"
    BROKEN = "broken"


# The pure scorecard rules own the list; the enum must never drift from it.
assert tuple(s.value for s in PromiseStatus) == PROMISE_STATUSES


class PromiseLevel(StrEnum):
    """Which level of government the promise concerns."""

    NATIONAL = "national"
    REGIONAL = "regional"
    LOCAL = "local"


class BrokenReason(StrEnum):
    """Why a broken promise was broken."""

    NO_PRIORITY = "no_priority"
    CHANGED_POSITION = "changed_position"
    NO_MAJORITY = "no_majority"
    OUTSIDE_POWERS = "outside_powers"  # outside the deputy's powers
    OTHER = "other"


class DisputeState(StrEnum):
    OPEN = "open"
    UPHELD = "upheld"  # the disputed rating stands
    CORRECTED = "corrected"  # the rating was replaced by a corrected one


class CorrectionKind(StrEnum):
    WORDING = "wording"  # title or statement edited (see the revision)
    RATING = "rating"  # a rating replaced an earlier, wrong one
    MERGE = "merge"  # a duplicate merged into another promise


# Seed for the managed topic list: (slug, English name). The lead's migration seeds the same rows.
# Names are stored in English and translated where shown (``_(topic.name)``); N_ only marks them
# for the catalogs.
DEFAULT_TOPICS: tuple[tuple[str, str], ...] = (
    ("budget", N_("Budget")),
    ("housing", N_("Housing")),
    ("roads", N_("Roads")),
    ("health", N_("Health")),
    ("education", N_("Education")),
    ("ecology", N_("Ecology")),
    ("corruption", N_("Corruption")),
    ("other", N_("Other")),
)


class Topic(TimestampMixin, db.Model):
    """A managed topic (budget, housing, ...). Slugs are stable; names are shown translated."""

    __tablename__ = "promise_topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    position: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<Topic {self.slug}>"


class Promise(TimestampMixin, db.Model):
    """What a deputy promised, where it was said, and its current rating (cached from history)."""

    __tablename__ = "promises"

    id: Mapped[int] = mapped_column(primary_key=True)
    deputy_id: Mapped[int] = mapped_column(
        sa.ForeignKey("deputies.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    statement: Mapped[str] = mapped_column(sa.Text)  # the promise as stated
    made_on: Mapped[date] = mapped_column(sa.Date, index=True)
    source_url: Mapped[str] = mapped_column(sa.String(1000))
    quotation: Mapped[str | None] = mapped_column(sa.Text)
    topic_id: Mapped[int] = mapped_column(sa.ForeignKey("promise_topics.id"), index=True)
    level: Mapped[PromiseLevel] = mapped_column(enum_column(PromiseLevel, name="promise_level"))
    status: Mapped[PromiseStatus] = mapped_column(
        enum_column(PromiseStatus, name="promise_status"),
        default=PromiseStatus.NOT_YET_RATED,
        index=True,
    )
    broken_reason: Mapped[BrokenReason | None] = mapped_column(
        enum_column(BrokenReason, name="promise_broken_reason")
    )
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    # Set when a monitor confirmed this is not a duplicate of a similar promise.
    distinct_confirmed: Mapped[bool] = mapped_column(default=False)
    # Set when this promise was merged into another one; merged promises leave the lists.
    merged_into_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("promises.id", ondelete="SET NULL")
    )
    is_demo: Mapped[bool] = mapped_column(default=False)

    deputy: Mapped[Deputy] = relationship()
    topic: Mapped[Topic] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    organization: Mapped[Organization | None] = relationship()
    history: Mapped[list[PromiseStatusChange]] = relationship(
        back_populates="promise",
        order_by="PromiseStatusChange.id",
        cascade="all, delete-orphan",
    )
    sources: Mapped[list[PromiseSource]] = relationship(
        back_populates="promise", order_by="PromiseSource.id", cascade="all, delete-orphan"
    )
    revisions: Mapped[list[PromiseRevision]] = relationship(
        back_populates="promise", order_by="PromiseRevision.id", cascade="all, delete-orphan"
    )
    disputes: Mapped[list[Dispute]] = relationship(
        back_populates="promise", order_by="Dispute.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.CheckConstraint(
            "(status = 'broken') = (broken_reason IS NOT NULL)", name="broken_reason_iff_broken"
        ),
        sa.CheckConstraint(
            "merged_into_id IS NULL OR merged_into_id <> id", name="not_merged_into_self"
        ),
    )

    def __repr__(self) -> str:
        return f"<Promise {self.id} {self.title!r}>"


class PromiseSource(TimestampMixin, db.Model):
    """A further source for a promise (the first one is ``Promise.source_url``): added by a
    monitor, moved over by a merge, or a citizen's tip a monitor took as evidence (``tip_id``)."""

    __tablename__ = "promise_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    promise_id: Mapped[int] = mapped_column(
        sa.ForeignKey("promises.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(sa.String(1000))
    quotation: Mapped[str | None] = mapped_column(sa.Text)
    note: Mapped[str | None] = mapped_column(sa.String(500))
    added_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # The tip this source came from (issue 14): at most one source per tip; shown as a citizen's.
    tip_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("promise_tips.id", ondelete="SET NULL"), unique=True
    )

    promise: Mapped[Promise] = relationship(back_populates="sources")
    added_by: Mapped[User | None] = relationship()


class PromiseStatusChange(TimestampMixin, db.Model):
    """One entry of a promise's history: a rating with its date, explanation and evidence."""

    __tablename__ = "promise_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    promise_id: Mapped[int] = mapped_column(
        sa.ForeignKey("promises.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[PromiseStatus] = mapped_column(
        enum_column(PromiseStatus, name="promise_change_status")
    )
    previous_status: Mapped[PromiseStatus] = mapped_column(
        enum_column(PromiseStatus, name="promise_change_previous_status")
    )
    broken_reason: Mapped[BrokenReason | None] = mapped_column(
        enum_column(BrokenReason, name="promise_change_broken_reason")
    )
    changed_on: Mapped[date] = mapped_column(sa.Date)  # when the outcome happened / was assessed
    explanation: Mapped[str] = mapped_column(sa.Text)
    evidence: Mapped[list[str]] = mapped_column(sa.JSON, default=list)  # at least one URL
    monitor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    # When this rating replaced an earlier one that was wrong (a correction, not progress).
    corrects_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("promise_status_changes.id", ondelete="SET NULL")
    )

    promise: Mapped[Promise] = relationship(back_populates="history")
    monitor: Mapped[User | None] = relationship()
    organization: Mapped[Organization | None] = relationship()
    corrects: Mapped[PromiseStatusChange | None] = relationship(remote_side=[id])

    __table_args__ = (
        sa.CheckConstraint(
            "(status = 'broken') = (broken_reason IS NOT NULL)",
            name="change_broken_reason_iff_broken",
        ),
    )


class PromiseRevision(TimestampMixin, db.Model):
    """A wording edit: the old and new title and statement, who made it and why."""

    __tablename__ = "promise_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    promise_id: Mapped[int] = mapped_column(
        sa.ForeignKey("promises.id", ondelete="CASCADE"), index=True
    )
    old_title: Mapped[str] = mapped_column(sa.String(200))
    new_title: Mapped[str] = mapped_column(sa.String(200))
    old_statement: Mapped[str] = mapped_column(sa.Text)
    new_statement: Mapped[str] = mapped_column(sa.Text)
    reason: Mapped[str] = mapped_column(sa.Text)
    editor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="SET NULL")
    )

    promise: Mapped[Promise] = relationship(back_populates="revisions")
    editor: Mapped[User | None] = relationship()
    organization: Mapped[Organization | None] = relationship()


class Dispute(TimestampMixin, db.Model):
    """A monitor's challenge of a rating, with evidence; open until another organization resolves it."""

    __tablename__ = "promise_disputes"

    id: Mapped[int] = mapped_column(primary_key=True)
    promise_id: Mapped[int] = mapped_column(
        sa.ForeignKey("promises.id", ondelete="CASCADE"), index=True
    )
    # The rating disputed (the history entry current when the dispute was raised).
    status_change_id: Mapped[int] = mapped_column(
        sa.ForeignKey("promise_status_changes.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(sa.Text)
    evidence: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    raised_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    raised_by_organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="SET NULL")
    )
    state: Mapped[DisputeState] = mapped_column(
        enum_column(DisputeState, name="promise_dispute_state"),
        default=DisputeState.OPEN,
        index=True,
    )
    resolution: Mapped[str | None] = mapped_column(sa.Text)
    resolved_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    resolved_by_organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="SET NULL")
    )
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The corrected rating, when the resolution replaced the disputed one.
    correction_change_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("promise_status_changes.id", ondelete="SET NULL")
    )

    promise: Mapped[Promise] = relationship(back_populates="disputes")
    status_change: Mapped[PromiseStatusChange] = relationship(foreign_keys=[status_change_id])
    correction_change: Mapped[PromiseStatusChange | None] = relationship(
        foreign_keys=[correction_change_id]
    )
    raised_by: Mapped[User | None] = relationship(foreign_keys=[raised_by_id])
    raised_by_organization: Mapped[Organization | None] = relationship(
        foreign_keys=[raised_by_organization_id]
    )
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])
    resolved_by_organization: Mapped[Organization | None] = relationship(
        foreign_keys=[resolved_by_organization_id]
    )

    __table_args__ = (
        sa.CheckConstraint(
            "(state = 'open') = (resolved_at IS NULL)", name="resolved_iff_not_open"
        ),
    )


class Correction(TimestampMixin, db.Model):
    """One line of the site-wide corrections log, pointing at what replaced earlier content."""

    __tablename__ = "promise_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    promise_id: Mapped[int] = mapped_column(
        sa.ForeignKey("promises.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[CorrectionKind] = mapped_column(
        enum_column(CorrectionKind, name="promise_correction_kind")
    )
    summary: Mapped[str] = mapped_column(sa.Text)
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    revision_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("promise_revisions.id", ondelete="SET NULL")
    )
    status_change_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("promise_status_changes.id", ondelete="SET NULL")
    )
    made_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="SET NULL")
    )

    promise: Mapped[Promise] = relationship(foreign_keys=[promise_id])
    revision: Mapped[PromiseRevision | None] = relationship()
    status_change: Mapped[PromiseStatusChange | None] = relationship()
    made_by: Mapped[User | None] = relationship()
    organization: Mapped[Organization | None] = relationship()
