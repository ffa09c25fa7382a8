"""Bulk invalidation by criteria: a preview with the count and a sample, then a tracked job with
progress that can be cancelled (``recall.jobs.fraud``). Each run is in the audit chain with who,
why and the criteria; a signature it invalidates leaves the count in the same transaction and
carries the reason code ``bulk_invalidation`` (and the run's id) into the commission's report.

Criteria (at least one source criterion or a time window; all given must match):
``block`` (an address or a block like ``203.0.113.0/24``, or a block's keyed hash as the sources
page shows it in full), ``address`` (one address), ``domain`` (e-mail domain), ``user_agent``
(a family such as ``python``), ``collector`` (the name on paper sheets, exactly as entered),
``since`` and ``until`` (ISO date-times, UTC unless they say). Online signatures (paper ones
with ``collector``) that are pending or confirmed and not already invalid are matched: a pending
one could be confirmed later ("stored up"), so it is invalidated too.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from recall.errors import Conflict, Invalid
from recall.extensions import db
from recall.models.base import utcnow
from recall.models.fraud import Invalidation, InvalidationStatus
from recall.models.petition import Petition
from recall.models.signature import CheckStatus, Signature, SignatureSource, SignatureStatus
from recall.models.user import User
from recall.rules.sources import user_agent_family
from recall.services.audit import append_audit
from recall.services.fraud.sources import address_hash_of, block_hash_of
from recall.services.lookup import get_or_raise
from recall.services.signing import counting
from recall.services.verification.access import get_petition

log = logging.getLogger(__name__)

REASON_CODE = "bulk_invalidation"
SAMPLE_SIZE = 20
BATCH_SIZE = 500
REASON_MAX = 2000
_HASH = re.compile(r"[0-9a-f]{64}")
_DOMAIN = re.compile(r"[a-z0-9.-]{1,253}")
_FAMILY = re.compile(r"[a-z0-9/_-]{1,40}")


def _when(value: str, field: str) -> str:
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise Invalid(_("Enter a date and time like 2025-05-31T14:00."), field=field) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def parse_criteria(raw: dict) -> dict[str, str]:
    """Stored criteria from what a commissioner typed (empty fields ignored); ``Invalid`` naming
    the field for a value that cannot match anything, or when nothing narrows the search."""
    given = {k: str(v).strip() for k, v in raw.items() if v is not None and str(v).strip()}
    criteria: dict[str, str] = {}
    if "block" in given:
        value = given["block"].lower()
        block_hash = value if _HASH.fullmatch(value) else block_hash_of(value)
        if block_hash is None:
            raise Invalid(
                _("Enter an address, a block like 203.0.113.0/24, or a block reference."),
                field="block",
            )
        criteria["block_hash"] = block_hash
    if "address" in given:
        address_hash = address_hash_of(given["address"])
        if address_hash is None:
            raise Invalid(_("Enter an IPv4 or IPv6 address."), field="address")
        criteria["address_hash"] = address_hash
    if "domain" in given:
        domain = given["domain"].lower().lstrip("@")
        if not _DOMAIN.fullmatch(domain):
            raise Invalid(_("Enter an e-mail domain like example.org."), field="domain")
        criteria["domain"] = domain
    if "user_agent" in given:
        family = given["user_agent"].lower()
        if not _FAMILY.fullmatch(family):
            family = user_agent_family(given["user_agent"])
        criteria["user_agent"] = family
    if "collector" in given:
        collector = " ".join(given["collector"].split())
        if len(collector) > 200:
            raise Invalid(_("Enter the collector's name as on the sheets."), field="collector")
        criteria["collector"] = collector
    for field in ("since", "until"):
        if field in given:
            criteria[field] = _when(given[field], field)
    if "since" in criteria and "until" in criteria and criteria["since"] >= criteria["until"]:
        raise Invalid(_("The end of the window must be after its start."), field="until")
    if not criteria:
        raise Invalid(_("Give at least one criterion."), field="block")
    return criteria


def _matching(petition_id: int, criteria: dict[str, str]):
    """The WHERE clause of the signatures a run with these criteria invalidates."""
    paper = "collector" in criteria
    conditions = [
        Signature.petition_id == petition_id,
        Signature.source == (SignatureSource.PAPER if paper else SignatureSource.ONLINE),
        Signature.status.in_([SignatureStatus.PENDING, SignatureStatus.CONFIRMED]),
        Signature.check_status != CheckStatus.INVALID,
    ]
    columns = {
        "block_hash": Signature.source_block_hash,
        "address_hash": Signature.source_address_hash,
        "domain": Signature.email_domain,
        "user_agent": Signature.user_agent_family,
    }
    if paper:
        conditions.append(Signature.paper_collector == criteria["collector"])
    for key, column in columns.items():
        if key in criteria:
            conditions.append(column == criteria[key])
    if "since" in criteria:
        conditions.append(Signature.created_at >= datetime.fromisoformat(criteria["since"]))
    if "until" in criteria:
        conditions.append(Signature.created_at < datetime.fromisoformat(criteria["until"]))
    return sa.and_(*conditions)


@dataclass
class Preview:
    criteria: dict[str, str]
    count: int
    sample: list[Signature]


def preview_invalidation(actor: User | None, petition_id: int, raw: dict) -> Preview:
    """How many signatures the criteria match now, and the first ``SAMPLE_SIZE`` of them (the
    commission sees names and addresses). Commissioners of the petition's body. Reads only."""
    petition = get_petition(actor, petition_id)
    criteria = parse_criteria(raw)
    where = _matching(petition.id, criteria)
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Signature).where(where))
    sample = list(
        db.session.scalars(
            sa.select(Signature).where(where).order_by(Signature.created_at).limit(SAMPLE_SIZE)
        )
    )
    return Preview(criteria, count, sample)


