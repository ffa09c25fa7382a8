"""Counting confirmed signatures, milestones and the threshold flag.

Design (see docs/signing.md, "Counting"):

* **Writes** never touch the petition row on the common path. A change (+1 on confirmation, -1 on
  withdrawal or invalidation) is added with ``INSERT ... ON CONFLICT DO UPDATE`` to one of
  ``COUNT_SHARDS`` rows of ``petition_count_shards`` chosen at random, and likewise to one shard of
  the signing day in ``petition_day_counts``. Concurrent confirmations on one petition therefore
  lock different rows and do not queue behind each other.
* **Reads** sum at most ``COUNT_SHARDS`` rows by primary key: the same cost at 100 signatures as
  at a million, and never a ``COUNT(*)`` over signatures.
* **Milestones and the threshold flag** are checked after each change against the summed count.
  Announcing is guarded by conditional UPDATEs on the petition row (``milestones_announced <
  :percent``, ``threshold_met_at IS NULL`` / ``IS NOT NULL``), which lock that row only in the rare
  moment a milestone or the threshold is crossed, and make every announcement happen once.
  Under a rule that forbids publishing a running count nothing is announced while signing is
  open (the events reach followers and webhooks); :func:`check_thresholds` announces on closing.
* Two transactions committing at the same instant each see only their own increment, so a crossing
  can be noticed late; :func:`sync_counts` (periodic, every minute) re-checks every collecting
  petition, folds the sum into ``Petition.confirmed_count`` (handy for sorting lists) and catches
  up. :func:`recount` (nightly) rebuilds the shards from the signatures themselves.

Counted signatures: ``status = confirmed``, not a recorded duplicate (``duplicate_of_id IS NULL``)
not found invalid by the commission (``check_status != invalid``) and not from a shadow-banned
source (``shadow_ban_id IS NULL``). Whoever changes one of these facts calls :func:`apply_count_change` in the same transaction.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from recall.extensions import db
from recall.i18n import local_zone
from recall.models.base import utcnow
from recall.models.counting import COUNT_SHARDS, PetitionCountShard, PetitionDayCount
from recall.models.petition import Petition, PetitionState, RecallRuleVersion
from recall.models.signature import CheckStatus, Signature, SignatureStatus
from recall.rules.milestones import DEFAULT_MILESTONES, crossed_milestones, threshold_met
from recall.services.audit import append_audit
from recall.services.outbox import record_event
from recall.services.verification import tally

log = logging.getLogger(__name__)

_rng = random.SystemRandom()

# States whose count can still change through signing or confirmation.
LIVE_STATES = (PetitionState.COLLECTING, PetitionState.CLOSED, PetitionState.UNDER_VERIFICATION)


@dataclass(frozen=True)
class Progress:
    """What the petition page and API show about a petition's count.

    ``public`` is False while signing is open under a rule that forbids publishing a running
    count; the surfaces then show only that signing is open (the numbers are still filled in for
    the commission's own pages).
    """

    confirmed: int
    required: int | None
    percent: float | None
    met: bool
    per_day: list[tuple[date, int]]
    public: bool


def insert_for(model):
    """A dialect-specific ``INSERT`` supporting ``ON CONFLICT`` (PostgreSQL or SQLite)."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model)


def local_day(moment: datetime) -> date:
    """The calendar date of ``moment`` in the application's time zone (Asia/Almaty by default)."""
    return moment.astimezone(local_zone()).date()


def signing_day(signature: Signature) -> date:
    """The day a signature is counted under in counts per day: the local date it was signed."""
    return local_day(signature.created_at)


def _counted_unless_banned(signature: Signature) -> bool:
    return (
        signature.status == SignatureStatus.CONFIRMED
        and signature.duplicate_of_id is None
        and signature.check_status != CheckStatus.INVALID
    )


def is_counted(signature: Signature) -> bool:
    """True when this signature is part of the confirmed count (see the module docstring)."""
    # A shadow-banned source's signatures are answered like everyone's and never count.
    return _counted_unless_banned(signature) and signature.shadow_ban_id is None


def counted_but_for_ban(signature: Signature) -> bool:
    """True when only a shadow ban keeps this signature out of the count."""
    return _counted_unless_banned(signature) and signature.shadow_ban_id is not None


def confirmed_count(petition: Petition | int) -> int:
    """The number of confirmed, counted signatures: a sum over at most ``COUNT_SHARDS`` rows."""
    petition_id = petition if isinstance(petition, int) else petition.id
    return int(
        db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(PetitionCountShard.confirmed), 0)).where(
                PetitionCountShard.petition_id == petition_id
            )
        )
    )


