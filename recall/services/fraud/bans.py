"""Shadow bans: a source (one address, an address block or an e-mail domain) on a petition whose
signatures are answered exactly like everyone's (same pages, receipts, mails, statements) and never
count. The commission lists and lifts them; every ban and lift is in the audit chain.

Signing looks up the active bans of the petition for every signer (banned or not: one indexed
query, so the work, and the time, do not depend on the answer) and stores the ban's id on the
signature; :func:`recall.services.signing.counting.is_counted` leaves such signatures out. A ban
also marks the source's earlier signatures (they leave the count at once); a lift unmarks them
(they come back into the count unless another ban still covers them).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from recall.errors import Conflict, Invalid
from recall.extensions import db
from recall.models.base import utcnow
from recall.models.fraud import SourceBan
from recall.models.signature import CheckStatus, Signature, SignatureSource, SignatureStatus
from recall.models.user import User
from recall.services.audit import append_audit
from recall.services.fraud.invalidation import audited_reason, parse_criteria
from recall.services.lookup import get_or_raise
from recall.services.signing import counting
from recall.services.verification.access import get_petition

# Which stored column each kind of ban compares with.
_COLUMNS = {
    "address": ("address_hash", Signature.source_address_hash, "source_address_hash"),
    "block": ("block_hash", Signature.source_block_hash, "source_block_hash"),
    "domain": ("domain", Signature.email_domain, "email_domain"),
}


def ban_for(petition_id: int, patterns: dict) -> int | None:
    """The id of an active ban of this petition covering a signing attempt with these pattern
    values (``recall.services.fraud.sources.pattern_values``), or None. One query, always."""
    return db.session.scalar(ban_query(petition_id, patterns))


def ban_query(petition_id: int, patterns: dict) -> sa.Select:
    """The SELECT of :func:`ban_for` (a scalar subquery in :func:`screen_signing`)."""
    matches = [
        sa.and_(SourceBan.dimension == dimension, SourceBan.value == patterns.get(key))
        for dimension, (_c, _col, key) in _COLUMNS.items()
        if patterns.get(key)
    ]
    return (
        sa.select(SourceBan.id)
        .where(
            SourceBan.petition_id == petition_id,
            SourceBan.lifted_at.is_(None),
            sa.or_(sa.false(), *matches),
        )
        .order_by(SourceBan.id)
        .limit(1)
    )


def screen_signing(petition_id: int, iin_hash: str, patterns: dict, channel: str) -> int | None:
    """What signing asks of this area for every signer, in one round trip whatever the answers:
    the covering ban's id (stored on the signature: it never counts) and whether the IIN is
    watched (then ``iin_watch.appeared`` is recorded, see ``recall.services.fraud.iin_watch``)."""
    row = db.session.execute(
        sa.select(
            ban_query(petition_id, patterns).scalar_subquery().label("ban_id"),
            watch_query(iin_hash).scalar_subquery().label("watch_id"),
        )
    ).one()
    note_watch(row.watch_id, petition_id, channel)
    return row.ban_id


def watch_query(iin_hash) -> sa.Select:
    """The active watch of an IIN hash (a value or a SQL expression)."""
    from recall.models.fraud import IinWatch

    return (
        sa.select(IinWatch.id)
        .where(IinWatch.iin_hash == iin_hash, IinWatch.stopped_at.is_(None))
        .limit(1)
    )


def screening_queries(petition_id, iin_hash, patterns: dict) -> tuple[sa.Select, sa.Select]:
    """The two questions of :func:`screen_signing` (the covering ban, the IIN's watch) over SQL
    expressions, e.g. the bind parameters of a statement built once (signing's one-statement
    INSERT asks them in the same round trip as it stores the signature). Fixed in shape whatever
    the values: every dimension is compared, and a NULL value matches no ban. The caller passes
    the watch's answer to :func:`note_watch`."""
    ban = (
        sa.select(SourceBan.id)
        .where(
            SourceBan.petition_id == petition_id,
            SourceBan.lifted_at.is_(None),
            sa.or_(
                *(
                    sa.and_(SourceBan.dimension == dimension, SourceBan.value == patterns[key])
                    for dimension, (_c, _col, key) in _COLUMNS.items()
                )
            ),
        )
        .order_by(SourceBan.id)
        .limit(1)
    )
    return ban, watch_query(iin_hash)


def note_watch(watch_id: int | None, petition_id: int, channel: str) -> None:
    """Record ``iin_watch.appeared`` when the screening found a watch of the signer's IIN."""
    from recall.services.fraud import iin_watch

    if watch_id is not None:
        iin_watch.record_appearance(watch_id, petition_id, channel)


def _mark(petition_id: int, where, ban_id: int | None, now) -> int:
    """Set ``shadow_ban_id`` on the matching signatures, moving the count by the counted ones
    that change side. Returns how many signatures changed."""
    rows = db.session.execute(
        sa.select(
            Signature.id,
            Signature.status,
            Signature.duplicate_of_id,
            Signature.check_status,
            Signature.shadow_ban_id,
            Signature.created_at,
        )
        .where(Signature.petition_id == petition_id, where)
        .with_for_update()
    ).all()
    if not rows:
        return 0
    db.session.execute(
        sa.update(Signature)
        .where(Signature.id.in_([r.id for r in rows]))
        .values(shadow_ban_id=ban_id)
        .execution_options(synchronize_session=False)
    )
    per_day: dict = {}
    for r in rows:
        counted_unbanned = (
            r.status == SignatureStatus.CONFIRMED
            and r.duplicate_of_id is None
            and r.check_status != CheckStatus.INVALID
        )
        delta = int(counted_unbanned and ban_id is None) - int(
            counted_unbanned and r.shadow_ban_id is None
        )
        if delta:
            day = counting.local_day(r.created_at)
            per_day[day] = per_day.get(day, 0) + delta
    for day, delta in sorted(per_day.items()):
        if delta:
            counting.apply_count_change(petition_id, delta, day, now=now)
    return len(rows)


def ban_source(actor: User | None, petition_id: int, raw: dict, reason: str | None) -> SourceBan:
    """Shadow-ban one source on the petition: exactly one of ``block``, ``address`` or
    ``domain`` (as for bulk invalidation), and a ``reason``. Its earlier online signatures are
    marked and leave the count now. ``Conflict`` when the same source is already banned; audited
    as ``fraud.source_banned``. Commissioners of the petition's body. Flushes."""
    petition = get_petition(actor, petition_id)
    criteria = parse_criteria({k: raw.get(k) for k in ("block", "address", "domain")})
    if len(criteria) != 1:
        raise Invalid(_("Give exactly one source: a block, an address or a domain."), field="block")
    ((key, value),) = criteria.items()
    dimension = next(d for d, (k, _c, _p) in _COLUMNS.items() if k == key)
    reason = audited_reason(reason)
    exists = db.session.scalar(
        sa.select(SourceBan.id).where(
            SourceBan.petition_id == petition.id,
            SourceBan.dimension == dimension,
            SourceBan.value == value,
            SourceBan.lifted_at.is_(None),
        )
    )
    if exists:
        raise Conflict(_("This source is already banned on this petition."), field=key)
    now = utcnow()
    ban = SourceBan(
        petition_id=petition.id,
        dimension=dimension,
        value=value,
        reason=reason,
        created_by_id=actor.id if actor else None,
        created_at=now,
    )
    db.session.add(ban)
    db.session.flush()
    column = _COLUMNS[dimension][1]
    marked = _mark(
        petition.id,
        sa.and_(
            column == value,
            Signature.source == SignatureSource.ONLINE,
            Signature.shadow_ban_id.is_(None),
        ),
        ban.id,
        now,
    )
    append_audit(
        "fraud.source_banned",
        actor.id if actor else None,
        "source_ban",
        ban.id,
        petition.body_id,
        {"petition_id": petition.id, "criteria": criteria, "reason": reason, "signatures": marked},
    )
    return ban


def lift_ban(actor: User | None, ban_id: int) -> SourceBan:
    """Lift a ban: its signatures count again (unless another active ban covers them, which then
    holds them). ``Conflict`` when already lifted; audited as ``fraud.source_ban_lifted``."""
    ban = get_or_raise(SourceBan, ban_id, _("No such ban."))
    petition = get_petition(actor, ban.petition_id)
    if ban.lifted_at is not None:
        raise Conflict(_("This ban has already been lifted."))
    now = utcnow()
    ban.lifted_at, ban.lifted_by_id = now, actor.id if actor else None
    db.session.flush()
    freed = _mark(petition.id, Signature.shadow_ban_id == ban.id, None, now)
    for other in db.session.scalars(
        sa.select(SourceBan).where(
            SourceBan.petition_id == petition.id, SourceBan.lifted_at.is_(None)
        )
    ):
        column = _COLUMNS[other.dimension][1]
        _mark(
            petition.id,
            sa.and_(column == other.value, Signature.shadow_ban_id.is_(None)),
            other.id,
            now,
        )
    append_audit(
        "fraud.source_ban_lifted",
        actor.id if actor else None,
        "source_ban",
        ban.id,
        petition.body_id,
        {"petition_id": petition.id, "signatures": freed},
    )
    return ban


def list_bans(actor: User | None, petition_id: int) -> list[SourceBan]:
    """The petition's bans, active first, newest first (commissioners of its body)."""
    petition = get_petition(actor, petition_id)
    return list(
        db.session.scalars(
            sa.select(SourceBan)
            .where(SourceBan.petition_id == petition.id)
            .order_by(SourceBan.lifted_at.is_not(None), SourceBan.id.desc())
        )
    )