def audited_reason(reason: str | None) -> str:
    """The reason a commissioner gives for a fraud action (an invalidation, a ban), stripped:
    the audit log records it. ``Invalid`` (field ``reason``) when empty or over ``REASON_MAX``."""
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_MAX:
        raise Invalid(
            _("Say why (up to %(n)d characters): it goes into the audit log.", n=REASON_MAX),
            field="reason",
        )
    return reason


def start_invalidation(
    actor: User | None, petition_id: int, raw: dict, reason: str | None
) -> Invalidation:
    """Create a run for the criteria (the job does the work: ``recall.jobs.fraud``).

    ``reason`` is required (1-2,000 characters). Appends ``fraud.invalidation_started`` (who, why,
    criteria, how many matched). ``Invalid`` with nothing written for bad input. Flushes.
    """
    petition = get_petition(actor, petition_id)
    criteria = parse_criteria(raw)
    reason = audited_reason(reason)
    matched = db.session.scalar(
        sa.select(sa.func.count()).select_from(Signature).where(_matching(petition.id, criteria))
    )
    run = Invalidation(
        petition_id=petition.id,
        created_by_id=actor.id if actor else None,
        reason=reason,
        criteria=criteria,
        matched=matched,
    )
    db.session.add(run)
    db.session.flush()
    append_audit(
        "fraud.invalidation_started",
        actor.id if actor else None,
        "invalidation",
        run.id,
        petition.body_id,
        {"petition_id": petition.id, "reason": reason, "criteria": criteria, "matched": matched},
    )
    return run


def get_invalidation(actor: User | None, invalidation_id: int) -> Invalidation:
    """A run the actor may see (commissioners of its petition's body); ``NotFound`` otherwise."""
    run = get_or_raise(Invalidation, invalidation_id, _("No such invalidation."))
    get_petition(actor, run.petition_id)
    return run


