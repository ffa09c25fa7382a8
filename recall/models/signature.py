"""Signatures on recall petitions.

The IIN is never stored: ``iin_hash`` is an HMAC with ``IIN_HASH_KEY`` (the same keyed hash
the voter roll uses, so the two can be matched). No digit of the IIN beyond the birth date is
kept: the birth date and the last four digits gave the IIN back up to two or three candidates;
people compare rows by ``iin_ref``, a prefix of the keyed hash.
One voter, one signature per petition: a partial unique index on (petition, iin_hash) over the
rows that are not recorded duplicates. Paper duplicates are still recorded (the commission must
count every filed signature), with ``duplicate_of_id`` pointing at the one that counts.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recall.extensions import db
from recall.models.base import TimestampMixin, UTCDateTime, enum_column
from recall.models.petition import Petition
from recall.rules.iin import hash_reference


class SignatureStatus(StrEnum):
    PENDING = "pending"  # waiting for identity confirmation (the e-mail link)
    CONFIRMED = "confirmed"
    EXPIRED = "expired"  # not confirmed in time
    WITHDRAWN = "withdrawn"


class SignatureSource(StrEnum):
    """The channel a signature came through (the rule's ``signing_channels``). ``online`` is both
    online channels: ``identity_provider`` tells ``online_email`` from ``online_strong``. The last
    three are entered by the commission with the channel recorded."""

    ONLINE = "online"
    PAPER = "paper"
    IN_PERSON = "in_person"
    POST = "post"
    PROXY = "proxy"


class CheckStatus(StrEnum):
    """The commission's verdict (verification issue)."""

    UNCHECKED = "unchecked"
    VALID = "valid"
    INVALID = "invalid"
    REVIEW = "review"  # needs a commissioner's decision


class SourcePatternMixin:
    """What a fraud pattern needs of an online signing attempt, kept until the purge clears it
    (``recall.services.fraud.sources``): keyed hashes of the client address, its /24 or /48 and
    the canonical e-mail, the e-mail domain and the user agent's family. Paper rows keep none."""

    source_address_hash: Mapped[str | None] = mapped_column(sa.String(64))
    source_block_hash: Mapped[str | None] = mapped_column(sa.String(64))
    email_domain: Mapped[str | None] = mapped_column(sa.String(253))
    email_canonical_hash: Mapped[str | None] = mapped_column(sa.String(64))
    user_agent_family: Mapped[str | None] = mapped_column(sa.String(40))


def new_confirm_nonce() -> str:
    """A random public name for a signature (32 hex digits), for links sent to its signer."""
    return secrets.token_hex(16)


class Signature(SourcePatternMixin, TimestampMixin, db.Model):
    """One signature; ``created_at`` is the moment of signing."""

    __tablename__ = "signatures"

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(sa.ForeignKey("petitions.id", ondelete="CASCADE"))
    iin_hash: Mapped[str] = mapped_column(sa.String(64))
    birth_date: Mapped[date | None] = mapped_column(sa.Date)  # from the IIN; checks age in SQL
    full_name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    district_id: Mapped[int] = mapped_column(sa.ForeignKey("districts.id"))
    source: Mapped[SignatureSource] = mapped_column(
        enum_column(SignatureSource, name="signature_source"), default=SignatureSource.ONLINE
    )
    paper_sheet: Mapped[int | None] = mapped_column()
    paper_line: Mapped[int | None] = mapped_column()
    # The initiative group member or volunteer named on the sheet as its collector (issue 18).
    paper_collector: Mapped[str | None] = mapped_column(sa.String(200))
    entered_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    status: Mapped[SignatureStatus] = mapped_column(
        enum_column(SignatureStatus, name="signature_status"), default=SignatureStatus.PENDING
    )
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Hash of the receipt code shown to the signer once; lookups hash the code they bring.
    receipt_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # Names the signature in its confirmation link instead of ``id``: sequential ids in links sent
    # to two signers would tell how many signed between them (a sealed count stays sealed).
    confirm_nonce: Mapped[str] = mapped_column(
        sa.String(32), unique=True, default=new_confirm_nonce
    )
    email_count: Mapped[int] = mapped_column(default=1)  # unused since issue 13 (old rows)
    # What confirmed an online signature: ``email_link`` or ``online_strong`` (a digital signature
    # over a challenge, with a certificate naming the IIN); None while pending, and on paper.
    identity_provider: Mapped[str | None] = mapped_column(sa.String(20))
    # Verification (commission).
    check_status: Mapped[CheckStatus] = mapped_column(
        enum_column(CheckStatus, name="check_status"), default=CheckStatus.UNCHECKED
    )
    reason_code: Mapped[str | None] = mapped_column(sa.String(40))
    duplicate_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("signatures.id"))
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    decision_note: Mapped[str | None] = mapped_column(sa.Text)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The bulk invalidation that made it invalid (issue 18), and the shadow ban it came in under:
    # a shadow-banned signature is answered like every other and never counted.
    invalidation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("invalidations.id", ondelete="SET NULL")
    )
    shadow_ban_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("source_bans.id", ondelete="SET NULL")
    )

    petition: Mapped[Petition] = relationship()

    __table_args__ = (
        sa.Index(
            "uq_signatures_one_per_voter",
            "petition_id",
            "iin_hash",
            unique=True,
            postgresql_where=sa.text("duplicate_of_id IS NULL"),
            sqlite_where=sa.text("duplicate_of_id IS NULL"),
        ),
        # Every signature of a voter on a petition, duplicates included: the checks' duplicate
        # step (partitioned by IIN), misuse reports. The unique index above skips duplicates.
        sa.Index("ix_signatures_petition_iin", "petition_id", "iin_hash"),
        # The self-reference's foreign key check on delete (a petition's cascade, the purge) would
        # scan every signature per row deleted without it; only duplicates are indexed.
        sa.Index(
            "ix_signatures_duplicate_of",
            "duplicate_of_id",
            postgresql_where=sa.text("duplicate_of_id IS NOT NULL"),
            sqlite_where=sa.text("duplicate_of_id IS NOT NULL"),
        ),
        sa.Index("ix_signatures_petition_status", "petition_id", "status"),
        sa.Index("ix_signatures_petition_check", "petition_id", "check_status"),
        # Patterns per petition and hour, bulk-invalidation criteria by time window and block.
        sa.Index("ix_signatures_petition_created", "petition_id", "created_at"),
        sa.Index("ix_signatures_petition_block", "petition_id", "source_block_hash"),
        sa.UniqueConstraint(
            "petition_id", "paper_sheet", "paper_line", name="uq_signatures_paper_position"
        ),
        sa.CheckConstraint(
            "(source = 'paper') = (paper_sheet IS NOT NULL AND paper_line IS NOT NULL)",
            name="paper_position",
        ),
    )

    @property
    def iin_ref(self) -> str:
        """What people compare rows by: a prefix of the keyed hash, never digits of the IIN."""
        return hash_reference(self.iin_hash)

    def __repr__(self) -> str:
        return f"<Signature {self.id} petition={self.petition_id} {self.status}>"


