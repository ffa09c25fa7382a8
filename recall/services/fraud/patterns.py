"""Patterns per petition and hour: the top sources by address block, e-mail domain and user
agent with their share; a source past the flag share or rate is flagged once per hour and the
commission is told (``petition.source_flagged``). Disposable e-mail domains are refused or
flagged as the administrator sets (``recall.services.fraud.settings``).

Disposable domains: ``recall.services.fraud.disposable``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from recall.extensions import db
from recall.models.base import utcnow
from recall.models.fraud import SourceFlag
from recall.models.petition import Petition, PetitionState
from recall.models.signature import Signature, SignatureSource
from recall.models.user import User
from recall.rules.iin import hash_reference
from recall.services.fraud.disposable import is_disposable
from recall.services.fraud.settings import current_settings
from recall.services.outbox import record_event
from recall.services.signing.counting import insert_for
from recall.services.verification.access import get_petition

log = logging.getLogger(__name__)

# The dimensions a pattern is seen in, and the column each reads.
DIMENSIONS = {
    "block": Signature.source_block_hash,
    "domain": Signature.email_domain,
    "user_agent": Signature.user_agent_family,
}
FLAG_EVENT = "petition.source_flagged"


def label_for(dimension: str, value: str | None) -> str:
    """What people see for a source: a block's hash reference (the address is never stored)."""
    if value is None:
        return _("(unknown)")
    if dimension in ("block", "address"):
        return hash_reference(value)
    return value


@dataclass
class SourceRow:
    dimension: str
    value: str | None
    label: str
    count: int
    share: float
    flagged: bool = False
    disposable: bool = False


@dataclass
class HourReport:
    hour: datetime
    total: int
    rows: dict[str, list[SourceRow]] = field(default_factory=dict)


def _hour_of(column):
    """The start of the hour of a timestamp, in SQL (PostgreSQL or SQLite)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.func.date_trunc("hour", column)
    return sa.func.strftime("%Y-%m-%d %H:00:00", column)


def _as_hour(value) -> datetime:
    if isinstance(value, str):
        from datetime import UTC

        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    if value.tzinfo is None:
        from datetime import UTC

        return value.replace(tzinfo=UTC)
    return value


def _is_flagged(count: int, total: int, settings) -> str | None:
    if count < settings.flag_min_count:
        return None
    if count >= settings.flag_rate:
        return "rate"
    if total and count / total >= settings.flag_share:
        return "share"
    return None


def _counts(petition_id: int, since: datetime, until: datetime, top: int | None):
    """(totals per hour, {dimension: [(hour, value, count)]}) for online signatures."""
    base = (
        Signature.petition_id == petition_id,
        Signature.source == SignatureSource.ONLINE,
        Signature.created_at >= since,
        Signature.created_at < until,
    )
    hour = _hour_of(Signature.created_at).label("hour")
    totals = {
        _as_hour(h): n
        for h, n in db.session.execute(sa.select(hour, sa.func.count()).where(*base).group_by(hour))
    }
    per_dimension = {}
    for dimension, column in DIMENSIONS.items():
        grouped = (
            sa.select(
                hour,
                column.label("value"),
                sa.func.count().label("n"),
                sa.func.row_number()
                .over(partition_by=hour, order_by=(sa.func.count().desc(), column))
                .label("rank"),
            )
            .where(*base)
            .group_by(hour, column)
            .subquery()
        )
        query = sa.select(grouped.c.hour, grouped.c.value, grouped.c.n)
        if top is not None:
            query = query.where(grouped.c.rank <= top)
        per_dimension[dimension] = [
            (_as_hour(h), value, n) for h, value, n in db.session.execute(query)
        ]
    return totals, per_dimension


def hourly_sources(
    actor: User | None,
    petition_id: int,
    *,
    hours: int = 24,
    top: int = 5,
    now: datetime | None = None,
) -> list[HourReport]:
    """The commission's view: for each of the last ``hours`` hours with signatures (newest
    first), the total and the ``top`` sources per dimension with their share, each marked when
    it passes the flag settings or is a disposable domain. Commissioners of the petition's body
    only (``Forbidden``). Reads only."""
    now = now or utcnow()
    petition = get_petition(actor, petition_id)
    settings = current_settings()
    until = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    totals, per_dimension = _counts(petition.id, until - timedelta(hours=hours), until, top)
    reports = {h: HourReport(hour=h, total=n) for h, n in totals.items()}
    for dimension, rows in per_dimension.items():
        for h, value, n in rows:
            report = reports[h]
            disposable = dimension == "domain" and is_disposable(value)
            report.rows.setdefault(dimension, []).append(
                SourceRow(
                    dimension=dimension,
                    value=value,
                    label=label_for(dimension, value),
                    count=n,
                    share=n / report.total if report.total else 0.0,
                    flagged=value is not None
                    and _is_flagged(n, report.total, settings) is not None,
                    disposable=disposable,
                )
            )
    return sorted(reports.values(), key=lambda r: r.hour, reverse=True)


def flags_of(actor: User | None, petition_id: int, limit: int = 50) -> list[SourceFlag]:
    """The petition's flagged sources, newest first (commissioners of its body only)."""
    petition = get_petition(actor, petition_id)
    return list(
        db.session.scalars(
            sa.select(SourceFlag)
            .where(SourceFlag.petition_id == petition.id)
            .order_by(SourceFlag.hour.desc(), SourceFlag.count.desc())
            .limit(limit)
        )
    )