def list_invalidations(actor: User | None, petition_id: int) -> list[Invalidation]:
    petition = get_petition(actor, petition_id)
    return list(
        db.session.scalars(
            sa.select(Invalidation)
            .where(Invalidation.petition_id == petition.id)
            .order_by(Invalidation.id.desc())
        )
    )


def cancel_invalidation(actor: User | None, invalidation_id: int) -> Invalidation:
    """Ask a run to stop after its current batch (a run not started yet stops at once).
    What it already invalidated stays invalid. ``Conflict`` for a finished run. Audited."""
    run = get_invalidation(actor, invalidation_id)
    if run.status not in (InvalidationStatus.PENDING, InvalidationStatus.RUNNING):
        raise Conflict(_("This invalidation has already finished."))
    run.cancel_requested = True
    if run.status == InvalidationStatus.PENDING:
        run.status, run.finished_at = InvalidationStatus.CANCELLED, utcnow()
    db.session.flush()
    append_audit(
        "fraud.invalidation_cancelled",
        actor.id if actor else None,
        "invalidation",
        run.id,
        db.session.get(Petition, run.petition_id).body_id,
        {"petition_id": run.petition_id, "processed": run.processed},
    )
    return run


def run_batch(
    invalidation_id: int, *, batch: int = BATCH_SIZE, now: datetime | None = None
) -> bool:
    """Invalidate the next ``batch`` matching signatures of a run; True when the run is over
    (done, cancelled or nothing left). Each signature becomes invalid with reason
    ``bulk_invalidation``, decided by the run's author; counted ones leave the count in this
    transaction. The caller commits after each call (the progress is visible between batches).
    """
    now = now or utcnow()
    run = db.session.get(
        Invalidation, invalidation_id, with_for_update=True, populate_existing=True
    )
    if run is None or run.status in (
        InvalidationStatus.DONE,
        InvalidationStatus.CANCELLED,
        InvalidationStatus.FAILED,
    ):
        return True
    if run.cancel_requested:
        _finish(run, InvalidationStatus.CANCELLED, now)
        return True
    if run.status == InvalidationStatus.PENDING:
        run.status, run.started_at = InvalidationStatus.RUNNING, now
    rows = db.session.execute(
        sa.select(
            Signature.id,
            Signature.status,
            Signature.duplicate_of_id,
            Signature.check_status,
            Signature.shadow_ban_id,
            Signature.created_at,
        )
        .where(_matching(run.petition_id, run.criteria))
        .order_by(Signature.id)
        .limit(batch)
        .with_for_update(skip_locked=True)
    ).all()
    if not rows:
        _finish(run, InvalidationStatus.DONE, now)
        return True
    db.session.execute(
        sa.update(Signature)
        .where(Signature.id.in_([r.id for r in rows]))
        .values(
            check_status=CheckStatus.INVALID,
            reason_code=REASON_CODE,
            invalidation_id=run.id,
            checked_at=now,
            decided_by_id=run.created_by_id,
        )
        .execution_options(synchronize_session=False)
    )
    per_day: dict = {}
    for r in rows:
        if counting.is_counted(r):
            day = counting.local_day(r.created_at)
            per_day[day] = per_day.get(day, 0) + 1
    for day, n in sorted(per_day.items()):
        counting.apply_count_change(run.petition_id, -n, day, now=now)
    run.processed += len(rows)
    run.invalidated += len(rows)
    db.session.flush()
    return False


def _finish(run: Invalidation, status: InvalidationStatus, now: datetime) -> None:
    run.status, run.finished_at = status, now
    db.session.flush()
    append_audit(
        "fraud.invalidation_finished",
        run.created_by_id,
        "invalidation",
        run.id,
        db.session.get(Petition, run.petition_id).body_id,
        {
            "petition_id": run.petition_id,
            "status": status.value,
            "invalidated": run.invalidated,
            "criteria": run.criteria,
        },
    )
    log.info("invalidation %r %s: %r signatures", run.id, status.value, run.invalidated)
