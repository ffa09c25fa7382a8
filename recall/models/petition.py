"""Recall rules as stored versions, recall petitions and their initiative groups.

The pure rule lives in ``recall.rules.recall_rules.RecallRule``; a ``RecallRuleVersion`` row
stores one immutable version of it as JSON. A body points at the version in force; a petition
keeps the version it was opened under, so editing a rule never changes a running petition.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recall.extensions import db
from recall.models.base import TimestampMixin, UTCDateTime, enum_column
from recall.models.body import Body, District
from recall.models.deputy import Deputy
from recall.models.promise import Promise
from recall.models.user import User


class RecallRuleVersion(TimestampMixin, db.Model):
    """One immutable version of a recall rule (``data`` is ``RecallRule.to_dict()``)."""

    __tablename__ = "recall_rule_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(80), index=True)  # preset key, or the copy's own key
    version: Mapped[int] = mapped_column(default=1)
    name: Mapped[str] = mapped_column(sa.String(200))
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    is_preset: Mapped[bool] = mapped_column(default=False)
    based_on_id: Mapped[int | None] = mapped_column(sa.ForeignKey("recall_rule_versions.id"))
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    __table_args__ = (
        sa.UniqueConstraint("key", "version", name="uq_recall_rule_versions_key_version"),
    )

    def to_rule(self):
        from recall.rules.recall_rules import RecallRule

        return RecallRule.from_dict(self.data)


class BodyRecallRule(TimestampMixin, db.Model):
    """Which rule version is in force for a body (one row per body)."""

    __tablename__ = "body_recall_rules"

    body_id: Mapped[int] = mapped_column(
        sa.ForeignKey("bodies.id", ondelete="CASCADE"), primary_key=True
    )
    rule_version_id: Mapped[int] = mapped_column(sa.ForeignKey("recall_rule_versions.id"))
    assigned_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    body: Mapped[Body] = relationship()
    rule_version: Mapped[RecallRuleVersion] = relationship()


class PetitionState(StrEnum):
    """Lifecycle of a recall petition. Transitions live in the petitions service."""

    GATHERING_GROUP = "gathering_group"  # initiator invites the initiative group
    SUBMITTED = "submitted"  # sent to the commission of the body
    REJECTED = "rejected"  # commission refused to register it
    COLLECTING = "collecting"  # registered: signing is open
    CLOSED = "closed"  # signing period over
    UNDER_VERIFICATION = "under_verification"
    QUALIFIED = "qualified"  # certified: enough valid signatures; the recall vote follows
    FAILED = "failed"  # certified: not enough valid signatures
    RECALLED = "recalled"  # recall vote: deputy recalled
    NOT_RECALLED = "not_recalled"  # recall vote: deputy stays (or vote invalid)


FINAL_STATES = frozenset(
    {
        PetitionState.REJECTED,
        PetitionState.FAILED,
        PetitionState.RECALLED,
        PetitionState.NOT_RECALLED,
    }
)


_ACTIVE_SQL = "state NOT IN ({})".format(", ".join(f"'{s.value}'" for s in sorted(FINAL_STATES)))


class Petition(TimestampMixin, db.Model):
    """A recall petition against one deputy, signed by voters of the deputy's district."""

    __tablename__ = "petitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    deputy_id: Mapped[int] = mapped_column(sa.ForeignKey("deputies.id"), index=True)
    district_id: Mapped[int] = mapped_column(sa.ForeignKey("districts.id"), index=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id"), index=True)
    rule_version_id: Mapped[int] = mapped_column(sa.ForeignKey("recall_rule_versions.id"))
    state: Mapped[PetitionState] = mapped_column(
        enum_column(PetitionState, name="petition_state"),
        default=PetitionState.GATHERING_GROUP,
        index=True,
    )
    grounds: Mapped[str] = mapped_column(sa.Text)
    initiator_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    registered_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    rejection_reason: Mapped[str | None] = mapped_column(sa.Text)
    # Frozen at registration from the rule and the district's registered voters.
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    registered_voters: Mapped[int | None] = mapped_column()
    required_signatures: Mapped[int | None] = mapped_column()
    # What ``registered_voters`` is (the rule's electorate basis: registration, last_day,
    # election) and the date it is counted on. ``required_provisional``: the basis is the last
    # day of signing, so the figure is recomputed when the petition closes.
    electorate_basis: Mapped[str | None] = mapped_column(sa.String(20))
    electorate_as_of: Mapped[date | None] = mapped_column(sa.Date)
    required_provisional: Mapped[bool] = mapped_column(default=False)
    # Running count of confirmed signatures, maintained by the signing service (never COUNT(*) on reads).
    confirmed_count: Mapped[int] = mapped_column(default=0)
    threshold_met_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    milestones_announced: Mapped[int] = mapped_column(
        default=0
    )  # highest percent milestone announced
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The deputy's answer to the grounds, where the rule provides one (California EC 11023),
    # recorded by a commissioner of the body; shown beside the grounds.
    deputy_answer: Mapped[str | None] = mapped_column(sa.Text)
    deputy_answer_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deputy_answer_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    final_state_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Days the commission's extensions added to the signing period (``PetitionExtension``).
    extension_days: Mapped[int] = mapped_column(default=0, server_default="0")

    deputy: Mapped[Deputy] = relationship()
    district: Mapped[District] = relationship()
    body: Mapped[Body] = relationship()
    rule_version: Mapped[RecallRuleVersion] = relationship()
    initiator: Mapped[User] = relationship(foreign_keys=[initiator_id])
    members: Mapped[list[InitiativeMember]] = relationship(
        back_populates="petition", cascade="all, delete-orphan", order_by="InitiativeMember.id"
    )

    __table_args__ = (
        sa.CheckConstraint("confirmed_count >= 0", name="count_not_negative"),
        sa.CheckConstraint(
            "closes_at IS NULL OR opens_at IS NULL OR closes_at > opens_at", name="period_order"
        ),
        # At most one active (not final) petition per deputy, race-safe.
        sa.Index(
            "uq_petitions_one_active_per_deputy",
            "deputy_id",
            unique=True,
            postgresql_where=sa.text(_ACTIVE_SQL),
            sqlite_where=sa.text(_ACTIVE_SQL),
        ),
    )

    def __repr__(self) -> str:
        return f"<Petition {self.id} {self.state}>"


class InitiativeMember(TimestampMixin, db.Model):
    """A member of a petition's initiative group: invited by the initiator, then confirmed by themself."""

    __tablename__ = "initiative_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(
        sa.ForeignKey("petitions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The member's IIN as the signers' keyed hash, and the birth date it encodes (issue 10): the
    # group is made of voters of the district, checked by ``services.petitions.initiative``.
    iin_hash: Mapped[str | None] = mapped_column(sa.String(64))
    birth_date: Mapped[date | None] = mapped_column(sa.Date)

    petition: Mapped[Petition] = relationship(back_populates="members")
    user: Mapped[User] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("petition_id", "user_id", name="uq_initiative_members_petition_user"),
        # One IIN per group (a person cannot be counted twice under two accounts).
        sa.Index(
            "uq_initiative_members_petition_iin",
            "petition_id",
            "iin_hash",
            unique=True,
            postgresql_where=sa.text("iin_hash IS NOT NULL"),
            sqlite_where=sa.text("iin_hash IS NOT NULL"),
        ),
    )


class PetitionExtension(TimestampMixin, db.Model):
    """A commission's decision extending a collecting petition's signing period (issue 10),
    naming its cause (an outage, or another); bounded in all by the rule's ``max_extension_days``
    and audited (``petition.extended``)."""

    __tablename__ = "petition_extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(
        sa.ForeignKey("petitions.id", ondelete="CASCADE"), index=True
    )
    days: Mapped[int] = mapped_column()
    cause: Mapped[str] = mapped_column(sa.String(20))  # outage | other
    description: Mapped[str] = mapped_column(sa.Text)
    previous_closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    __table_args__ = (sa.CheckConstraint("days > 0", name="extension_days_positive"),)


class PetitionPromise(db.Model):
    """A tracked promise a petition cites in its grounds (always a promise of the petition's deputy)."""

    __tablename__ = "petition_promises"

    petition_id: Mapped[int] = mapped_column(
        sa.ForeignKey("petitions.id", ondelete="CASCADE"), primary_key=True
    )
    promise_id: Mapped[int] = mapped_column(
        sa.ForeignKey("promises.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    petition: Mapped[Petition] = relationship()
    promise: Mapped[Promise] = relationship()
