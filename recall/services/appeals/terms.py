"""A body's appeal settings (the terms: signatures needed, periods, the chair who answers for the
body), what an administrator sets and every appeal of the body runs under."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import gettext as _

from recall.errors import Forbidden, Invalid, NotFound
from recall.extensions import db
from recall.models import Body, Deputy, User
from recall.models.appeal import (
    Appeal,
    BodyAppealSettings,
)
from recall.models.deputy import DeputyStatus
from recall.models.user import Role
from recall.rules.appeals import AppealTerms
from recall.rules.numbers import int_or_none
from recall.services.audit import append_audit


def body_terms(body_id: int) -> AppealTerms:
    """The terms in force for a body's appeals (the defaults when an administrator set none)."""
    row = db.session.get(BodyAppealSettings, body_id)
    if row is None:
        return AppealTerms()
    return AppealTerms(
        open_months=row.open_months,
        threshold_count=row.threshold_count,
        threshold_share=row.threshold_share,
        response_days=row.response_days,
    )


def get_body(body_id: int) -> Body:
    body = db.session.get(Body, body_id)
    if body is None:
        raise NotFound(_("No such body."))
    return body


def body_chair(body_id: int | None) -> Deputy | None:
    """The deputy an administrator named chair of the body (``None`` when none was named)."""
    if body_id is None:
        return None
    chair_id = db.session.scalar(
        sa.select(BodyAppealSettings.chair_deputy_id).where(BodyAppealSettings.body_id == body_id)
    )
    return db.session.get(Deputy, chair_id) if chair_id else None


def answering_deputy_id(appeal: Appeal) -> int | None:
    """Who answers an appeal: the addressed deputy, or for a whole body its chair (if named)."""
    if appeal.deputy_id is not None:
        return appeal.deputy_id
    chair = body_chair(appeal.body_id)
    return chair.id if chair else None


def chair_choices(body_id: int) -> list[Deputy]:
    """The deputies an administrator may name chair of a body: its serving members."""
    return list(
        db.session.scalars(
            sa.select(Deputy)
            .where(Deputy.body_id == body_id, Deputy.status == DeputyStatus.SERVING)
            .order_by(Deputy.full_name, Deputy.id)
        )
    )


def terms_form_data(body_id: int) -> dict:
    """A body's terms as the settings form shows them."""
    terms = body_terms(body_id)
    chair = body_chair(body_id)
    return {
        "chair_deputy_id": chair.id if chair else 0,
        "open_months": str(terms.open_months),
        "response_days": str(terms.response_days),
        "threshold_count": str(terms.threshold_count) if terms.threshold_count else "",
        "threshold_share": str(terms.threshold_share) if terms.threshold_share else "",
    }


def _whole(value, field: str, low: int, high: int) -> int:
    text = str(value if value is not None else "").strip()
    if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
        raise Invalid(
            _("Enter a whole number from %(low)d to %(high)d.", low=low, high=high), field=field
        )
    return int(text)


def set_body_terms(
    actor: User,
    body_id: int,
    *,
    open_months,
    response_days,
    threshold_count=None,
    threshold_share=None,
    chair_deputy_id=None,
) -> BodyAppealSettings:
    """An administrator sets a body's appeal terms: the period in months (1-36), the days to
    respond (1-365) and exactly one threshold, a number of constituent signatures or a share of
    registered voters (a fraction above 0 and at most 1, e.g. 0.01). Running appeals keep theirs.
    ``chair_deputy_id`` names the body's chair (a serving member of the body; empty or 0: none),
    who is told and answers when an appeal to the whole body reaches its threshold."""
    if not actor.has_role(Role.ADMIN):
        raise Forbidden(_("Only administrators set the terms of appeals."))
    body = db.session.get(Body, body_id)
    if body is None:
        raise NotFound(_("No such body."))
    months = _whole(open_months, "open_months", 1, 36)
    days = _whole(response_days, "response_days", 1, 365)
    count = share = None
    has_count = threshold_count not in (None, "")
    has_share = threshold_share not in (None, "")
    if has_count == has_share:
        raise Invalid(
            _("Set either a number of signatures or a share of registered voters, not both."),
            field="threshold_count",
        )
    if has_count:
        count = _whole(threshold_count, "threshold_count", 1, 10_000_000)
    else:
        try:
            share = Decimal(str(threshold_share).strip())
        except InvalidOperation:
            share = None
        if share is None or not share.is_finite() or not Decimal(0) < share <= Decimal(1):
            raise Invalid(
                _("The share is a fraction above 0 and at most 1 (0.01 is one per cent)."),
                field="threshold_share",
            )
        share = share.quantize(Decimal("0.000001"))
        if share == 0:
            raise Invalid(
                _("The share is a fraction above 0 and at most 1 (0.01 is one per cent)."),
                field="threshold_share",
            )
    chair_id = int_or_none(chair_deputy_id) or None
    if chair_id is not None and chair_id not in {d.id for d in chair_choices(body.id)}:
        raise Invalid(
            _("The chair must be a serving deputy of this body."), field="chair_deputy_id"
        )
    row = db.session.get(BodyAppealSettings, body.id) or BodyAppealSettings(body_id=body.id)
    row.open_months, row.response_days = months, days
    row.chair_deputy_id = chair_id
    row.threshold_count, row.threshold_share = count, share
    row.updated_by_id = actor.id
    db.session.add(row)
    db.session.flush()
    append_audit(
        "appeal_terms.set",
        actor.id,
        "body",
        body.id,
        body.id,
        {
            "open_months": months,
            "response_days": days,
            "threshold_count": count,
            "threshold_share": str(share) if share is not None else None,
            "chair_deputy_id": chair_id,
        },
    )
    return row
