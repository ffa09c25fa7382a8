"""Automatic signature checks: every filed signature of a petition judged in set-based SQL.

:func:`run_checks` judges every signature of a petition against the voter roll in force on its
signing day (for each district the covering import with the latest as-of date not after that day,
see ``roll_lookup.rolls_in_force``; a voter who moved after signing was still in the district, one
added later was not yet a voter) with a fixed sequence of set-based UPDATE statements (correlated subqueries, portable
between PostgreSQL and SQLite; no Python loop over signatures). Each statement only touches
signatures still ``unchecked``, so the first failing check names the reason:

1. ``withdrawn``: the signer withdrew;
2. ``signed_outside_period``: signed before ``opens_at`` or after ``closes_at``;
3. ``duplicate``: the same IIN signed earlier; the earliest is kept, the others point at it
   through ``duplicate_of_id``;
4. ``deceased``: the roll lists the IIN only as removed, as deceased (issue 18: a roll file's
   ``removal_reason`` column);
5. ``not_registered``: the IIN is not on the roll as a voter (absent, or removed for another
   reason);
6. ``other_district``: on the roll, in another district;
7. ``under_age``: younger than 18 on the (local) day of signing;
8. ``misuse_reported``: the voter reported (an open misuse report) that their IIN was used
   without consent -> review;
9. ``contested_iin``: someone signed again with the IIN after its signature was confirmed (an
   unresolved contest claim, ``signature_claims``) -> review;
10. ``name_mismatch``: the name differs from the roll's (case, spacing and ё/е ignored) -> review;
11. everything left is ``valid``.

Checked signatures are those confirmed or withdrawn (online and paper); pending and expired
ones are not filed. Decisions a commissioner made by hand (``decided_by_id``) are kept on rerun.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm
from flask_babel import gettext as _

from recall.errors import Conflict
from recall.extensions import db
from recall.i18n import local_zone
from recall.models.base import UTCDateTime, utcnow
from recall.models.body import District
from recall.models.petition import Petition, PetitionState
from recall.models.signature import (
    CheckStatus,
    ClaimState,
    Signature,
    SignatureClaim,
    SignatureStatus,
)
from recall.models.user import User
from recall.models.verification import MisuseReport, VoterRollEntry
from recall.rules.eligibility import ADULT_AGE
from recall.services.audit import append_audit
from recall.services.petitions.electorate import settle_last_day
from recall.services.verification.access import get_petition
from recall.services.verification.portable_sql import (
    date_key,
    day_key,
    dialect,
    local_date,
    norm_name,
    register_sqlite_functions,
)
from recall.services.verification.reason_codes import ensure_reason_codes
from recall.services.verification.roll_lookup import has_roll, rolls_in_force
from recall.services.verification.tally import FILED_STATUSES, CheckResult, counted, tally

log = logging.getLogger(__name__)

CHECKABLE_STATES = (
    PetitionState.COLLECTING,
    PetitionState.CLOSED,
    PetitionState.UNDER_VERIFICATION,
)


def run_checks(
    actor: User | None,
    petition_id: int,
    *,
    now: datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> CheckResult:
    """Check every filed signature of a petition against its body's active roll (set-based SQL).

    ``actor`` must be a commissioner of the petition's body (None: the server operator or the
    periodic task). The petition must be collecting, closed or under verification; a closed
    petition moves to ``under_verification``. Signatures that stop (or start) being counted adjust
    the public count through ``recall.services.signing.counting.apply_count_change``. Appends an audit
    entry. Raises NotFound, Forbidden, Conflict (wrong state, no roll). Flushes.

    The work is a constant number of statements whatever the petition's size: one INSERT ...
    SELECT classifies every signature into a temporary table (a window function finds each
    voter's kept signature, one join the roll), one grouped SELECT reads the count change, one
    UPDATE ... FROM writes each changed signature once, and a second UPDATE clears the
    duplicate mark of the (rare) kept signatures that carried one. ``progress(step)`` is told
    each step's name as it starts (``flask verification check`` shows it on a terminal).
    """
    step = progress or (lambda name: None)
    petition = get_petition(actor, petition_id)
    if petition.state not in CHECKABLE_STATES:
        raise Conflict(
            _("Signatures can only be checked while collecting, closed or under verification.")
        )
    periods = rolls_in_force(petition.body_id)
    if not periods:
        raise Conflict(_("No voter roll has been imported for this body yet."))
    ensure_reason_codes()
    district_number = db.session.scalar(
        sa.select(District.roll_key).where(District.id == petition.district_id)
    )
    now = now or utcnow()
    if dialect() == "sqlite":
        register_sqlite_functions()
    db.session.flush()

    # A roll dated on or before the last day may arrive after closing: settle the figure again.
    settle_last_day(petition)
    step("reading the rolls in force")
    _fill_periods(periods)
    step("classifying every signature")
    _classify(petition, district_number)
    step("adjusting the count")
    count_change = _adjust_counts(petition_id, now)
    step("writing the verdicts")
    _write_verdicts(now)
    step("done")
    db.session.execute(sa.text(f"DROP TABLE {_VERDICTS.name}"))
    db.session.execute(sa.text(f"DROP TABLE {_PERIODS.name}"))

    if petition.state == PetitionState.CLOSED:
        from recall.services.petitions.states import change_state

        change_state(petition, PetitionState.UNDER_VERIFICATION, actor)
    result = tally(petition_id, count_change)
    append_audit(
        "verification.run_checks",
        actor.id if actor else None,
        "petition",
        petition_id,
        petition.body_id,
        {
            "roll_import_ids": sorted({p.import_id for p in periods}),
            "checked": result.checked,
            "by_status": result.by_status,
            "by_reason": result.by_reason,
            "count_change": count_change,
        },
    )
    db.session.expire_all()
    return result


# The checks in order, as numbered steps: a signature gets the first step whose test fails
# (see the module docstring); 11 = valid. Steps 1-7 reject, 8-10 send to review.
STEPS = (
    (1, CheckStatus.INVALID, "withdrawn"),
    (2, CheckStatus.INVALID, "signed_outside_period"),
    (3, CheckStatus.INVALID, "duplicate"),
    (4, CheckStatus.INVALID, "deceased"),
    (5, CheckStatus.INVALID, "not_registered"),
    (6, CheckStatus.INVALID, "other_district"),
    (7, CheckStatus.INVALID, "under_age"),
    (8, CheckStatus.REVIEW, "misuse_reported"),
    (9, CheckStatus.REVIEW, "contested_iin"),
    (10, CheckStatus.REVIEW, "name_mismatch"),
    (11, CheckStatus.VALID, None),
)
_LAST_INVALID_STEP = 7

# One row per signature the run changes (a session-local temporary table, dropped at the end).
# step: the verdict (NULL: not judged, e.g. a commissioner's decision; only its duplicate link
# moves); duplicate_of_id: the link after the run; unmark: a kept signature that carried a
# duplicate link (cleared after the others point at it, so the one-signature-per-voter index
# never sees two unmarked rows); was_counted / confirmed / was_invalid: for the count change.
_VERDICTS = sa.Table(
    "verif_verdicts",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("step", sa.Integer),
    sa.Column("duplicate_of_id", sa.Integer),
    sa.Column("unmark", sa.Integer),
    sa.Column("created_at", UTCDateTime()),
    sa.Column("confirmed", sa.Integer),
    sa.Column("was_invalid", sa.Integer),
    sa.Column("was_counted", sa.Integer),
    prefixes=["TEMPORARY"],
)


# The rolls in force (``roll_lookup.rolls_in_force``): which import counts for which district over
# which signing days, as YYYYMMDD keys [start_key, end_key). A few rows (imports x districts).
_PERIODS = sa.Table(
    "verif_roll_periods",
    sa.MetaData(),
    sa.Column("import_id", sa.Integer),
    sa.Column("district_number", sa.Integer),
    sa.Column("start_key", sa.Integer),
    sa.Column("end_key", sa.Integer),
    prefixes=["TEMPORARY"],
)
_NO_END = 99991231


def _fill_periods(periods) -> None:
    db.session.execute(sa.text(f"DROP TABLE IF EXISTS {_PERIODS.name}"))
    _PERIODS.create(db.session.connection())
    db.session.execute(
        sa.insert(_PERIODS),
        [
            {
                "import_id": p.import_id,
                "district_number": p.district_number,
                "start_key": date_key(p.start) if p.start else 0,
                "end_key": date_key(p.end) if p.end else _NO_END,
            }
            for p in periods
        ],
    )


def _int(condition):
    """A condition as 0/1 (portable: PostgreSQL booleans do not add up)."""
    return sa.case((condition, 1), else_=0)


def _classify(petition: Petition, district_number: int) -> None:
    """Fill ``_VERDICTS`` with every signature of the petition this run changes: one INSERT ... SELECT."""
    pid = petition.id
    sig = Signature
    entry = VoterRollEntry
    db.session.execute(sa.text(f"DROP TABLE IF EXISTS {_VERDICTS.name}"))
    _VERDICTS.create(db.session.connection())

    # Judged: filed and not decided by a commissioner (decisions survive a rerun).
    judged = sa.and_(
        sig.status.in_(FILED_STATUSES),
        sa.or_(sig.decided_by_id.is_(None), sig.check_status == CheckStatus.UNCHECKED),
    )
    period = []
    if petition.opens_at is not None:
        period.append(sig.created_at < petition.opens_at)
    if petition.closes_at is not None:
        period.append(sig.created_at > petition.closes_at)
    outside = sa.or_(*period) if period else sa.false()
    # Kept for a voter: the earliest confirmed signature not rejected by steps 1-2 or by hand.
    eligible = sa.and_(
        sig.status == SignatureStatus.CONFIRMED,
        sa.or_(
            sa.and_(judged, sa.not_(outside)),
            sa.and_(sa.not_(judged), sig.check_status != CheckStatus.INVALID),
        ),
    )
    base = (
        sa.select(
            sig.id,
            sig.status,
            sig.created_at,
            sig.iin_hash,
            sig.birth_date,
            sig.full_name,
            sig.duplicate_of_id,
            _int(judged).label("judged"),
            _int(outside).label("outside"),
            _int(sig.check_status == CheckStatus.INVALID).label("was_invalid"),
            _int(counted()).label("was_counted"),
            _int(sig.shadow_ban_id.is_(None)).label("unbanned"),
            sa.func.first_value(sa.case((eligible, sig.id)))
            .over(
                partition_by=sig.iin_hash,
                order_by=(sa.case((eligible, 0), else_=1), sig.created_at, sig.id),
                rows=(None, None),
            )
            .label("kept"),
        )
        .where(sig.petition_id == pid)
        .subquery("base")
    )
    # The roll and misuse reports are read by correlated subqueries: index probes per signature
    # (``ix_voter_roll_entries_import_hash`` over the body's few imports,
    # ``ix_misuse_reports_signature_id``), evaluated only for the signatures that reach their
    # step, and a plan that stays linear whatever the planner's statistics say (a freshly
    # imported roll has none yet). An entry counts when its import is the one in force for its
    # district on the signing day (``_PERIODS``).
    period = _PERIODS.c
    import_ids = sorted(set(db.session.scalars(sa.select(period.import_id))))
    signing_key = day_key(local_date(base.c.created_at))
    in_force = entry.__table__.join(
        _PERIODS,
        sa.and_(
            period.import_id == entry.import_id,
            period.district_number == entry.district_number,
        ),
    )
    listed = sa.and_(
        entry.import_id.in_(import_ids),
        entry.iin_hash == base.c.iin_hash,
        period.start_key <= signing_key,
        period.end_key > signing_key,
    )
    on_roll = sa.and_(listed, entry.removal_reason.is_(None))  # a voter, not a removed line
    # Listed only as removed, as deceased (asked only when no voter line matched).
    deceased = (
        sa.select(entry.id)
        .select_from(in_force)
        .where(listed, entry.removal_reason == "deceased")
        .exists()
    )
    # NULL: not on the roll; 0: on it in another district; 1: in the petition's district.
    roll_district = (
        sa.select(sa.func.max(_int(entry.district_number == district_number)))
        .select_from(in_force)
        .where(on_roll)
        .scalar_subquery()
    )
    roll_birth = (
        sa.select(sa.func.min(entry.birth_date))
        .select_from(in_force)
        .where(on_roll)
        .scalar_subquery()
    )
    reported = sa.exists().where(
        MisuseReport.signature_id == base.c.id, MisuseReport.resolved_at.is_(None)
    )
    contested = sa.exists().where(
        SignatureClaim.signature_id == base.c.id,
        SignatureClaim.state == ClaimState.CONTEST,
        SignatureClaim.resolved_at.is_(None),
    )
    same_name = (
        sa.select(entry.id)
        .select_from(in_force)
        .where(
            on_roll,
            entry.district_number == district_number,
            norm_name(entry.full_name) == norm_name(base.c.full_name),
        )
        .exists()
    )
    # Under age on the signing day: (birth + 18 years) as YYYYMMDD after the signing date.
    birth_key = day_key(sa.func.coalesce(base.c.birth_date, roll_birth))
    under_age = birth_key + ADULT_AGE * 10000 > day_key(local_date(base.c.created_at))
    kept = base.c.kept
    duplicate = sa.and_(
        base.c.status == SignatureStatus.CONFIRMED, kept.is_not(None), base.c.id != kept
    )
    step = sa.case(
        (base.c.status == SignatureStatus.WITHDRAWN, 1),
        (base.c.outside == 1, 2),
        (duplicate, 3),
        (sa.and_(roll_district.is_(None), deceased), 4),
        (roll_district.is_(None), 5),
        (roll_district == 0, 6),
        (under_age, 7),
        (reported, 8),
        (contested, 9),
        (sa.not_(same_name), 10),
        else_=11,
    )
    dup_after = sa.case(
        (kept.is_(None), base.c.duplicate_of_id),
        (base.c.id == kept, None),
        else_=kept,
    )
    query = (
        sa.select(
            base.c.id,
            sa.case((base.c.judged == 1, step), else_=None),
            dup_after,
            _int(sa.and_(base.c.id == kept, base.c.duplicate_of_id.is_not(None))),
            base.c.created_at,
            # "confirmed" for the count: a shadow-banned signature never counts (issue 18).
            _int(sa.and_(base.c.status == SignatureStatus.CONFIRMED, base.c.unbanned == 1)),
            base.c.was_invalid,
            base.c.was_counted,
        )
        .select_from(base)
        .where(sa.or_(base.c.judged == 1, dup_after.is_distinct_from(base.c.duplicate_of_id)))
    )
    db.session.execute(sa.insert(_VERDICTS).from_select(list(_VERDICTS.c), query))
    if dialect() == "postgresql":
        db.session.execute(sa.text(f"ANALYZE {_VERDICTS.name}"))


def _counted_after():
    """Counted once the verdicts are written (``_counted`` over ``_VERDICTS``)."""
    v = _VERDICTS.c
    not_invalid = sa.case((v.step.is_(None), v.was_invalid == 0), else_=v.step > _LAST_INVALID_STEP)
    return sa.and_(v.confirmed == 1, v.duplicate_of_id.is_(None), not_invalid)


def _write_verdicts(now: datetime) -> None:
    """Write each changed signature once (UPDATE ... FROM), then clear the kept ones' duplicate links."""
    sig = Signature
    v = _VERDICTS.c
    judged = v.step.is_not(None)
    status = sa.case(*[(v.step == n, s.value) for n, s, _r in STEPS])
    reason = sa.case(*[(v.step == n, r) for n, _s, r in STEPS if r])
    at = sa.bindparam("checked_now", now, type_=sig.__table__.c.checked_at.type)
    db.session.execute(
        sa.update(sig)
        .where(sig.id == v.id)
        .values(
            check_status=sa.case((judged, status), else_=sig.check_status),
            reason_code=sa.case((judged, reason), else_=sig.reason_code),
            checked_at=sa.case((judged, at), else_=sig.checked_at),
            duplicate_of_id=sa.case((v.unmark == 1, sig.duplicate_of_id), else_=v.duplicate_of_id),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        sa.update(sig)
        .where(sig.id.in_(sa.select(v.id).where(v.unmark == 1)))
        .values(duplicate_of_id=None)
        .execution_options(synchronize_session=False)
    )


def _adjust_counts(petition_id: int, now: datetime) -> int:
    """Apply the count change of the signatures whose counted state flips, per signing day."""
    from recall.services.signing import counting

    v = _VERDICTS.c
    after = _counted_after()
    flipped = sa.or_(
        sa.and_(v.was_counted == 1, sa.not_(after)), sa.and_(v.was_counted == 0, after)
    )
    sign = sa.case((after, 1), else_=-1)
    per_day: Counter = Counter()
    # PostgreSQL groups by local signing day in SQL: nothing per signature in Python.
    if dialect() == "postgresql":
        day_of = sa.cast(sa.func.timezone(local_zone().key, v.created_at), sa.Date)
        for day, n in db.session.execute(
            sa.select(day_of, sa.func.sum(sign)).where(flipped).group_by(day_of)
        ):
            per_day[day] += int(n)
    else:  # SQLite has no time zones (a small installation): the changed rows' times, grouped here
        for moment, n in db.session.execute(sa.select(v.created_at, sign).where(flipped)):
            per_day[counting.local_day(moment)] += n
    total = 0
    # Gains first, so the running count never dips below zero on the way.
    for day, delta in sorted(per_day.items(), key=lambda item: (-item[1], item[0])):
        if delta:
            counting.apply_count_change(petition_id, delta, day, now=now)
            total += delta
    return total


def count_change_for(signature: Signature, was_counted: bool) -> int:
    """After a manual decision: move the public count if the signature's counted state flipped."""
    from recall.services.signing import counting

    now_counted = counting.is_counted(signature)
    if now_counted == was_counted:
        return 0
    delta = 1 if now_counted else -1
    counting.apply_count_change(signature.petition_id, delta, counting.signing_day(signature))
    return delta


# ---------------------------------------------------------------- closing hook


def check_closed_petitions(now: datetime) -> int:
    """Periodic task: run the checks of every closed petition whose body has a roll.

    Moves each to ``under_verification``. Commits nothing (the periodic runner commits); returns
    how many petitions were checked. Petitions without a roll wait for one.
    """
    ids = list(
        db.session.scalars(
            sa.select(Petition.id)
            .where(Petition.state == PetitionState.CLOSED)
            .order_by(Petition.id)
        )
    )
    done = 0
    for petition_id in ids:
        petition = db.session.get(Petition, petition_id)
        if not has_roll(petition.body_id):
            continue
        run_checks(None, petition_id, now=now)
        done += 1
    return done
