"""Sharded counters of confirmed signatures per petition (and per petition and day).

Why shards: one counter row per petition would be a single hot row that every confirming
transaction locks until it commits, so concurrent signers of a popular petition would queue
behind each other. A confirmation instead adds to one of ``COUNT_SHARDS`` rows chosen at random
(``INSERT ... ON CONFLICT DO UPDATE``), so up to that many confirmations proceed in parallel, and
a reader sums at most ``COUNT_SHARDS`` rows through the primary key: the same cost at 100
signatures as at a million. ``recall.services.signing.counting`` is the only writer.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from recall.extensions import db

COUNT_SHARDS = 16


class PetitionCountShard(db.Model):
    """One slice of a petition's confirmed-signature count; the count is the sum over shards."""

    __tablename__ = "petition_count_shards"

    petition_id: Mapped[int] = mapped_column(
        sa.ForeignKey("petitions.id", ondelete="CASCADE"), primary_key=True
    )
    shard: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    confirmed: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<PetitionCountShard {self.petition_id}/{self.shard} {self.confirmed}>"


class PetitionDayCount(db.Model):
    """Confirmed signatures of a petition signed on one day (local date), sharded like the total."""

    __tablename__ = "petition_day_counts"

    petition_id: Mapped[int] = mapped_column(
        sa.ForeignKey("petitions.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    shard: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    confirmed: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<PetitionDayCount {self.petition_id} {self.day}/{self.shard} {self.confirmed}>"
