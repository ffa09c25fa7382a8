"""Constituent petitions ("appeals"): constituents ask a deputy or a whole body for something,
and the addressee must answer once enough constituents have signed.

An appeal is addressed to one deputy (single-mandate or party-list) or to a body (then
``deputy_id`` is NULL). ``body_id`` is always set: the deputy's body or the body addressed.
``district_id`` is the addressee's district: the single-mandate deputy's; NULL for a party-list
deputy or a body, whose constituents are every signer of the body's districts.
The numbers that decide it (threshold, period, days to respond) are frozen at publication from
the body's ``BodyAppealSettings``, so a later change of settings never changes a running appeal.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recall.extensions import db
from recall.models.base import TimestampMixin, UTCDateTime, enum_column
from recall.models.body import Body, District
from recall.models.deputy import Deputy
from recall.models.promise import Promise
from recall.models.signature import ClaimState, SignatureStatus, new_confirm_nonce
from recall.models.user import User


class AppealState(StrEnum):
    """Lifecycle of an appeal. Transitions live in ``recall.services.appeals.states``."""

    DRAFT = "draft"
    IN_MODERATION = "in_moderation"
    REJECTED = "rejected"
    OPEN = "open"
    RESPONSE_DUE = "response_due"
    ANSWERED = "answered"
    OVERDUE = "overdue"
    CLOSED = "closed"


class BodyAppealSettings(TimestampMixin, db.Model):
    """What an administrator set for the appeals of one body (absent: the defaults)."""

    __tablename__ = "body_appeal_settings"

    body_id: Mapped[int] = mapped_column(
        sa.ForeignKey("bodies.id", ondelete="CASCADE"), primary_key=True
    )
    open_months: Mapped[int] = mapped_column(default=6)
    # Exactly one of the two: a number of constituent signatures, or a share of the registered
    # voters of the addressee's district (of the body's districts for a body or a list deputy).
    threshold_count: Mapped[int | None] = mapped_column()
    threshold_share: Mapped[Decimal | None] = mapped_column(sa.Numeric(7, 6))
    response_days: Mapped[int] = mapped_column(default=30)
    # The body's chair: hears about and answers the appeals addressed to the whole body.
    chair_deputy_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("deputies.id", ondelete="SET NULL")
    )
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    body: Mapped[Body] = relationship()

    __table_args__ = (
        sa.CheckConstraint("open_months BETWEEN 1 AND 36", name="open_months_range"),
        sa.CheckConstraint("response_days BETWEEN 1 AND 365", name="response_days_range"),
        sa.CheckConstraint(
            "(threshold_count IS NULL) <> (threshold_share IS NULL)", name="one_threshold"
        ),
        sa.CheckConstraint("threshold_count IS NULL OR threshold_count > 0", name="count_positive"),
        sa.CheckConstraint(
            "threshold_share IS NULL OR (threshold_share > 0 AND threshold_share <= 1)",
            name="share_in_range",
        ),
    )


class Appeal(TimestampMixin, db.Model):
    """One constituent petition."""

    __tablename__ = "appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    deputy_id: Mapped[int | None] = mapped_column(sa.ForeignKey("deputies.id"), index=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id"), index=True)
    district_id: Mapped[int | None] = mapped_column(sa.ForeignKey("districts.id"), index=True)
    state: Mapped[AppealState] = mapped_column(
        enum_column(AppealState, name="appeal_state"), default=AppealState.DRAFT, index=True
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    text: Mapped[str] = mapped_column(sa.Text)
    ask: Mapped[str] = mapped_column(sa.Text)  # what is asked, in one or two sentences
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    moderated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    rejection_reason: Mapped[str | None] = mapped_column(sa.Text)
    # A duplicate a moderator merged (closed unpublished) points at the open appeal it repeats.
    merged_into_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("appeals.id", ondelete="SET NULL")
    )
    # Frozen at publication.
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    threshold: Mapped[int | None] = mapped_column()
    response_days: Mapped[int | None] = mapped_column()
    # Confirmed signatures (constituents count toward the threshold, supporters are everyone
    # else): the sums of ``AppealCountShard`` folded in every minute (``sync_counts``), as
    # ``Petition.confirmed_count``; pages and the API read the shard sums themselves.
    constituent_count: Mapped[int] = mapped_column(default=0)
    supporter_count: Mapped[int] = mapped_column(default=0)
    threshold_reached_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    # The response: by the deputy's account, or entered by a moderator from a written answer.
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    response_text: Mapped[str | None] = mapped_column(sa.Text)
    response_source: Mapped[str | None] = mapped_column(sa.String(500))
    responded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    author: Mapped[User] = relationship(foreign_keys=[author_id])
    merged_into: Mapped[Appeal | None] = relationship(remote_side=[id])
    deputy: Mapped[Deputy | None] = relationship()
    body: Mapped[Body] = relationship()
    district: Mapped[District | None] = relationship()
    history: Mapped[list[AppealHistory]] = relationship(
        back_populates="appeal", cascade="all, delete-orphan", order_by="AppealHistory.id"
    )

    __table_args__ = (
        sa.CheckConstraint("constituent_count >= 0", name="constituents_not_negative"),
        sa.CheckConstraint("supporter_count >= 0", name="supporters_not_negative"),
        sa.CheckConstraint(
            "deputy_id IS NOT NULL OR district_id IS NULL", name="district_of_deputy"
        ),
    )

    @property
    def addressee_name(self) -> str:
        return self.deputy.full_name if self.deputy is not None else self.body.name

    def __repr__(self) -> str:
        return f"<Appeal {self.id} {self.state}>"


class AppealHistory(db.Model):
    """One transition of an appeal, shown on its page."""

    __tablename__ = "appeal_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(
        sa.ForeignKey("appeals.id", ondelete="CASCADE"), index=True
    )
    from_state: Mapped[str | None] = mapped_column(sa.String(32))
    to_state: Mapped[str] = mapped_column(sa.String(32))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    appeal: Mapped[Appeal] = relationship(back_populates="history")


class AppealPromise(db.Model):
    """A tracked promise of the addressed deputy that an appeal cites."""

    __tablename__ = "appeal_promises"

    appeal_id: Mapped[int] = mapped_column(
        sa.ForeignKey("appeals.id", ondelete="CASCADE"), primary_key=True
    )
    promise_id: Mapped[int] = mapped_column(
        sa.ForeignKey("promises.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    promise: Mapped[Promise] = relationship()


class AppealSignature(db.Model):
    """One signature on an appeal; ``created_at`` is the moment of signing.

    As on recall petitions the IIN is kept only as its keyed hash (``iin_hash``, the same
    ``IIN_HASH_KEY`` HMAC) with the birth date; one signature per voter and appeal (a unique
    constraint, inserted with ``ON CONFLICT DO NOTHING``). ``is_constituent`` is decided at
    signing from the district the signer states: the addressee's district (a body's districts for
    a body or a party-list deputy) counts toward the threshold; anyone else is a supporter.
    Name and e-mail are signer data: never shown, purged with the appeal's other personal data.
    """

    __tablename__ = "appeal_signatures"

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(sa.ForeignKey("appeals.id", ondelete="CASCADE"))
    iin_hash: Mapped[str] = mapped_column(sa.String(64))
    birth_date: Mapped[date | None] = mapped_column(sa.Date)
    full_name: Mapped[str | None] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    district_id: Mapped[int] = mapped_column(sa.ForeignKey("districts.id"), index=True)
    is_constituent: Mapped[bool] = mapped_column()
    status: Mapped[SignatureStatus] = mapped_column(
        enum_column(SignatureStatus, name="appeal_signature_status"),
        default=SignatureStatus.PENDING,
    )
    receipt_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    confirm_nonce: Mapped[str] = mapped_column(
        sa.String(32), unique=True, default=new_confirm_nonce
    )
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # How the signer's identity was confirmed, as on recall signatures: ``email_link`` (the
    # e-mailed link) or ``online_strong`` (a digital signature, confirmed at once).
    identity_provider: Mapped[str | None] = mapped_column(sa.String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        sa.UniqueConstraint("appeal_id", "iin_hash", name="uq_appeal_signatures_one_per_voter"),
    )


class AppealSignatureClaim(db.Model):
    """Another attempt to sign an appeal with an IIN that already signed it (issue 13's rule, as
    recall signing has it in ``SignatureClaim``): whoever signs first with an IIN must not own it.

    On a still-pending signature the attempt gets its own confirmation link (``pending``) and the
    first link followed wins, its name, address, district and receipt becoming the signature's;
    every other claim and the displaced first attempt (kept here as ``void``) are void. On a
    confirmed signature it is a ``contest``: it answers like a success and nobody is mailed; the
    contest stays on record (appeals have no commission to review it). Every claim keeps its receipt: it answers
    ``pending`` until ``expires_at`` and ``expired`` after, whatever happened to the signature.
    """

    __tablename__ = "appeal_signature_claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    signature_id: Mapped[int] = mapped_column(
        sa.ForeignKey("appeal_signatures.id", ondelete="CASCADE"), index=True
    )
    appeal_id: Mapped[int] = mapped_column(sa.ForeignKey("appeals.id", ondelete="CASCADE"))
    state: Mapped[ClaimState] = mapped_column(
        enum_column(ClaimState, name="appeal_claim_state"), default=ClaimState.PENDING
    )
    full_name: Mapped[str | None] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    district_id: Mapped[int] = mapped_column(sa.ForeignKey("districts.id"))
    is_constituent: Mapped[bool] = mapped_column()
    receipt_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    confirm_nonce: Mapped[str] = mapped_column(
        sa.String(32), unique=True, default=new_confirm_nonce
    )
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    signature: Mapped[AppealSignature] = relationship()


class AppealReceiptDecoy(db.Model):
    """A receipt handed out for a repeated attempt with an IIN that already signed the appeal:
    it looks up like an unconfirmed signature (pending, then expired). Nothing personal."""

    __tablename__ = "appeal_receipt_decoys"

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(
        sa.ForeignKey("appeals.id", ondelete="CASCADE"), index=True
    )
    receipt_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AppealCountShard(db.Model):
    """One slice of an appeal's confirmed counts, as recall petitions count
    (``PetitionCountShard``): a confirmation adds one to a shard chosen at random, so concurrent
    confirmations lock different rows; the counts are the sums over at most ``COUNT_SHARDS``
    rows, read by primary key whatever the number of signatures."""

    __tablename__ = "appeal_count_shards"

    appeal_id: Mapped[int] = mapped_column(
        sa.ForeignKey("appeals.id", ondelete="CASCADE"), primary_key=True
    )
    shard: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    constituents: Mapped[int] = mapped_column(default=0)
    supporters: Mapped[int] = mapped_column(default=0)


class AppealDistrictCount(db.Model):
    """Confirmed signatures of an appeal per signer's district and shard (a confirmation adds one
    to the shard of its :class:`AppealCountShard`), so a page reads a few rows per district,
    whatever the number of signatures."""

    __tablename__ = "appeal_district_counts"

    appeal_id: Mapped[int] = mapped_column(
        sa.ForeignKey("appeals.id", ondelete="CASCADE"), primary_key=True
    )
    district_id: Mapped[int] = mapped_column(sa.ForeignKey("districts.id"), primary_key=True)
    shard: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, default=0)
    confirmed: Mapped[int] = mapped_column(default=0)


class PetitionAppeal(db.Model):
    """An unanswered appeal that a recall petition cites in its grounds (the same deputy's)."""

    __tablename__ = "petition_appeals"

    petition_id: Mapped[int] = mapped_column(
        sa.ForeignKey("petitions.id", ondelete="CASCADE"), primary_key=True
    )
    appeal_id: Mapped[int] = mapped_column(
        sa.ForeignKey("appeals.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class UpdateState(StrEnum):
    PENDING = "pending"  # waiting for a moderator
    PUBLISHED = "published"
    REJECTED = "rejected"


class InitiatorUpdate(TimestampMixin, db.Model):
    """An update the initiator of an appeal or a recall petition posts to its followers (where to
    sign on paper, a meeting, the deputy's answer): moderated, at most one a week."""

    __tablename__ = "initiator_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(sa.String(16))  # "appeal" or "petition"
    subject_id: Mapped[int] = mapped_column()
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    text: Mapped[str] = mapped_column(sa.Text)
    state: Mapped[UpdateState] = mapped_column(
        enum_column(UpdateState, name="update_state"), default=UpdateState.PENDING, index=True
    )
    moderated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    rejection_reason: Mapped[str | None] = mapped_column(sa.Text)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        sa.CheckConstraint("subject_type IN ('appeal', 'petition')", name="subject_kind"),
        sa.Index("ix_initiator_updates_subject", "subject_type", "subject_id"),
    )


class UpdateDigestEntry(db.Model):
    """One published update put into one follower's digest: the record that makes a follower
    get each update exactly once (unique per update and follower, written in the transaction
    that records the digest event)."""

    __tablename__ = "update_digest_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(
        sa.ForeignKey("initiator_updates.id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("events.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        sa.UniqueConstraint("update_id", "user_id", name="uq_update_digest_entries_update_user"),
    )
