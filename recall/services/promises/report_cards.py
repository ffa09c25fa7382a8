"""Monthly report cards of a deputy and of a body, rankings by share kept, and the monthly digest.

A promise's status at a moment is the status of its latest rating recorded before that moment
(``created_at``, when the tracker showed it, not the rating's ``changed_on``): a card says what
the tracker showed at the end of the month. Promises recorded later did not exist yet; merged
promises are left out, as in every list. Months are local (``recall.i18n.local_zone``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from recall.errors import Invalid
from recall.extensions import db
from recall.i18n import local_zone, start_of_local_day
from recall.models.body import Body
from recall.models.deputy import Deputy
from recall.models.notifications import Follow, FollowTarget
from recall.models.outbox import Event
from recall.models.promise import Promise, PromiseStatusChange
from recall.notifications.mail import public_url
from recall.rules.report_card import (
    Ranked,
    ReportCard,
    month_of,
    next_month,
    previous_month,
    rank_by_kept_share,
    report_card,
)
from recall.rules.scorecard import scorecard
from recall.services.lookup import get_or_raise
from recall.services.outbox import record_event

# The monthly digest's event per subject (issue 14): a deputy's card and a body's card.
DIGEST_EVENTS = {"deputy": "deputy.report_card", "body": "body.report_card"}


def parse_month(text: str | None, now: datetime) -> date:
    """The first day of the month asked for (``YYYY-MM``; this month when empty). Invalid, field
    ``month``, for anything else or a month still to come."""
    try:
        return month_of(text, now.astimezone(local_zone()).date())
    except ValueError as exc:
        raise Invalid(
            _("Give the month as YYYY-MM, not later than this one."), field="month"
        ) from exc


def _statuses_at(moment: datetime, where) -> dict[int, dict[str, int]]:
    """Per deputy, promises per status as the tracker showed them at ``moment``."""
    latest = (
        sa.select(
            PromiseStatusChange.promise_id, sa.func.max(PromiseStatusChange.id).label("change_id")
        )
        .where(PromiseStatusChange.created_at < moment)
        .group_by(PromiseStatusChange.promise_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Promise.deputy_id, PromiseStatusChange.status)
        .join(Deputy, Deputy.id == Promise.deputy_id)
        .outerjoin(latest, latest.c.promise_id == Promise.id)
        .outerjoin(PromiseStatusChange, PromiseStatusChange.id == latest.c.change_id)
        .where(Promise.created_at < moment, Promise.merged_into_id.is_(None), where)
    )
    counts: dict[int, Counter] = {}
    for deputy_id, status in rows:
        code = getattr(status, "value", status) or "not_yet_rated"
        counts.setdefault(deputy_id, Counter())[code] += 1
    return {k: dict(v) for k, v in counts.items()}


def _sum(per_deputy: dict[int, dict[str, int]]) -> dict[str, int]:
    total: Counter = Counter()
    for counts in per_deputy.values():
        total.update(counts)
    return dict(total)


def _bounds(month: date, now: datetime) -> tuple[datetime, datetime]:
    """The end of the month before ``month`` and the end of ``month`` (now, for this month)."""
    return start_of_local_day(month), min(start_of_local_day(next_month(month)), now)


@dataclass(frozen=True)
class DeputyCard:
    deputy: Deputy
    month: date
    card: ReportCard


@dataclass(frozen=True)
class BodyCard:
    body: Body
    month: date
    card: ReportCard
    rankings: list[Ranked]  # the body's deputies, by share kept
    deputies: dict[int, Deputy]


def deputy_card(deputy_id: int, month: date, now: datetime) -> DeputyCard:
    deputy = get_or_raise(Deputy, deputy_id, _("No such deputy."))
    start, end = _bounds(month, now)
    where = Promise.deputy_id == deputy_id
    card = report_card(
        _statuses_at(end, where).get(deputy_id, {}), _statuses_at(start, where).get(deputy_id, {})
    )
    return DeputyCard(deputy, month, card)


def body_card(body_id: int, month: date, now: datetime) -> BodyCard:
    body = get_or_raise(Body, body_id, _("No such body."))
    start, end = _bounds(month, now)
    where = Deputy.body_id == body_id
    at_end, at_start = _statuses_at(end, where), _statuses_at(start, where)
    deputies = {
        d.id: d for d in db.session.scalars(sa.select(Deputy).where(Deputy.id.in_(list(at_end))))
    }
    ranked = rank_by_kept_share([(k, scorecard(v)) for k, v in sorted(at_end.items())])
    return BodyCard(body, month, report_card(_sum(at_end), _sum(at_start)), ranked, deputies)


def record_monthly_digests(now: datetime) -> int:
    """Periodic (hourly; acts once a month): when a month has ended, record the card of the month
    just ended for every followed deputy with promises (``deputy.report_card``, for the deputy's
    followers) and every followed body whose deputies have promises (``body.report_card``, for
    the body's followers), delivered by the outbox and RQ like every event. Idempotent: nothing
    when a digest was recorded since the month began. Returns how many were recorded. Flushes."""
    this_month = now.astimezone(local_zone()).date().replace(day=1)
    already = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Event)
        .where(
            Event.kind.in_(DIGEST_EVENTS.values()),
            Event.created_at >= start_of_local_day(this_month),
        )
    )
    if already:
        return 0
    month = previous_month(this_month)
    start, end = start_of_local_day(month), start_of_local_day(this_month)
    recorded = 0
    for subject_type, (at_end, at_start) in (
        ("deputy", _followed_counts(FollowTarget.DEPUTY, Promise.deputy_id, start, end)),
        ("body", _followed_counts(FollowTarget.BODY, Deputy.body_id, start, end)),
    ):
        for subject_id in sorted(at_end):
            card = report_card(at_end[subject_id], at_start.get(subject_id, {}))
            payload = digest_payload(subject_type, subject_id, month, card)
            record_event(DIGEST_EVENTS[subject_type], subject_type, subject_id, payload)
            recorded += 1
    return recorded


def _followed_counts(target: FollowTarget, key, start: datetime, end: datetime):
    """Promises per status at ``end`` and at ``start`` per followed deputy or body (``key``: the
    column naming it), only those with promises at ``end``."""
    followed = sa.select(Follow.target_id).where(Follow.target_type == target)
    where = key.in_(followed)
    at_end, at_start = _statuses_at(end, where), _statuses_at(start, where)
    if target == FollowTarget.DEPUTY:
        return at_end, at_start
    deputies = sa.select(Deputy.id, Deputy.body_id).where(Deputy.id.in_(list(at_end)))
    body_of = dict(db.session.execute(deputies).all())  # a Result has keys(): dict() misreads it
    return _per_body(at_end, body_of), _per_body(at_start, body_of)


def _per_body(per_deputy: dict[int, dict[str, int]], body_of: dict[int, int]):
    grouped: dict[int, dict[int, dict[str, int]]] = {}
    for deputy_id, counts in per_deputy.items():
        if deputy_id in body_of:  # at the start: only deputies with promises at the end
            grouped.setdefault(body_of[deputy_id], {})[deputy_id] = counts
    return {body_id: _sum(deputies) for body_id, deputies in grouped.items()}


def digest_payload(subject_type: str, subject_id: int, month: date, card: ReportCard) -> dict:
    """The digest's payload: the counts, their changes and a link to the card's page."""
    share = card.now.kept_share
    key = f"{subject_type}_id"
    return {
        key: subject_id,
        "month": month.strftime("%Y-%m"),
        "kept": card.now.kept,
        "broken": card.broken,
        "in_the_works": card.in_the_works,
        "rated": card.now.rated,
        "kept_percent": None if share is None else round(float(share) * 100),
        "kept_change": card.changes["kept"],
        "broken_change": card.changes["broken"],
        "in_the_works_change": card.changes["in_the_works"],
        "report_card": public_url(
            f"promises.{subject_type}_report_card",
            month=month.strftime("%Y-%m"),
            **{key: subject_id},
        ),
    }
