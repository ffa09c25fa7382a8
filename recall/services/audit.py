"""Append to and verify the hash-chained audit log of commission actions.

Two chains run over the same entries. ``hash = sha256(prev_hash + canonical JSON of the fields)``
is public and recomputable by anyone (docs/verification.md). ``keyed_hash = HMAC-SHA256(AUDIT_KEY,
previous keyed_hash + hash)`` needs the key: someone who can write the database but does not hold
``AUDIT_KEY`` can delete an entry and rehash the plain chain, but not the keyed one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from recall.extensions import db
from recall.i18n import local_zone
from recall.models.audit import GENESIS_HASH, AuditChainHead, AuditEntry
from recall.models.base import utcnow
from recall.models.outbox import Event
from recall.services.outbox import record_event

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


def _audit_key() -> bytes:
    """The key of the keyed chain; never guessed: an app without it refuses to append or verify."""
    key = current_app.config.get("AUDIT_KEY")
    if not key:
        raise RuntimeError("AUDIT_KEY is not configured: the audit log cannot be keyed.")
    return str(key).encode("utf-8")


def compute_keyed_hash(prev_keyed_hash: str, entry_hash: str, key: bytes) -> str:
    """HMAC-SHA256(key, prev_keyed_hash + entry_hash), hex (both hashes are 64 hex characters)."""
    return hmac.new(key, (prev_keyed_hash + entry_hash).encode("ascii"), hashlib.sha256).hexdigest()


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
    key = _audit_key()
    head = _lock_head()
    if head.seq and head.keyed_hash is None:
        _key_entries(head, key)  # entries from before the key: key them once, in this transaction
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
    entry.keyed_hash = compute_keyed_hash(head.keyed_hash or GENESIS_HASH, entry.hash, key)
    head.seq = entry.seq
    head.hash = entry.hash
    head.keyed_hash = entry.keyed_hash
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


def _key_entries(head: AuditChainHead, key: bytes) -> int:
    """Give every entry without a keyed hash one, after checking the plain chain; returns how many.

    For logs written before ``AUDIT_KEY`` existed. Refuses (RuntimeError) when the plain chain is
    broken: keying a tampered log would bless it. The caller holds the head lock.
    """
    check = verify_chain(keyed=False)
    if check.problem:
        where = f"entry {check.broken.seq}" if check.broken is not None else "the chain head"
        raise RuntimeError(f"audit chain broken at {where} ({check.problem}); not keyed")
    prev_keyed, keyed = GENESIS_HASH, 0
    for entry in _entries_in_order(2000, keep=True):
        if entry.keyed_hash is None:
            entry.keyed_hash = compute_keyed_hash(prev_keyed, entry.hash, key)
            keyed += 1
        prev_keyed = entry.keyed_hash
        db.session.flush()
        db.session.expunge(entry)
    head.keyed_hash = prev_keyed
    db.session.flush()
    return keyed


def key_existing_entries() -> int:
    """``flask audit key-existing``: key the entries written before ``AUDIT_KEY``; flushes."""
    head = _lock_head()
    return _key_entries(head, _audit_key()) if head.seq else 0


def verify_chain(batch: int = 2000, *, keyed: bool = True) -> ChainCheck:
    """Recompute every hash in sequence order; report the first entry that does not fit.

    An entry is broken when its ``prev_hash`` is not the previous entry's hash, its ``seq`` is not
    one more than the previous, or its stored hash differs from the recomputed one (an edit), or
    (``keyed``, with ``AUDIT_KEY``) its keyed hash is missing or differs from the recomputed one (a
    rewrite by someone without the key). Finally the head row must name the last entry. Reads in
    batches (constant memory).
    """
    key = _audit_key() if keyed else b""
    prev_keyed = GENESIS_HASH
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
        if keyed and entry.keyed_hash is None:
            return ChainCheck(
                count, prev_hash, entry, "no keyed hash (run `flask audit key-existing` once)"
            )
        if keyed and compute_keyed_hash(prev_keyed, entry.hash, key) != entry.keyed_hash:
            return ChainCheck(
                count,
                prev_hash,
                entry,
                "keyed hash does not match: the log was rewritten without AUDIT_KEY",
            )
        prev_hash, prev_seq, prev_keyed = entry.hash, entry.seq, entry.keyed_hash
    head = db.session.get(AuditChainHead, _HEAD_ID)
    if head is not None and (head.seq, head.hash) != (prev_seq, prev_hash):
        return ChainCheck(
            count, prev_hash, None, f"chain head says entry {head.seq}, the log ends at {prev_seq}"
        )
    return ChainCheck(count, prev_hash)


def _entries_in_order(batch: int, keep: bool = False):
    """Every entry by sequence number, read in keyset-paginated batches (``keep``: the caller
    expunges them)."""
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
        if keep:
            continue
        for row in rows:
            db.session.expunge(row)  # constant memory: read entries are not kept in the session


def audit_head() -> str | None:
    """The hash of the newest audit entry, or None before the first commission action."""
    head = db.session.get(AuditChainHead, _HEAD_ID)
    return head.hash if head is not None and head.seq else None


def audit_head_info() -> dict[str, Any] | None:
    """The chain head as ``{"seq", "hash", "at"}`` for pages and the API, or None."""
    return _head_json(
        db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).first()
    )


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
    return {
        **entry_fields(entry),
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
        "keyed_hash": entry.keyed_hash,
    }


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
    return _head_json(entry)


def _head_json(entry: AuditEntry | None) -> dict[str, Any] | None:
    if entry is None:
        return None
    return {
        "seq": entry.seq,
        "hash": entry.hash,
        "keyed_hash": entry.keyed_hash,
        "at": entry.created_at.isoformat(),
    }


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


def saved_heads(value: Any, found: dict[int, str] | None = None) -> dict[int, str]:
    """Every ``{"seq": int, "hash": str}`` object in parsed JSON, however nested (under ``head``, ``event``,
    ``payload`` or ``items``, in lists): a saved head, a webhook delivery of the daily head, a
    page of ``/api/v1/audit/entries``. The same reading as ``tools/verify_audit.py``."""
    found = {} if found is None else found
    if isinstance(value, list):
        for item in value:
            saved_heads(item, found)
    elif isinstance(value, dict):
        seq, digest = value.get("seq"), value.get("hash")
        if isinstance(seq, int) and not isinstance(seq, bool) and isinstance(digest, str):
            found[seq] = digest
        for key in ("head", "payload", "items", "event"):
            if key in value:
                saved_heads(value[key], found)
    return found


def parse_saved_heads(text: str) -> dict[int, str]:
    """Saved heads from a file's text: one JSON document, or one JSON document per line.

    Raises ValueError (with the line number) on text that is neither, or holds no head.
    """
    try:
        found = saved_heads(json.loads(text))
    except json.JSONDecodeError:
        found = {}
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                saved_heads(json.loads(line), found)
            except json.JSONDecodeError as exc:
                raise ValueError(f"line {number} is not JSON ({exc.msg})") from None
    if not found:
        raise ValueError('no saved head (an object with "seq" and "hash") in the file')
    return found


def check_saved_heads(heads: dict[int, str]) -> ChainCheck:
    """Compare the log with heads saved outside it; report the first one it contradicts.

    A saved head ``(seq, hash)`` holds when the entry ``seq`` still has that hash. The first that
    does not names the first entry that differs when the saved head before it is ``seq - 1`` (as
    with every entry saved); otherwise the change lies between the last head that held and it,
    and the problem says so. A saved ``seq`` beyond the log's end means entries were removed.
    """
    held = 0
    for seq in sorted(heads):
        entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.seq == seq)).first()
        if entry is not None and entry.hash == heads[seq]:
            held = seq
            continue
        span = "" if held == seq - 1 else f"; the first change lies in entries {held + 1}..{seq}"
        if entry is None:
            last = db.session.scalar(sa.select(sa.func.max(AuditEntry.seq))) or 0
            problem = f"a head saved at entry {seq}, but the log ends at entry {last}{span}"
            first = db.session.scalars(
                sa.select(AuditEntry).where(AuditEntry.seq == held + 1)
            ).first()
            return ChainCheck(len(heads), heads[seq], first, problem)
        problem = f"differs from the head saved at entry {seq} ({heads[seq][:16]}...){span}"
        if span:
            entry = db.session.scalars(
                sa.select(AuditEntry).where(AuditEntry.seq == held + 1)
            ).first()
        return ChainCheck(len(heads), heads[seq], entry, problem)
    return ChainCheck(len(heads), heads[max(heads)] if heads else GENESIS_HASH)


HEAD_PUBLISHED = "audit.head_published"
PETITION_HEAD = "petition.audit_head"


def publish_daily_head(now: datetime) -> dict[str, Any] | None:
    """Periodic (daily): announce the chain's head so copies of it are held outside the system.

    Records ``audit.head_published`` (subject ``audit_chain``, id the head's seq; to webhooks)
    and, for each petition the entries since the last announcement concern, ``petition.audit_head``
    (to its followers). Payloads: ``seq``, ``hash``, ``keyed_hash``, ``at``, ``day``,
    ``since_seq`` and ``check`` (the API path that answers the same head). Nothing when the log is empty or has not moved since the last
    announcement. Returns the head announced, or None. Flushes.
    """
    head = audit_head_info()
    if head is None:
        return None
    last = db.session.scalars(
        sa.select(Event).where(Event.kind == HEAD_PUBLISHED).order_by(Event.id.desc()).limit(1)
    ).first()
    since = int((last.payload or {}).get("seq", 0)) if last is not None else 0
    if since >= head["seq"]:
        return None
    payload = {
        **head,
        "day": now.astimezone(local_zone()).date().isoformat(),
        "since_seq": since,
        "check": f"/api/v1/audit/head?seq={head['seq']}",
    }
    record_event(HEAD_PUBLISHED, "audit_chain", head["seq"], payload)
    for petition_id in _petitions_in(since):
        record_event(
            PETITION_HEAD, "petition", petition_id, {**payload, "petition_id": petition_id}
        )
    return head


def _petitions_in(after_seq: int) -> list[int]:
    """Ids of the petitions that entries after ``after_seq`` concern (subject or payload)."""
    found: set[int] = set()
    rows = db.session.execute(
        sa.select(AuditEntry.subject_type, AuditEntry.subject_id, AuditEntry.payload).where(
            AuditEntry.seq > after_seq
        )
    )
    for subject_type, subject_id, payload in rows:
        if subject_type == "petition" and subject_id is not None:
            found.add(subject_id)
        petition_id = (payload or {}).get("petition_id")
        if isinstance(petition_id, int):
            found.add(petition_id)
    return sorted(found)
