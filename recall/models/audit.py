"""The commission's audit log: an append-only list of entries chained by hash.

``hash = sha256(prev_hash + canonical JSON of the entry's fields)``. Editing, deleting or
reordering any entry breaks every hash after it; ``flask audit verify`` finds the first break.
A second chain, ``keyed_hash = HMAC-SHA256(AUDIT_KEY, prev keyed_hash + hash)``, cannot be
recomputed without the key, so a rewrite that rehashes the plain chain still shows.
Appends are serialised through the single ``AuditChainHead`` row (locked FOR UPDATE on
PostgreSQL), so two concurrent appends cannot both build on the same previous hash.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from recall.extensions import db
from recall.models.base import UTCDateTime

GENESIS_HASH = "0" * 64


class AuditEntry(db.Model):
    """One commission action."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[int | None] = mapped_column()  # not a foreign key: the log outlives accounts
    action: Mapped[str] = mapped_column(sa.String(60), index=True)
    subject_type: Mapped[str] = mapped_column(sa.String(40))
    subject_id: Mapped[int | None] = mapped_column()
    body_id: Mapped[int | None] = mapped_column(index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))
    # HMAC-SHA256(AUDIT_KEY, previous keyed_hash + hash); None only on entries older than the key.
    keyed_hash: Mapped[str | None] = mapped_column(sa.String(64))

    __table_args__ = (sa.Index("ix_audit_entries_subject", "subject_type", "subject_id"),)


class AuditChainHead(db.Model):
    """The single row (id 1) holding the last entry's sequence number and hash; the append lock."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)
    hash: Mapped[str] = mapped_column(sa.String(64), default=GENESIS_HASH)
    keyed_hash: Mapped[str | None] = mapped_column(sa.String(64))
