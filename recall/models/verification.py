"""The commission's side of a petition: the voter roll, reason codes, review, sampling, certification.

The voter roll is loaded per body: each upload is a ``VoterRollImport`` with its entries and an
as-of date. Imports never destroy earlier rolls: an accepted import writes one
``VoterRollDistrict`` row per district it covers (a full replace: every district of the body, a
partial roll: the districts in the file), and the roll *in force* for a district on a day is the
covering import with the latest as-of date not after that day (before the first one: the first).
Signatures are judged against the roll in force on their signing day, and a district's electorate
on a date is the count of the roll in force then. ``is_active`` marks the body's latest accepted
import (one per body, a partial unique index); activation happens in one transaction, so a new
roll is seen whole or not at all. IINs are kept as the same keyed hash signatures use (``recall.services.iin_hash``) plus the
last four digits for display.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recall.extensions import db
from recall.models.base import TimestampMixin, UTCDateTime, enum_column
from recall.models.body import Body
from recall.models.petition import Petition
from recall.rules.iin import hash_reference

if TYPE_CHECKING:
    from recall.models.user import User


class ImportStatus(StrEnum):
    LOADING = "loading"  # rows are being streamed into the entries table (import inactive)
    ACTIVE = "active"  # the roll readers use
    REPLACED = "replaced"  # superseded by a newer import of the body (entries kept for history)
    FAILED = "failed"  # refused: malformed rows, nothing of it is visible
    # Loaded from an upload and waiting for a commissioner to confirm its preview (inactive).
    PREVIEW = "preview"
    DISCARDED = "discarded"  # a preview the commissioner declined: its entries are deleted


class VoterRollImport(TimestampMixin, db.Model):
    """One upload of a body's voter roll, with its progress and outcome."""

    __tablename__ = "voter_roll_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id", ondelete="CASCADE"), index=True)
    as_of: Mapped[date] = mapped_column(sa.Date)
    filename: Mapped[str] = mapped_column(sa.String(255), default="")
    status: Mapped[ImportStatus] = mapped_column(
        enum_column(ImportStatus, name="voter_roll_import_status"), default=ImportStatus.LOADING
    )
    is_active: Mapped[bool] = mapped_column(default=False)
    skip_invalid: Mapped[bool] = mapped_column(default=False)
    # Uploads on the page stop at PREVIEW after the load and go live only on confirmation.
    confirm_first: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # "replace": the file is the whole roll (districts it lacks get 0 voters); "partial": the file
    # covers some districts and the others keep their rolls; "" (not chosen): refused, with the
    # per-district preview, when the file does not cover every district of the body.
    mode: Mapped[str] = mapped_column(sa.String(10), default="")
    # Persons under 18 on the as-of date: reported by line, not loaded, not counted.
    rows_minor: Mapped[int] = mapped_column(default=0)
    # Lines the file lists as removed from the roll (``removal_reason``), of them deceased: kept
    # (hashed) so the checks can name the reason, never counted as voters (issue 18).
    rows_removed: Mapped[int] = mapped_column(default=0, server_default="0")
    rows_deceased: Mapped[int] = mapped_column(default=0, server_default="0")
    # What the import changes per district: [{"district", "rows", "before", "after"}].
    preview: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    bytes_total: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    bytes_read: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    rows_read: Mapped[int] = mapped_column(default=0)
    rows_loaded: Mapped[int] = mapped_column(default=0)
    rows_skipped: Mapped[int] = mapped_column(default=0)
    # The first malformed rows (line, field, reason), for the page; the full list is in the report file.
    errors: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    report_path: Mapped[str | None] = mapped_column(sa.String(500))
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    body: Mapped[Body] = relationship()

    __table_args__ = (
        sa.Index(
            "uq_voter_roll_imports_one_active",
            "body_id",
            unique=True,
            postgresql_where=sa.text("is_active"),
            sqlite_where=sa.text("is_active = 1"),
        ),
        sa.CheckConstraint("NOT is_active OR status = 'active'", name="active_status"),
    )

    @property
    def percent(self) -> int:
        """Progress by bytes read, 0-100."""
        if self.status != ImportStatus.LOADING:
            return 100
        if not self.bytes_total:
            return 0
        return min(100, self.bytes_read * 100 // self.bytes_total)

    def __repr__(self) -> str:
        return f"<VoterRollImport {self.id} body={self.body_id} {self.as_of} {self.status}>"


class VoterRollEntry(db.Model):
    """One voter on a roll. ``line_number`` is the CSV line, for error reports."""

    __tablename__ = "voter_roll_entries"

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True
    )
    # The import (voter_roll_imports.id) the entry belongs to. No foreign key: its check ran
    # once per row of every load (a third of the database's work for a national roll); entries
    # are written only by the importer under the import row it created, and imports are never
    # deleted (migration 0025).
    import_id: Mapped[int] = mapped_column()
    line_number: Mapped[int] = mapped_column()
    iin_hash: Mapped[str] = mapped_column(sa.String(64))
    full_name: Mapped[str] = mapped_column(sa.String(200))
    # The district's ``District.roll_key``: its number, or minus its id when it has none.
    district_number: Mapped[int] = mapped_column()
    address: Mapped[str] = mapped_column(sa.String(500))
    birth_date: Mapped[date] = mapped_column(sa.Date)
    # None: a voter. Otherwise why the line was removed from the roll (``deceased``, ``moved``,
    # ``incapacitated``, ``other``): not a voter, kept so the checks can say why (issue 18).
    removal_reason: Mapped[str | None] = mapped_column(sa.String(20))

    # PostgreSQL: one partition per import (``voter_roll_entries_<import id>``, migration 0048).
    # The importer loads an import into a table of its own with no index, builds its indexes in
    # one sorted pass and attaches it (``roll_partitions``): a million random-order inserts into
    # the shared (import, hash) B-tree cost more than all the rest of the database's work, and
    # grew with every roll kept as history. Whole-import reads (counts, minors) scan one
    # partition. Rows written straight to the parent (the demo roll, benchmarks' generators)
    # land in ``voter_roll_entries_default``. The primary key there is (import_id, id), as a
    # partitioned table's must include the partition key; elsewhere (SQLite) it is ``id``.
    __table_args__ = (
        sa.Index("ix_voter_roll_entries_import_hash", "import_id", "iin_hash"),
        {"postgresql_partition_by": "LIST (import_id)"},
    )
    # The ORM knows an entry by both: a reload of one reads one partition, not every one.
    __mapper_args__ = {"primary_key": [import_id, id]}

    @property
    def iin_ref(self) -> str:
        """What people compare rows by: a prefix of the keyed hash, never digits of the IIN."""
        return hash_reference(self.iin_hash)