def confirmed_counts(petition_ids: list[int]) -> dict[int, int]:
    """Counts of several petitions in one query (for list pages); missing ids count 0."""
    rows = db.session.execute(
        sa.select(PetitionCountShard.petition_id, sa.func.sum(PetitionCountShard.confirmed))
        .where(PetitionCountShard.petition_id.in_(petition_ids))
        .group_by(PetitionCountShard.petition_id)
    )
    counts = dict.fromkeys(petition_ids, 0)
    counts.update({pid: int(total) for pid, total in rows})
    return counts


def counts_per_day(petition: Petition | int) -> list[tuple[date, int]]:
    """Confirmed signatures per signing day, oldest first; days with nothing are left out."""
    petition_id = petition if isinstance(petition, int) else petition.id
    rows = db.session.execute(
        sa.select(PetitionDayCount.day, sa.func.sum(PetitionDayCount.confirmed))
        .where(PetitionDayCount.petition_id == petition_id)
        .group_by(PetitionDayCount.day)
        .order_by(PetitionDayCount.day)
    )
    return [(day, int(total)) for day, total in rows if total]


def count_and_days(petition: Petition | int) -> tuple[int, list[tuple[date, int]]]:
    """``confirmed_count`` and ``counts_per_day`` in one statement (one round trip per page).

    The first row (``day`` NULL) is the sum of the shards; the others the days, oldest first.
    """
    petition_id = petition if isinstance(petition, int) else petition.id
    total = sa.select(
        sa.null().label("day"),
        sa.func.coalesce(sa.func.sum(PetitionCountShard.confirmed), 0).label("n"),
        sa.literal(0).label("part"),
    ).where(PetitionCountShard.petition_id == petition_id)
    days = (
        sa.select(
            PetitionDayCount.day,
            sa.func.sum(PetitionDayCount.confirmed).label("n"),
            sa.literal(1).label("part"),
        )
        .where(PetitionDayCount.petition_id == petition_id)
        .group_by(PetitionDayCount.day)
    )
    union = sa.union_all(total, days).subquery()
    rows = db.session.execute(sa.select(union.c.day, union.c.n).order_by(union.c.part, union.c.day))
    confirmed = 0
    per_day = []
    for day, n in rows:
        if day is None:
            confirmed = int(n)
        elif n:
            per_day.append((day, int(n)))
    return confirmed, per_day


def count_is_public(petition: Petition) -> bool:
    """False while signing is open under a rule that forbids publishing a running count."""
    if petition.state in (
        PetitionState.GATHERING_GROUP,
        PetitionState.SUBMITTED,
        PetitionState.REJECTED,
    ):
        return False
    if petition.state != PetitionState.COLLECTING:
        return True
    return bool(petition.rule_version.data.get("running_count_public", False))


def progress(petition: Petition) -> Progress:
    """Count, required number, percentage, threshold flag and counts per day of one petition."""
    confirmed, per_day = count_and_days(petition)
    required = petition.required_signatures
    percent = round(100.0 * confirmed / required, 1) if required else None
    return Progress(
        confirmed=confirmed,
        required=required,
        percent=percent,
        met=petition.threshold_met_at is not None,
        per_day=per_day,
        public=count_is_public(petition),
    )