class ReceiptDecoy(TimestampMixin, db.Model):
    """A receipt code handed out for a repeated signing attempt; it maps to no signature.

    A second attempt with an IIN that already signed must look exactly like a first one, and a
    first one gives a receipt that can be looked up (pending, then expired if never confirmed).
    So the repeated attempt gets a code that looks up the same way: pending until ``expires_at``,
    then expired. Nothing personal is kept here.
    """

    __tablename__ = "signature_receipt_decoys"

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(
        sa.ForeignKey("petitions.id", ondelete="CASCADE"), index=True
    )
    receipt_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ClaimState(StrEnum):
    PENDING = "pending"  # a link was e-mailed; the first link followed for a signature wins
    WON = "won"  # its link was followed first: its name, address and receipt are the signature's
    VOID = "void"  # another link was followed first, or its life was replaced (expired, revived)
    CONTEST = "contest"  # the IIN was already confirmed: a "contested IIN" item for the commission


class SignatureClaim(SourcePatternMixin, TimestampMixin, db.Model):
    """Another attempt to sign with an IIN that already has a signature on the petition.

    Whoever signs first with an IIN must not own it: a later attempt on a still-pending signature
    gets its own confirmation link (a ``pending`` claim), and the first link followed wins, its
    name, address and receipt becoming the signature's; every other claim, and the displaced
    first attempt (kept here as a ``void`` claim), is void. A later attempt on a confirmed
    signature is a ``contest``: it answers like a success and the commission reviews it.

    Every claim keeps its receipt: looked up it answers ``pending`` until ``expires_at`` and
    ``expired`` after, whatever happened to the signature, so a receipt answers the same before
    and after someone else signs. Name and address are signer data: only the commission sees them.
    """

    __tablename__ = "signature_claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    signature_id: Mapped[int] = mapped_column(
        sa.ForeignKey("signatures.id", ondelete="CASCADE"), index=True
    )
    petition_id: Mapped[int] = mapped_column(sa.ForeignKey("petitions.id", ondelete="CASCADE"))
    state: Mapped[ClaimState] = mapped_column(
        enum_column(ClaimState, name="claim_state"), default=ClaimState.PENDING
    )
    full_name: Mapped[str | None] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    receipt_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    confirm_nonce: Mapped[str] = mapped_column(
        sa.String(32), unique=True, default=new_confirm_nonce
    )
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # When the state last changed (won, void, contest) and, for a contest, when a commissioner
    # decided the signature it contests.
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    signature: Mapped[Signature] = relationship()

    def __repr__(self) -> str:
        return f"<SignatureClaim {self.id} signature={self.signature_id} {self.state}>"