ROLL_ENTRIES_DEFAULT = "voter_roll_entries_default"

sa.event.listen(
    VoterRollEntry.__table__,
    "after_create",
    sa.DDL(
        f"CREATE TABLE {ROLL_ENTRIES_DEFAULT} PARTITION OF voter_roll_entries DEFAULT"
    ).execute_if(dialect="postgresql"),
)


@compiles(sa.PrimaryKeyConstraint, "postgresql")
def _primary_key(constraint: sa.PrimaryKeyConstraint, compiler, **kw) -> str:
    """voter_roll_entries is partitioned by import on PostgreSQL: its key includes the import."""
    text = compiler.visit_primary_key_constraint(constraint, **kw)
    if constraint.table is not None and constraint.table.name == VoterRollEntry.__tablename__:
        return text.replace("PRIMARY KEY (id)", "PRIMARY KEY (import_id, id)")
    return text


class VoterRollDistrict(db.Model):
    """One district covered by an accepted import: its voter count on the import's as-of date.

    ``voters`` None: the roll is a sample that states no count (the demo roll); the district's
    official figure then stands. A later import of the same district and date supersedes this row
    (the row is deleted, the entries stay as history).
    """

    __tablename__ = "voter_roll_districts"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(
        sa.ForeignKey("voter_roll_imports.id", ondelete="CASCADE"), index=True
    )
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id", ondelete="CASCADE"))
    # The district's ``District.roll_key`` (its number, or minus its id when it has none).
    district_number: Mapped[int] = mapped_column()
    as_of: Mapped[date] = mapped_column(sa.Date)
    voters: Mapped[int | None] = mapped_column()

    __table_args__ = (
        sa.UniqueConstraint(
            "body_id", "district_number", "as_of", name="uq_voter_roll_districts_day"
        ),
    )


