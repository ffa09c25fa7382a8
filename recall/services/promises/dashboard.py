"""What a monitor sees after log-in: their organization's work and what waits for it."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from recall.errors import Forbidden
from recall.extensions import db
from recall.models.deputy import Deputy
from recall.models.promise import (
    Dispute,
    DisputeState,
    Promise,
    PromiseStatus,
    PromiseStatusChange,
)
from recall.models.user import Organization, User
from recall.services.promises.tips import count_new_tips

RECENT = 15


@dataclass(frozen=True)
class MonitorDashboard:
    organization: Organization
    recent_ratings: list[PromiseStatusChange]  # the organization's latest ratings
    open_disputes: list[Dispute]  # of the organization's ratings, or raised by it
    awaiting_evidence: list[Promise]  # recorded by the organization and not rated yet
    deputies: list[Deputy]  # for "record a promise"
    new_tips: int  # tips from citizens waiting for triage (any monitor may triage them)


def monitor_dashboard(actor: User) -> MonitorDashboard:
    """The dashboard of ``actor``'s organization. Forbidden for anyone who is not a monitor."""
    org = actor.organization if actor is not None else None
    if org is None:
        raise Forbidden(_("Only monitors of an organization have a dashboard."))
    ratings = db.session.scalars(
        sa.select(PromiseStatusChange)
        .where(PromiseStatusChange.organization_id == org.id)
        .options(joinedload(PromiseStatusChange.promise), joinedload(PromiseStatusChange.monitor))
        .order_by(PromiseStatusChange.id.desc())
        .limit(RECENT)
    ).all()
    disputes = db.session.scalars(
        sa.select(Dispute)
        .join(PromiseStatusChange, PromiseStatusChange.id == Dispute.status_change_id)
        .where(
            Dispute.state == DisputeState.OPEN,
            sa.or_(
                PromiseStatusChange.organization_id == org.id,
                Dispute.raised_by_organization_id == org.id,
            ),
        )
        .options(joinedload(Dispute.promise))
        .order_by(Dispute.id)
    ).all()
    waiting = db.session.scalars(
        sa.select(Promise)
        .where(
            Promise.organization_id == org.id,
            Promise.status == PromiseStatus.NOT_YET_RATED,
            Promise.merged_into_id.is_(None),
        )
        .options(joinedload(Promise.deputy))
        .order_by(Promise.made_on)
        .limit(50)
    ).all()
    deputies = db.session.scalars(sa.select(Deputy).order_by(Deputy.full_name)).all()
    return MonitorDashboard(
        org, list(ratings), list(disputes), list(waiting), list(deputies), count_new_tips()
    )