def apply_count_change(
    petition_id: int,
    delta: int,
    on_day: date | None = None,
    *,
    now: datetime | None = None,
    write: bool = False,
) -> int:
    """Add ``delta`` to a petition's confirmed count, then announce milestones and (un)set the threshold.

    Call it in the transaction that confirms, withdraws, invalidates or re-validates a signature:
    +1 when a signature becomes counted, -1 when it stops being counted. ``on_day`` is the day
    the signature is counted under (:func:`signing_day`); without it, today's local date.
    Flushes; records ``petition.milestone`` (payload ``percent``), ``petition.threshold_met`` and
    ``petition.threshold_lost`` events at most once per crossing. Returns the new count as seen
    by this transaction. ``write``: run the counter statements even for a ``delta`` of 0 (a
    shadow-banned signature is "counted" by 0 with the same work as anyone's, so its source
    cannot tell the ban by timing).
    """
    now = now or utcnow()
    if delta or write:
        on_day = on_day or local_day(now)
        shard = _rng.randrange(COUNT_SHARDS)
        total = insert_for(PetitionCountShard).values(
            petition_id=petition_id, shard=shard, confirmed=delta
        )
        db.session.execute(
            total.on_conflict_do_update(
                index_elements=["petition_id", "shard"],
                set_={"confirmed": PetitionCountShard.confirmed + total.excluded.confirmed},
            )
        )
        daily = insert_for(PetitionDayCount).values(
            petition_id=petition_id, day=on_day, shard=shard, confirmed=delta
        )
        db.session.execute(
            daily.on_conflict_do_update(
                index_elements=["petition_id", "day", "shard"],
                set_={"confirmed": PetitionDayCount.confirmed + daily.excluded.confirmed},
            )
        )
    return _check_thresholds(petition_id, None, now=now)


def _check_thresholds(petition_id: int, count: int | None, *, now: datetime) -> int:
    """Announce newly reached milestones and set or clear the threshold flag, each at most once.

    ``count`` None means "sum the shards" (in the same round trip as reading the petition's flags).
    Returns the count used.
    """
    summed = (
        sa.select(sa.func.coalesce(sa.func.sum(PetitionCountShard.confirmed), 0))
        .where(PetitionCountShard.petition_id == petition_id)
        .scalar_subquery()
    )
    row = db.session.execute(
        sa.select(
            Petition.required_signatures,
            Petition.milestones_announced,
            Petition.threshold_met_at,
            summed if count is None else sa.literal(count),
            Petition.state,
            RecallRuleVersion.data["running_count_public"].as_boolean(),
        )
        .join(RecallRuleVersion, RecallRuleVersion.id == Petition.rule_version_id)
        .where(Petition.id == petition_id)
    ).one_or_none()
    if row is None:
        return count or 0
    required, announced, met_at, count = row[0], row[1], row[2], int(row[3])
    if not required:
        return count
    if row[4] == PetitionState.COLLECTING and not row[5]:
        # The rule forbids publishing a running count, and a milestone or threshold event reaches
        # followers and webhooks: announce nothing until signing closes (see check_thresholds).
        return count
    for percent in crossed_milestones(0, count, required, DEFAULT_MILESTONES):
        if percent > announced and _update_if(
            petition_id, Petition.milestones_announced < percent, milestones_announced=percent
        ):
            record_event("petition.milestone", "petition", petition_id, {"percent": percent})
    met = threshold_met(count, required)
    if (
        met
        and met_at is None
        and _update_if(petition_id, Petition.threshold_met_at.is_(None), threshold_met_at=now)
    ):
        record_event("petition.threshold_met", "petition", petition_id, {"required": required})
    elif (
        not met
        and met_at is not None
        and _update_if(petition_id, Petition.threshold_met_at.is_not(None), threshold_met_at=None)
    ):
        record_event("petition.threshold_lost", "petition", petition_id, {"required": required})
    _expire_petition(petition_id)
    return count


def check_thresholds(petition_id: int, *, now: datetime | None = None) -> int:
    """Announce milestones and set or clear the threshold flag for the current count; returns it.

    Called when a petition closes: under a rule that forbids a running count nothing is announced
    while signing is open, so the milestones and the threshold reached by then are announced
    now, each once. Flushes nothing itself beyond the conditional updates and events.
    """
    return _check_thresholds(petition_id, None, now=now or utcnow())


