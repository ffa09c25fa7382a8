"""Append to and verify the hash-chained audit log of commission actions."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from recall.extensions import db
from recall.models.audit import GENESIS_HASH, AuditChainHead, AuditEntry
from recall.models.base import utcnow

_HEAD_ID = 1


def canonical_json(fields: dict[str, Any]) -> str:
    """The one serialisation that is hashed: sorted keys, no spaces, UTF-8 kept as is."""
    return json.dumps(
        fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )


def entry_fields(entry: AuditEntry) -> dict[str, Any]:
    """The fields of an entry covered by its hash (everything but the hashes themselves)."""
    return {
        "seq": entry.seq,
        "created_at": entry.created_at.isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "action": entry.action,
        "subject_type": entry.subject_type,
        "subject_id": entry.subject_id,
        "body_id": entry.body_id,
        "payload": entry.payload,
    }


def compute_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """sha256(prev_hash + canonical JSON of fields), hex."""
    return hashlib.sha256((prev_hash + canonical_json(fields)).encode("utf-8")).hexdigest()


def _lock_head() -> AuditChainHead:
    """Create the head row if missing, then lock it (PostgreSQL: FOR UPDATE; SQLite locks the file)."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(
        insert(AuditChainHead)
        .values(id=_HEAD_ID, seq=0, hash=GENESIS_HASH)
        .on_conflict_do_nothing(index_elements=["id"])
    )
    return db.session.scalars(
        sa.select(AuditChainHead)
        .where(AuditChainHead.id == _HEAD_ID)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def append_audit(
    action: str,
    actor_id: int | None,
    subject_type: str,
    subject_id: int | None,
    body_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the chain inside the caller's transaction and flush it.

    ``payload`` must be JSON-safe (ints, strings, lists, dicts; no floats, never an IIN or a
    signer's name). The head row stays locked until the caller commits, so concurrent appends
    queue behind each other instead of forking the chain.
    """
    _refuse_personal_keys(payload or {})
    head = _lock_head()
    entry = AuditEntry(
        seq=head.seq + 1,
        created_at=utcnow(),
        actor_id=actor_id,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        body_id=body_id,
        payload=json.loads(canonical_json(payload or {})),
        prev_hash=head.hash,
    )
    entry.hash = compute_hash(entry.prev_hash, entry_fields(entry))
    head.seq = entry.seq
    head.hash = entry.hash
    db.session.add(entry)
    db.session.flush()
    return entry


def _refuse_personal_keys(value: Any, path: str = "payload") -> None:
    """Raise ValueError when a payload (at any depth) has a key that names personal data."""
    if isinstance(value, dict):
        for key, item in value.items():
            if str(key).lower() in PERSONAL_KEYS:
                raise ValueError(f"audit {path} must not hold personal data ({key!r})")
            _refuse_personal_keys(item, f"{path}.{key}")
    elif isinstance(value, list):
        for item in value:
            _refuse_personal_keys(item, path)


@dataclass(frozen=True)
class ChainCheck:
    """Result of :func:`verify_chain`: ``broken`` is None when the chain is whole."""

    entries: int
    head_hash: str
    broken: AuditEntry | None = None
    problem: str = ""


def verify_chain(batch: int = 2000) -> ChainCheck:
    """Recompute every hash in sequence order; report the first entry that does not fit.

    An entry is broken when its ``prev_hash`` is not the previous entry's hash, its ``seq`` is not
    one more than the previous, or its stored hash differs from the recomputed one (an edit).
    Finally the head row must name the last entry. Reads in batches (constant memory).
    """
    prev_hash, prev_seq, count = GENESIS_HASH, 0, 0
    for entry in _entries_in_order(batch):
        count += 1
        if entry.seq != prev_seq + 1:
            return ChainCheck(
                count, prev_hash, entry, f"sequence jumps from {prev_seq} to {entry.seq}"
            )
        if entry.prev_hash != prev_hash:
            return ChainCheck(
                count, prev_hash, entry, "previous hash does not match the entry before it"
            )
        if compute_hash(prev_hash, entry_fields(entry)) != entry.hash:
            return ChainCheck(
                count, prev_hash, entry, "contents do not match the stored hash (edited)"
            )
        prev_hash, prev_seq = entry.hash, entry.seq
    head = db.session.get(AuditChainHead, _HEAD_ID)
    if head is not None and (head.seq, head.hash) != (prev_seq, prev_hash):
        return ChainCheck(
            count, prev_hash, None, f"chain head says entry {head.seq}, the log ends at {prev_seq}"
        )
    return ChainCheck(count, prev_hash)


def _entries_in_order(batch: int):
    """Every entry by sequence number, read in keyset-paginated batches."""
    after = None
    while True:
        stmt = sa.select(AuditEntry).order_by(AuditEntry.seq).limit(batch)
        if after is not None:
            stmt = stmt.where(AuditEntry.seq > after)
        rows = list(db.session.scalars(stmt))
        if not rows:
            return
        yield from rows
        after = rows[-1].seq
        for row in rows:
            db.session.expunge(row)  # constant memory: read entries are not kept in the session


def audit_head() -> str | None:
    """The hash of the newest audit entry, or None before the first commission action."""
    head = db.session.get(AuditChainHead, _HEAD_ID)
    return head.hash if head is not None and head.seq else None


def audit_head_info() -> dict[str, Any] | None:
    """The chain head as ``{"seq", "hash", "at"}`` for pages and the API, or None."""
    entry = db.session.scalars(
        sa.select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    if entry is None:
        return None
    return {"seq": entry.seq, "hash": entry.hash, "at": entry.created_at.isoformat()}


#: The fields of an entry that its hash covers, in the published entries and in the hash.
HASHED_FIELDS = (
    "seq",
    "created_at",
    "actor_id",
    "action",
    "subject_type",
    "subject_id",
    "body_id",
    "payload",
)
# Payload keys that would carry personal data. The whole payload is hashed and published (an
# outsider must recompute the hash), so it must never hold them; ``append_audit`` refuses them.
PERSONAL_KEYS = frozenset(
    {"iin", "email", "name", "full_name", "address", "birth_date", "phone", "note", "message"}
)
MAX_ENTRIES_PAGE = 500


def public_entry(entry: AuditEntry) -> dict[str, Any]:
    """An entry as published: every hashed field exactly as hashed, plus its hashes."""
    return {**entry_fields(entry), "prev_hash": entry.prev_hash, "hash": entry.hash}


def entries_from(from_seq: int, limit: int) -> list[AuditEntry]:
    """Up to ``limit`` entries (1..MAX_ENTRIES_PAGE) with ``seq >= from_seq``, in sequence order."""
    limit = min(max(limit, 1), MAX_ENTRIES_PAGE)
    return list(
        db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.seq >= max(from_seq, 1))
            .order_by(AuditEntry.seq)
            .limit(limit)
        )
    )


def head_at(seq: int) -> dict[str, Any] | None:
    """The head the chain had right after entry ``seq`` (``{"seq", "hash", "at"}``), or None."""
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.seq == seq)).first()
    if entry is None:
        return None
    return {"seq": entry.seq, "hash": entry.hash, "at": entry.created_at.isoformat()}


def list_entries(
    body_id: int | None = None, subject: tuple[str, int] | None = None, limit: int = 200
):
    """The newest entries, optionally of one body or one subject."""
    stmt = sa.select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit)
    if body_id is not None:
        stmt = stmt.where(AuditEntry.body_id == body_id)
    if subject is not None:
        stmt = stmt.where(
            AuditEntry.subject_type == subject[0], AuditEntry.subject_id == subject[1]
        )
    return list(db.session.scalars(stmt))