def scan_petition(petition_id: int, now: datetime) -> int:
    """Flag the sources of this hour and the last one that pass the settings (or use a
    disposable domain when the setting is ``flag``); each (hour, source) is flagged once, with a
    ``petition.source_flagged`` event for the commission. Returns how many new flags."""
    settings = current_settings()
    until = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    totals, per_dimension = _counts(petition_id, until - timedelta(hours=2), until, None)
    new = 0
    for dimension, rows in per_dimension.items():
        for hour, value, n in rows:
            if value is None:
                continue
            total = totals.get(hour, 0)
            reason = _is_flagged(n, total, settings)
            if (
                reason is None
                and dimension == "domain"
                and settings.disposable_email == "flag"
                and is_disposable(value)
            ):
                reason = "disposable"
            if reason is None:
                continue
            flag_id = db.session.scalar(
                insert_for(SourceFlag)
                .values(
                    petition_id=petition_id,
                    hour=hour,
                    dimension=dimension,
                    value=value,
                    count=n,
                    total=total,
                    reason=reason,
                    created_at=now,
                )
                .on_conflict_do_nothing(
                    index_elements=["petition_id", "hour", "dimension", "value"]
                )
                .returning(SourceFlag.id)
            )
            if flag_id is None:
                continue
            new += 1
            record_event(
                FLAG_EVENT,
                "petition",
                petition_id,
                {
                    "dimension": dimension,
                    "source": label_for(dimension, value),
                    "signatures": n,
                    "hour_total": total,
                    "share_percent": round(100 * n / total) if total else 0,
                    "flag_reason": reason,
                    "hour": hour.isoformat(),
                },
            )
            log.info("petition %r: %s source flagged (%s)", petition_id, dimension, reason)
    return new


def scan_sources(now: datetime) -> int:
    """Periodic (``fraud.scan_sources``): scan every collecting petition with online signatures
    in the last two hours. Returns how many new flags; commits nothing."""
    since = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    petition_ids = db.session.scalars(
        sa.select(Petition.id).where(
            Petition.state.in_([PetitionState.COLLECTING, PetitionState.CLOSED]),
            sa.select(Signature.id)
            .where(
                Signature.petition_id == Petition.id,
                Signature.created_at >= since,
                Signature.source == SignatureSource.ONLINE,
            )
            .exists(),
        )
    ).all()
    return sum(scan_petition(petition_id, now) for petition_id in petition_ids)