def _update_if(petition_id: int, condition, **values) -> bool:
    """Conditionally update the petition row; True for the one transaction whose update applied.

    Concurrent callers queue on the row lock and re-check ``condition`` after the winner commits,
    so exactly one of them sees True: that one announces.
    """
    return bool(
        db.session.execute(
            sa.update(Petition)
            .where(Petition.id == petition_id, condition)
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount
    )


def _expire_petition(petition_id: int) -> None:
    """Make a loaded Petition re-read the columns changed behind the ORM's back."""
    petition = db.session.identity_map.get(db.session.identity_key(Petition, petition_id))
    if petition is not None:
        db.session.expire(petition, ["milestones_announced", "threshold_met_at", "confirmed_count"])


def sync_counts(now: datetime) -> int:
    """Periodic: fold each live petition's shard sum into ``Petition.confirmed_count`` and re-check
    milestones and the threshold (catching crossings two simultaneous commits both missed).

    Touches each petition row only when its folded count changed. Commits nothing; returns the
    number of petitions whose folded count changed.
    """
    sums = (
        sa.select(
            PetitionCountShard.petition_id, sa.func.sum(PetitionCountShard.confirmed).label("total")
        )
        .group_by(PetitionCountShard.petition_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Petition.id, Petition.confirmed_count, sa.func.coalesce(sums.c.total, 0))
        .outerjoin(sums, sums.c.petition_id == Petition.id)
        .where(Petition.state.in_(LIVE_STATES))
    ).all()
    changed = 0
    for petition_id, folded, total in rows:
        total = int(total)
        if folded != total:
            db.session.execute(
                sa.update(Petition)
                .where(Petition.id == petition_id)
                .values(confirmed_count=total)
                .execution_options(synchronize_session=False)
            )
            changed += 1
        _check_thresholds(petition_id, total, now=now)
    db.session.flush()
    return changed


def recount(petition_id: int, *, now: datetime | None = None) -> int:
    """Rebuild a petition's shards and day counts from its signatures; returns the true count.

    The self-correcting step for drift (a bug, a manual fix in the database). On PostgreSQL the two
    counter tables are locked against concurrent writers (``SHARE ROW EXCLUSIVE``) until the caller
    commits, so a confirmation in flight is either fully seen by the recount or applied after it,
    never lost or counted twice. Re-checks milestones and the threshold. Flushes.
    """
    now = now or utcnow()
    per_day: dict[date, int] = {}
    counted = sa.and_(Signature.petition_id == petition_id, tally.counted())
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            sa.text(
                "LOCK TABLE petition_count_shards, petition_day_counts IN SHARE ROW EXCLUSIVE MODE"
            )
        )
        day_of = sa.cast(sa.func.timezone(local_zone().key, Signature.created_at), sa.Date)
        for day, n in db.session.execute(
            sa.select(day_of, sa.func.count()).where(counted).group_by(day_of)
        ):
            per_day[day] = n
    else:  # SQLite has no time zones: group in Python (a small, single-process installation)
        for moment in db.session.execute(sa.select(Signature.created_at).where(counted)).scalars():
            day = local_day(moment)
            per_day[day] = per_day.get(day, 0) + 1
    total = sum(per_day.values())
    db.session.execute(
        sa.delete(PetitionCountShard).where(PetitionCountShard.petition_id == petition_id)
    )
    db.session.execute(
        sa.delete(PetitionDayCount).where(PetitionDayCount.petition_id == petition_id)
    )
    if total:
        db.session.execute(
            sa.insert(PetitionCountShard).values(petition_id=petition_id, shard=0, confirmed=total)
        )
        db.session.execute(
            sa.insert(PetitionDayCount),
            [
                {"petition_id": petition_id, "day": day, "shard": 0, "confirmed": n}
                for day, n in per_day.items()
            ],
        )
    db.session.execute(
        sa.update(Petition)
        .where(Petition.id == petition_id)
        .values(confirmed_count=total)
        .execution_options(synchronize_session=False)
    )
    _check_thresholds(petition_id, total, now=now)
    db.session.flush()
    return total


def recount_all(now: datetime) -> int:
    """Nightly: :func:`recount` every live petition; returns how many had drifted. Commits nothing."""
    drifted = 0
    ids = db.session.scalars(
        sa.select(Petition.id).where(Petition.state.in_(LIVE_STATES)).order_by(Petition.id)
    )
    for petition_id in list(ids):
        before = confirmed_count(petition_id)
        after = recount(petition_id, now=now)
        if after != before:
            drifted += 1
            log.warning("petition %r count drifted from %r; recounted", petition_id, before)
            # The public count moved without a signature being decided: say so in the log.
            append_audit(
                "counting.recount_corrected",
                None,
                "petition",
                petition_id,
                db.session.scalar(sa.select(Petition.body_id).where(Petition.id == petition_id)),
                {"before": before, "after": after},
            )
    return drifted
