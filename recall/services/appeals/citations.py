"""Appeals a recall petition cites: those of its deputy still unanswered after their due date
(an unanswered appeal is evidence for a recall), recorded with the petition."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from recall.errors import Invalid
from recall.extensions import db
from recall.models.appeal import (
    Appeal,
    AppealState,
    PetitionAppeal,
)

S = AppealState

UNANSWERED_STATES = (S.RESPONSE_DUE, S.OVERDUE)
MAX_CITED_APPEALS = 20


def citable_appeals(deputy_id: int) -> list[Appeal]:
    """Appeals to a deputy that a recall petition can cite: an answer is due or overdue."""
    return list(
        db.session.scalars(
            sa.select(Appeal)
            .where(Appeal.deputy_id == deputy_id, Appeal.state.in_(UNANSWERED_STATES))
            .order_by(Appeal.response_due_at, Appeal.id)
        )
    )


def cite_appeals(petition_id: int, deputy_id: int, appeal_ids) -> list[int]:
    """Record the appeals a new recall petition cites; each must be one of the deputy's appeals
    with an answer due or overdue (``Invalid``, field ``appeal_ids``, and nothing written)."""
    try:
        ids = sorted({int(i) for i in (appeal_ids or [])})
    except (TypeError, ValueError):
        raise Invalid(_("Appeals are named by their numbers."), field="appeal_ids") from None
    if len(ids) > MAX_CITED_APPEALS:
        raise Invalid(_("Cite at most %(n)d appeals.", n=MAX_CITED_APPEALS), field="appeal_ids")
    citable = {a.id for a in citable_appeals(deputy_id)}
    missing = [i for i in ids if i not in citable]
    if missing:
        raise Invalid(
            _(
                "Appeal %(id)d is not an unanswered appeal to this deputy.",
                id=missing[0],
            ),
            field="appeal_ids",
        )
    db.session.add_all(PetitionAppeal(petition_id=petition_id, appeal_id=i) for i in ids)
    db.session.flush()
    return ids


def cited_appeals(petition_id: int) -> list[Appeal]:
    return list(
        db.session.scalars(
            sa.select(Appeal)
            .join(PetitionAppeal, PetitionAppeal.appeal_id == Appeal.id)
            .where(PetitionAppeal.petition_id == petition_id)
            .order_by(Appeal.id)
        )
    )
