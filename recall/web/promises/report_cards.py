"""Monthly report cards of a deputy and of a body (with its deputies ranked by share kept)."""

from __future__ import annotations

from flask import render_template, request

from recall.models.base import utcnow
from recall.replica import lag_tolerant
from recall.rules.report_card import next_month, previous_month
from recall.security import public
from recall.services.promises import report_cards
from recall.web.promises.routes import bp


def _month():
    now = utcnow()
    return report_cards.parse_month(request.args.get("month"), now), now


@bp.get("/deputies/<int:deputy_id>/report-card")
@public
@lag_tolerant
def deputy_report_card(deputy_id: int):
    month, now = _month()
    return _page(report_cards.deputy_card(deputy_id, month, now), now)


@bp.get("/bodies/<int:body_id>/report-card")
@public
@lag_tolerant
def body_report_card(body_id: int):
    month, now = _month()
    return _page(report_cards.body_card(body_id, month, now), now)


def _page(result, now) -> str:
    this_month = report_cards.parse_month(None, now)
    later = next_month(result.month)
    return render_template(
        "promises/report_card.html",
        result=result,
        previous=previous_month(result.month),
        later=later if later <= this_month else None,
    )
