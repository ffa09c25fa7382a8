"""Reading appeals: the page of one (drafts and moderation only for those who may see them), the
public list and its filters, a user's own, the addressees to choose from, and a deputy's
responsiveness (how many appeals answered, and how fast)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from recall.errors import NotFound
from recall.extensions import db
from recall.models import Body, Deputy, District, User
from recall.models.appeal import (
    Appeal,
    AppealPromise,
    AppealState,
)
from recall.models.base import utcnow
from recall.models.deputy import DeputyStatus
from recall.models.promise import Promise
from recall.models.user import Role
from recall.services.appeals.signing import fill_counts
from recall.services.appeals.states import (
    PUBLIC_STATES,
    is_public,
    public_clause,
)
from recall.services.list_filters import parse_row_ids, parse_state
from recall.services.pagination import Page, paginate

S = AppealState


def appeal_for_page(appeal_id: int, viewer: User | None = None) -> Appeal:
    """An appeal with its addressee, body, district and history. Drafts, appeals in moderation
    and rejected ones are shown only to their author and to moderators (others: 404)."""
    appeal = db.session.scalar(
        sa.select(Appeal)
        .where(Appeal.id == appeal_id)
        .options(
            joinedload(Appeal.deputy),
            joinedload(Appeal.body),
            joinedload(Appeal.district),
            selectinload(Appeal.history),
        )
    )
    if appeal is None or not can_see(appeal, viewer):
        raise NotFound(_("No such appeal."))
    return fill_counts([appeal])[0]


def can_see(appeal: Appeal, viewer: User | None) -> bool:
    if is_public(appeal):
        return True
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return False
    return appeal.author_id == viewer.id or viewer.has_role(Role.MODERATOR)


def cited_promises(appeal: Appeal) -> list[Promise]:
    return list(
        db.session.scalars(
            sa.select(Promise)
            .join(AppealPromise, AppealPromise.promise_id == Promise.id)
            .where(AppealPromise.appeal_id == appeal.id)
            .order_by(Promise.id)
        )
    )


def history_actors(appeal: Appeal) -> dict[int, str]:
    """Display names of the people in an appeal's history (moderators, deputies, the author)."""
    ids = {h.actor_id for h in appeal.history if h.actor_id is not None}
    if not ids:
        return {}
    rows = db.session.execute(sa.select(User.id, User.display_name).where(User.id.in_(ids)))
    return {row[0]: row[1] for row in rows}


@dataclass(frozen=True)
class AppealFilters:
    state: AppealState | None = None
    deputy_id: int | None = None
    body_id: int | None = None
    district_id: int | None = None


def parse_filters(args) -> AppealFilters:
    """Read list filters (state, deputy, body, district) from a query string; ``Invalid`` names
    the bad one. Only public states can be listed."""
    state = parse_state(args, sorted(s.value for s in PUBLIC_STATES))
    values = parse_row_ids(args, ("deputy", "body", "district"))
    return AppealFilters(
        state=AppealState(state) if state else None,
        deputy_id=values["deputy"],
        body_id=values["body"],
        district_id=values["district"],
    )


def list_appeals(
    filters: AppealFilters, page: int | None = 1, per_page: int | None = 20
) -> Page[Appeal]:
    """Public appeals matching ``filters``, newest first. ``district`` matches appeals to the
    district's deputy and appeals to the district's body."""
    query = sa.select(Appeal).where(public_clause())
    if filters.state:
        query = query.where(Appeal.state == filters.state)
    if filters.deputy_id:
        query = query.where(Appeal.deputy_id == filters.deputy_id)
    if filters.body_id:
        query = query.where(Appeal.body_id == filters.body_id)
    if filters.district_id:
        district_body = sa.select(District.body_id).where(District.id == filters.district_id)
        query = query.where(
            sa.or_(
                Appeal.district_id == filters.district_id,
                sa.and_(Appeal.deputy_id.is_(None), Appeal.body_id.in_(district_body)),
            )
        )
    query = query.options(
        joinedload(Appeal.deputy), joinedload(Appeal.body), joinedload(Appeal.district)
    ).order_by(Appeal.opens_at.desc(), Appeal.id.desc())
    found = paginate(query, page, per_page)
    fill_counts(list(found.items))
    return found


def my_appeals(actor: User) -> list[Appeal]:
    """The appeals ``actor`` wrote, in any state, newest first."""
    return list(
        db.session.scalars(
            sa.select(Appeal)
            .where(Appeal.author_id == actor.id)
            .options(joinedload(Appeal.deputy), joinedload(Appeal.body))
            .order_by(Appeal.id.desc())
        )
    )


def addressees() -> tuple[list[Deputy], list[Body]]:
    """Who an appeal can be addressed to: serving deputies and bodies, by name."""
    deputies = list(
        db.session.scalars(
            sa.select(Deputy)
            .where(Deputy.status == DeputyStatus.SERVING)
            .order_by(Deputy.full_name, Deputy.id)
        )
    )
    bodies = list(db.session.scalars(sa.select(Body).order_by(Body.name, Body.id)))
    return deputies, bodies


@dataclass(frozen=True)
class Responsiveness:
    """How a deputy answers appeals: of the public appeals addressed to them, how many reached
    the threshold, were answered on time or late, are overdue or still within their time."""

    published: int
    reached_threshold: int
    answered_on_time: int
    answered_late: int
    overdue: int
    awaiting: int

    def as_dict(self) -> dict[str, int]:
        return {
            "published": self.published,
            "reached_threshold": self.reached_threshold,
            "answered_on_time": self.answered_on_time,
            "answered_late": self.answered_late,
            "overdue": self.overdue,
            "awaiting": self.awaiting,
        }


def responsiveness(deputy_id: int, now: datetime | None = None) -> Responsiveness:
    """The figures of one deputy in one statement (``rules.appeals.answer_timeliness`` in SQL:
    on time is answered by the due date; overdue is unanswered after it)."""
    now = now or utcnow()
    due, answered = Appeal.response_due_at, Appeal.answered_at

    def count(condition):
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    row = db.session.execute(
        sa.select(
            sa.func.count(),
            count(Appeal.threshold_reached_at.is_not(None)),
            count(sa.and_(due.is_not(None), answered.is_not(None), answered <= due)),
            count(sa.and_(due.is_not(None), answered > due)),
            count(sa.and_(due.is_not(None), answered.is_(None), due < now)),
            count(sa.and_(due.is_not(None), answered.is_(None), due >= now)),
        ).where(Appeal.deputy_id == deputy_id, public_clause())
    ).one()
    return Responsiveness(*(int(v) for v in row))


def deputy_appeals(deputy_id: int, limit: int = 10) -> list[Appeal]:
    """The newest public appeals to a deputy, for the deputy page."""
    appeals = list(
        db.session.scalars(
            sa.select(Appeal)
            .where(Appeal.deputy_id == deputy_id, public_clause())
            .order_by(Appeal.opens_at.desc(), Appeal.id.desc())
            .limit(limit)
        )
    )
    return fill_counts(appeals)