class ReasonCode(db.Model):
    """A managed reason a signature is invalid or needs review (DOMAIN.md section 4)."""

    __tablename__ = "reason_codes"

    code: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    label: Mapped[str] = mapped_column(sa.String(200))
    # "invalid" codes reject a signature; "review" codes send it to a commissioner.
    outcome: Mapped[str] = mapped_column(sa.String(10), default="invalid")
    automatic: Mapped[bool] = mapped_column(default=False)  # produced by run_checks
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (sa.CheckConstraint("outcome IN ('invalid', 'review')", name="outcome_kind"),)


class ReviewClaim(db.Model):
    """Who is deciding a review item right now; a claim lapses at ``expires_at``."""

    __tablename__ = "review_claims"

    signature_id: Mapped[int] = mapped_column(
        sa.ForeignKey("signatures.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MisuseReport(TimestampMixin, db.Model):
    """A voter's report that their IIN was used on a petition without their consent."""

    __tablename__ = "misuse_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(
        sa.ForeignKey("petitions.id", ondelete="CASCADE"), index=True
    )
    iin_hash: Mapped[str] = mapped_column(sa.String(64))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    message: Mapped[str] = mapped_column(sa.Text, default="")
    # The signature found under the reporter's IIN; never revealed to the reporter.
    signature_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("signatures.id", ondelete="SET NULL"), index=True
    )
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    resolution: Mapped[str | None] = mapped_column(sa.Text)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    petition: Mapped[Petition] = relationship()

    @property
    def iin_ref(self) -> str:
        """What people compare rows by: a prefix of the keyed hash, never digits of the IIN."""
        return hash_reference(self.iin_hash)


class SampleDraw(TimestampMixin, db.Model):
    """A random sample drawn for a petition (California method), with its published seed and result.

    Anyone can redraw it: ``recall.rules.sampling.draw_sample(sorted ids of the raw signatures, n,
    seed)``. ``valid``/``duplicates``/``projected``/``outcome`` are NULL until every sampled
    signature has a verdict.
    """

    __tablename__ = "sample_draws"

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(
        sa.ForeignKey("petitions.id", ondelete="CASCADE"), unique=True
    )
    seed: Mapped[str] = mapped_column(sa.String(64))
    raw: Mapped[int] = mapped_column()
    sample_size: Mapped[int] = mapped_column()
    sampled_ids: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    required: Mapped[int] = mapped_column()
    valid: Mapped[int | None] = mapped_column()
    duplicates: Mapped[int | None] = mapped_column()
    projected: Mapped[int | None] = mapped_column()
    formula: Mapped[str | None] = mapped_column(sa.Text)
    outcome: Mapped[str | None] = mapped_column(sa.String(20))  # qualifies / full_count / fails
    drawn_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    petition: Mapped[Petition] = relationship()


class CertificationProposal(TimestampMixin, db.Model):
    """Step one of two-person certification; a different commissioner confirms."""

    __tablename__ = "certification_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(
        sa.ForeignKey("petitions.id", ondelete="CASCADE"), index=True
    )
    outcome: Mapped[str] = mapped_column(sa.String(20))  # qualified / failed
    numbers: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    proposed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    confirmed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    petition: Mapped[Petition] = relationship()
    # Named on the petition page and the printed report (people, not account numbers).
    proposed_by: Mapped[User | None] = relationship(foreign_keys=[proposed_by_id])
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])

    __table_args__ = (
        sa.CheckConstraint("outcome IN ('qualified', 'failed')", name="outcome_kind"),
        sa.CheckConstraint(
            "confirmed_by_id IS NULL OR confirmed_by_id <> proposed_by_id", name="two_people"
        ),
    )


class RecallVoteResult(TimestampMixin, db.Model):
    """The result of the recall vote in the district, as the commission recorded it."""

    __tablename__ = "recall_vote_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(
        sa.ForeignKey("petitions.id", ondelete="CASCADE"), unique=True
    )
    registered: Mapped[int] = mapped_column()
    turnout: Mapped[int] = mapped_column()
    yes: Mapped[int] = mapped_column()
    no: Mapped[int] = mapped_column()
    recalled: Mapped[bool] = mapped_column()
    valid: Mapped[bool] = mapped_column()
    reason: Mapped[str] = mapped_column(sa.String(60))
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    petition: Mapped[Petition] = relationship()
