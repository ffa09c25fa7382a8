"""Automatic signature checks, random sampling and the verification report.

:func:`run_checks` judges every signature of a petition against the voter roll in force on its
signing day (for each district the covering import with the latest as-of date not after that day,
see ``voter_roll.rolls_in_force``; a voter who moved after signing was still in the district, one
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
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm
from flask_babel import gettext as _

from recall.errors import Conflict, Forbidden, Invalid
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
from recall.models.verification import MisuseReport, SampleDraw, VoterRollEntry
from recall.rules import sampling
from recall.rules.eligibility import ADULT_AGE
from recall.services.audit import append_audit
from recall.services.lookup import get_or_raise
from recall.services.petitions.electorate import settle_last_day
from recall.services.verification.reason_codes import ensure_reason_codes, label_for
from recall.services.verification.voter_roll import has_roll, rolls_in_force

log = logging.getLogger(__name__)

CHECKABLE_STATES = (
    PetitionState.COLLECTING,
    PetitionState.CLOSED,
    PetitionState.UNDER_VERIFICATION,
)
FILED_STATUSES = (SignatureStatus.CONFIRMED, SignatureStatus.WITHDRAWN)


def normalise_name(name: str | None) -> str:
    """Case-folded, single-spaced, ё as е: the form names are compared in (Python side)."""
    return " ".join((name or "").lower().replace("ё", "е").split())


# ---------------------------------------------------------------- access


def require_commissioner(actor: User | None, body_id: int) -> None:
    """Raise Forbidden unless ``actor`` is a commissioner of ``body_id`` (None = the server operator)."""
    if actor is not None and not actor.is_commissioner_of(body_id):
        raise Forbidden(_("Only commissioners of this petition's body may do this."))


def get_petition(actor: User | None, petition_id: int) -> Petition:
    """A petition the actor may verify: NotFound or Forbidden otherwise."""
    petition = get_or_raise(Petition, petition_id, _("No such petition."))
    require_commissioner(actor, petition.body_id)
    return petition


def list_petitions(actor: User) -> list[Petition]:
    """Petitions of the actor's body past registration, newest first (the commission's worklist)."""
    if actor.commission_body_id is None:
        raise Forbidden(_("Only commissioners may do this."))
    return list(
        db.session.scalars(
            sa.select(Petition)
            .where(
                Petition.body_id == actor.commission_body_id,
                Petition.state.notin_([PetitionState.GATHERING_GROUP]),
            )
            .order_by(Petition.id.desc())
            .limit(200)
        )
    )


# ---------------------------------------------------------------- SQL helpers


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _norm(col):
    """SQL expression for the normalised name (see :func:`normalise_name`)."""
    if _dialect() == "postgresql":
        folded = sa.func.translate(sa.func.lower(sa.func.btrim(col)), "ё", "е")
        return sa.func.regexp_replace(folded, r"\s+", " ", "g")
    return sa.func.recall_norm_name(col)


def _register_sqlite_functions() -> None:
    """SQLite's lower() is ASCII-only: compare names with the Python normaliser instead.

    SQLite has no time zones either: ``recall_local_date`` gives a stored UTC timestamp's date in
    the application's time zone, so the age check sees the signing day as signing did.
    """
    dbapi = db.session.connection().connection.dbapi_connection
    dbapi.create_function("recall_norm_name", 1, normalise_name, deterministic=True)
    zone = local_zone()

    def local_date(value: str | None) -> str | None:
        if value is None:
            return None
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:  # stored as UTC without an offset
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(zone).date().isoformat()

    dbapi.create_function("recall_local_date", 1, local_date, deterministic=True)


def _day_key(expr):
    """An integer YYYYMMDD of a date or a UTC timestamp (tuple order of dates as a number)."""
    if _dialect() == "postgresql":
        return sa.cast(sa.func.to_char(expr, "YYYYMMDD"), sa.Integer)
    return sa.cast(sa.func.strftime("%Y%m%d", expr), sa.Integer)


def _local_date(col):
    """The signing day in the application's time zone (as signing and counts per day use).

    On SQLite through ``recall_local_date`` (see :func:`_register_sqlite_functions`).
    """
    if _dialect() == "postgresql":
        return sa.func.timezone(local_zone().key, col)
    return sa.func.recall_local_date(col)


def _filed(petition_id: int):
    return sa.and_(Signature.petition_id == petition_id, Signature.status.in_(FILED_STATUSES))


def _counted():
    """Mirror of ``recall.services.signing.counting.is_counted`` in SQL."""
    return sa.and_(
        Signature.status == SignatureStatus.CONFIRMED,
        Signature.duplicate_of_id.is_(None),
        Signature.check_status != CheckStatus.INVALID,
        Signature.shadow_ban_id.is_(None),
    )


# ---------------------------------------------------------------- run_checks


@dataclass
class CheckResult:
    """What one run found: verdicts by status and reason, and the change to the public count."""

    petition_id: int
    checked: int
    by_status: dict[str, int]
    by_reason: dict[str, int]
    count_change: int

    def summary(self) -> str:
        reasons = ", ".join(f"{k}: {v}" for k, v in sorted(self.by_reason.items())) or "-"
        return (
            f"Petition {self.petition_id}: {self.checked} checked; "
            + ", ".join(f"{k} {v}" for k, v in sorted(self.by_status.items()))
            + f"; reasons: {reasons}; count change {self.count_change:+d}"
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
    if _dialect() == "sqlite":
        _register_sqlite_functions()
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
    result = _tally(petition_id, count_change)
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


# The rolls in force (``voter_roll.rolls_in_force``): which import counts for which district over
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


def _key(day) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def _fill_periods(periods) -> None:
    db.session.execute(sa.text(f"DROP TABLE IF EXISTS {_PERIODS.name}"))
    _PERIODS.create(db.session.connection())
    db.session.execute(
        sa.insert(_PERIODS),
        [
            {
                "import_id": p.import_id,
                "district_number": p.district_number,
                "start_key": _key(p.start) if p.start else 0,
                "end_key": _key(p.end) if p.end else _NO_END,
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
            _int(_counted()).label("was_counted"),
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
    signing_key = _day_key(_local_date(base.c.created_at))
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
            _norm(entry.full_name) == _norm(base.c.full_name),
        )
        .exists()
    )
    # Under age on the signing day: (birth + 18 years) as YYYYMMDD after the signing date.
    birth_key = _day_key(sa.func.coalesce(base.c.birth_date, roll_birth))
    under_age = birth_key + ADULT_AGE * 10000 > _day_key(_local_date(base.c.created_at))
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
    if _dialect() == "postgresql":
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
    if _dialect() == "postgresql":
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


def _tally(petition_id: int, count_change: int = 0) -> CheckResult:
    rows = db.session.execute(
        sa.select(Signature.check_status, Signature.reason_code, sa.func.count())
        .where(_filed(petition_id))
        .group_by(Signature.check_status, Signature.reason_code)
    ).all()
    by_status: Counter = Counter()
    by_reason: Counter = Counter()
    for status, reason, n in rows:
        by_status[CheckStatus(status).value] += n
        if reason:
            by_reason[reason] += n
    checked = sum(n for s, n in by_status.items() if s != CheckStatus.UNCHECKED.value)
    return CheckResult(petition_id, checked, dict(by_status), dict(by_reason), count_change)


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


# ---------------------------------------------------------------- sampling


def _rule(petition: Petition):
    return petition.rule_version.to_rule()


def filed_ids(petition_id: int) -> list[int]:
    """Sorted ids of the raw signatures filed: the pool a sample is drawn from."""
    return list(
        db.session.scalars(
            sa.select(Signature.id).where(_filed(petition_id)).order_by(Signature.id)
        )
    )


def draw_sample(actor: User | None, petition_id: int, *, seed: str | None = None) -> SampleDraw:
    """Draw the random sample of a petition (rule ``verification_method`` = random_sample).

    The sample size is ``sampling.sample_size(raw, rule.sample_percent, rule.sample_minimum)``;
    the seed (fresh unless given, e.g. from a public ceremony) is stored and published, so anyone
    can redraw the same ids from the sorted filed ids. One draw per petition (Conflict on a second:
    redrawing until a result pleases is exactly what must be impossible). The result is computed
    at once if every sampled signature has a verdict, else by :func:`complete_sample`.
    """
    petition = get_petition(actor, petition_id)
    rule = _rule(petition)
    if rule.verification_method != "random_sample":
        raise Conflict(
            _("This petition's rule counts every signature; there is no sample to draw.")
        )
    if petition.state != PetitionState.UNDER_VERIFICATION:
        raise Conflict(
            _("Run the checks first: a sample is drawn while the petition is under verification.")
        )
    if (
        db.session.scalar(sa.select(SampleDraw.id).where(SampleDraw.petition_id == petition_id))
        is not None
    ):
        raise Conflict(_("The sample of this petition has already been drawn."))
    if seed is not None:
        seed = seed.strip()
        if not seed or len(seed) > 64:
            raise Invalid(_("The seed must be 1 to 64 characters."), field="seed")
    pool = filed_ids(petition_id)
    if not pool:
        raise Conflict(_("No signatures were filed."))
    if rule.uses_full_count(len(pool)):
        raise Conflict(
            _(
                "With %(n)d signatures filed the rule asks for a full count: every signature is "
                "checked, no sample is drawn.",
                n=len(pool),
            )
        )
    n = sampling.sample_size(len(pool), rule.sample_percent or Decimal(5), rule.sample_minimum or 0)
    seed = seed or sampling.new_seed()
    draw = SampleDraw(
        petition_id=petition_id,
        seed=seed,
        raw=len(pool),
        sample_size=n,
        sampled_ids=sampling.draw_sample(pool, n, seed),
        required=petition.required_signatures or 0,
        drawn_by_id=actor.id if actor else None,
    )
    db.session.add(draw)
    db.session.flush()
    append_audit(
        "verification.sample_drawn",
        actor.id if actor else None,
        "petition",
        petition_id,
        petition.body_id,
        {"draw_id": draw.id, "seed": seed, "raw": draw.raw, "n": n},
    )
    _complete_if_ready(draw, actor)
    return draw


REDRAW_METHOD = (
    "Python 3: ids = sorted(pool_ids); "
    "rng = random.Random(int.from_bytes(hashlib.sha256(seed.encode('utf-8')).digest(), 'big')); "
    "sampled_ids = sorted(rng.sample(ids, n))"
)


def public_sample(petition_id: int, *, with_pool: bool = False) -> dict[str, Any] | None:
    """The published random sample of a petition, or None before a draw. Public: no personal data.

    Everything anyone needs to redraw it and recompute the projection: the seed, ``raw`` and ``n``,
    the sampled ids, the method (``REDRAW_METHOD``, i.e. ``recall.rules.sampling.draw_sample``)
    and, once computed, v, d, the projection with its formula and the outcome. ``with_pool`` adds
    ``pool_ids``: the sorted ids of the raw signatures filed, the pool the sample was drawn from
    (it no longer changes once the petition is under verification, which a draw requires).
    """
    draw = db.session.scalar(sa.select(SampleDraw).where(SampleDraw.petition_id == petition_id))
    if draw is None:
        return None
    data: dict[str, Any] = {
        "petition_id": petition_id,
        "seed": draw.seed,
        "raw": draw.raw,
        "n": draw.sample_size,
        "sampled_ids": list(draw.sampled_ids),
        "required": draw.required,
        "v": draw.valid,
        "d": draw.duplicates,
        "projected": draw.projected,
        "formula": draw.formula,
        "outcome": draw.outcome,
        "drawn_at": draw.created_at.isoformat(),
        "method": REDRAW_METHOD,
    }
    if with_pool:
        data["pool_ids"] = filed_ids(petition_id)
    certified = db.session.scalar(sa.select(Petition.state).where(Petition.id == petition_id))
    data["verdicts"] = (
        sample_verdicts(draw.sampled_ids)
        if draw.outcome is not None and certified in CERTIFIED_STATES
        else None
    )
    return data


# Once certified, the sample's verdicts are public: ids and reason codes are not personal data.
CERTIFIED_STATES = frozenset(
    {
        PetitionState.QUALIFIED,
        PetitionState.FAILED,
        PetitionState.RECALLED,
        PetitionState.NOT_RECALLED,
    }
)


def sample_verdicts(sampled_ids: list[int]) -> list[dict[str, Any]]:
    """Each sampled signature's verdict, reason code and, for a duplicate, the id and verdict of
    the signature it repeats; enough for ``recall.rules.sampling.count_sample`` to give v and d."""
    kept = sa.orm.aliased(Signature)
    rows = db.session.execute(
        sa.select(
            Signature.id,
            Signature.check_status,
            Signature.reason_code,
            Signature.duplicate_of_id,
            kept.check_status,
        )
        .outerjoin(kept, kept.id == Signature.duplicate_of_id)
        .where(Signature.id.in_(sampled_ids))
        .order_by(Signature.id)
    )
    return [
        {
            "id": sid,
            "verdict": CheckStatus(status).value,
            "reason_code": reason,
            "duplicate_of_id": duplicate_of,
            "kept_verdict": CheckStatus(kept_status).value if kept_status else None,
        }
        for sid, status, reason, duplicate_of, kept_status in rows
    ]


def complete_sample(actor: User | None, petition_id: int) -> SampleDraw:
    """Compute the projection of a drawn sample once every sampled signature has a verdict."""
    petition = get_petition(actor, petition_id)
    draw = db.session.scalar(sa.select(SampleDraw).where(SampleDraw.petition_id == petition.id))
    if draw is None:
        raise Conflict(_("No sample has been drawn."))
    if draw.outcome is not None:
        return draw
    if not _complete_if_ready(draw, actor):
        raise Conflict(_("Some sampled signatures still await a decision."))
    return draw


def _complete_if_ready(draw: SampleDraw, actor: User | None) -> bool:
    rows = dict(
        db.session.execute(
            sa.select(Signature.check_status, sa.func.count())
            .where(Signature.id.in_(draw.sampled_ids))
            .group_by(Signature.check_status)
        ).all()
    )
    rows = {CheckStatus(s): n for s, n in rows.items()}
    if rows.get(CheckStatus.UNCHECKED) or rows.get(CheckStatus.REVIEW):
        return False
    valid, duplicates = _sample_v_d(draw.sampled_ids)
    record_projection(actor, draw, valid=valid, duplicates=duplicates)
    return True


def _sample_v_d(sampled_ids: list[int]) -> tuple[int, int]:
    """v and d as the California method counts them within the sample (2 CCR 20530-20532).

    The penalty ``C = ceil(A x (A - 1) x d)`` scales *pairs found inside the sample* up to the
    whole file (a pair lands in the sample with probability about (n/raw)^2). Our checks find
    duplicates across the whole file, so a sampled signature marked ``duplicate`` is counted the
    way a sample-only check would see it: when the signature kept for that voter was sampled too,
    the pair is in the sample (one duplicate, d); otherwise the duplicate looks like an ordinary
    signature, valid if the kept one is valid (v). Counting every sampled duplicate as d would
    charge each one about A^2 signatures (over 1,000 in the official example) instead of A.
    """
    in_sample = Signature.id.in_(sampled_ids)
    valid = (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Signature)
            .where(in_sample, Signature.check_status == CheckStatus.VALID)
        )
        or 0
    )
    kept = sa.orm.aliased(Signature)
    dup = sa.and_(
        in_sample, Signature.reason_code == "duplicate", Signature.duplicate_of_id.is_not(None)
    )
    pairs = (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Signature)
            .where(dup, Signature.duplicate_of_id.in_(sampled_ids))
        )
        or 0
    )
    looks_valid = (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Signature)
            .join(kept, kept.id == Signature.duplicate_of_id)
            .where(
                dup,
                Signature.duplicate_of_id.notin_(sampled_ids),
                kept.check_status == CheckStatus.VALID,
            )
        )
        or 0
    )
    return valid + looks_valid, pairs


def record_projection(
    actor: User | None, draw: SampleDraw, *, valid: int, duplicates: int
) -> SampleDraw:
    """Project the valid signatures of a draw (California method) and store the outcome.

    ``projected`` and ``formula`` come from ``recall.rules.sampling.project_valid``; the outcome
    (qualifies / full_count / fails) from ``sample_outcome`` with the rule's bounds. Appends an
    audit entry. Raises Invalid for inconsistent numbers.
    """
    petition = db.session.get(Petition, draw.petition_id)
    require_commissioner(actor, petition.body_id)
    rule = _rule(petition)
    try:
        projection = sampling.project_valid(draw.raw, draw.sample_size, valid, duplicates)
        outcome = sampling.sample_outcome(
            projection.projected, draw.required, rule.full_count_upper, rule.full_count_lower
        )
    except ValueError as exc:
        raise Invalid(str(exc), field="sample") from None
    draw.valid, draw.duplicates = valid, duplicates
    draw.projected, draw.formula, draw.outcome = projection.projected, projection.formula, outcome
    draw.completed_at = utcnow()
    db.session.flush()
    append_audit(
        "verification.sample_projected",
        actor.id if actor else None,
        "petition",
        petition.id,
        petition.body_id,
        {
            "draw_id": draw.id,
            "seed": draw.seed,
            "raw": draw.raw,
            "n": draw.sample_size,
            "v": valid,
            "d": duplicates,
            "projected": projection.projected,
            "required": draw.required,
            "outcome": outcome,
        },
    )
    return draw


# ---------------------------------------------------------------- report


@dataclass
class Report:
    """The verification report of one petition (also the numbers a certification freezes)."""

    petition_id: int
    method: str
    required: int
    raw: int
    checked: int
    valid: int
    invalid: int
    review: int
    unchecked: int
    invalid_by_reason: dict[str, int]
    draw: dict[str, Any] | None = None
    outcome: str | None = None  # qualified / failed / full_count_needed / pending
    outcome_basis: str = ""
    reason_labels: dict[str, str] = field(default_factory=dict)

    def numbers(self) -> dict[str, Any]:
        """The JSON-safe numbers (what a certification proposal stores and confirms)."""
        return {
            "method": self.method,
            "required": self.required,
            "raw": self.raw,
            "checked": self.checked,
            "valid": self.valid,
            "invalid": self.invalid,
            "review": self.review,
            "unchecked": self.unchecked,
            "invalid_by_reason": dict(sorted(self.invalid_by_reason.items())),
            "draw": self.draw,
            "outcome": self.outcome,
        }


def report(actor: User | None, petition_id: int) -> Report:
    """Counts by verdict and reason, the sample projection if any, and the outcome they lead to.

    ``method`` is ``full_count`` when the rule's method is, or when no more signatures were filed
    than the rule's ``full_count_max_signatures`` (then no projection is shown).
    Outcome: ``pending`` while signatures are unchecked or in review (full count) or the sample is
    not complete; for a full count ``qualified`` when valid >= required else ``failed``; for a
    sample ``qualified`` / ``failed`` / ``full_count_needed`` (then every signature's verdict
    decides, as in a full count).
    """
    petition = get_petition(actor, petition_id)
    rule = _rule(petition)
    tally = _tally(petition_id)
    required = petition.required_signatures or 0
    by_status = tally.by_status
    invalid_by_reason = dict(
        db.session.execute(
            sa.select(Signature.reason_code, sa.func.count())
            .where(_filed(petition_id), Signature.check_status == CheckStatus.INVALID)
            .group_by(Signature.reason_code)
        ).all()
    )
    # A shadow-banned source's signatures never count (issue 18): not as valid either.
    banned_valid = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Signature)
        .where(
            _filed(petition_id),
            Signature.check_status == CheckStatus.VALID,
            Signature.shadow_ban_id.is_not(None),
        )
    )
    raw = sum(by_status.values())
    if banned_valid:
        by_status = {**by_status, "valid": by_status.get("valid", 0) - banned_valid}
    # A rule may ask for a full count of small petitions (California EC 11225(a): 500 or fewer).
    method = "full_count" if rule.uses_full_count(raw) else rule.verification_method
    rep = Report(
        petition_id=petition_id,
        method=method,
        required=required,
        raw=raw,
        checked=tally.checked,
        valid=by_status.get("valid", 0),
        invalid=by_status.get("invalid", 0),
        review=by_status.get("review", 0),
        unchecked=by_status.get("unchecked", 0),
        invalid_by_reason={str(k): v for k, v in invalid_by_reason.items()},
        reason_labels={str(k): label_for(k) for k in invalid_by_reason},
    )
    full_count_done = rep.unchecked == 0 and rep.review == 0 and raw > 0
    full_outcome = (
        ("qualified" if rep.valid >= required else "failed") if full_count_done else "pending"
    )
    if method == "random_sample":
        draw = db.session.scalar(sa.select(SampleDraw).where(SampleDraw.petition_id == petition_id))
        if draw is not None:
            rep.draw = {
                "id": draw.id,
                "seed": draw.seed,
                "raw": draw.raw,
                "n": draw.sample_size,
                "v": draw.valid,
                "d": draw.duplicates,
                "projected": draw.projected,
                "required": draw.required,
                "formula": draw.formula,
                "outcome": draw.outcome,
                "upper": str(rule.full_count_upper),
                "lower": str(rule.full_count_lower),
                "drawn_at": draw.created_at.isoformat(),
            }
        if draw is None or draw.outcome is None:
            rep.outcome, rep.outcome_basis = "pending", "sample"
        elif draw.outcome == "qualifies":
            rep.outcome, rep.outcome_basis = "qualified", "sample"
        elif draw.outcome == "fails":
            rep.outcome, rep.outcome_basis = "failed", "sample"
        else:
            rep.outcome = full_outcome if full_count_done else "full_count_needed"
            rep.outcome_basis = "full_count"
    else:
        rep.outcome, rep.outcome_basis = full_outcome, "full_count"
    return rep


REPORT_CSV_HEADER = ("item", "value")


def report_rows(rep: Report) -> list[tuple[str, Any]]:
    """The report as (item, value) rows for the CSV download."""
    rows: list[tuple[str, Any]] = [
        ("petition_id", rep.petition_id),
        ("method", rep.method),
        ("required", rep.required),
        ("raw", rep.raw),
        ("checked", rep.checked),
        ("valid", rep.valid),
        ("invalid", rep.invalid),
        ("review", rep.review),
        ("unchecked", rep.unchecked),
    ]
    rows += [(f"invalid:{code}", n) for code, n in sorted(rep.invalid_by_reason.items())]
    if rep.draw:
        rows += [(f"sample:{k}", v) for k, v in rep.draw.items()]
    rows += [("outcome", rep.outcome), ("outcome_basis", rep.outcome_basis)]
    return rows
