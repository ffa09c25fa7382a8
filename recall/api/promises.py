"""Promises as JSON and CSV: ``/api/v1/promises``, ``/api/v1/promises.csv``, ``/api/v1/deputies/<id>/promises``.

Filters (``status topic deputy body party district from to q sort``) are read by
``promise_queries.parse_filters``; a bad value answers 422 with the field named.
"""

from __future__ import annotations

from datetime import date

from flask import request
from flask_babel import gettext as _
from flask_login import current_user

from recall.api import bp
from recall.api import openapi_schemas as s
from recall.api.openapi import PAGE_HEADERS, documented
from recall.api.promise_schemas import (
    dispute_json,
    promise_json,
    scorecard_json,
    status_change_json,
)
from recall.api.schemas import deputy_json, page_json
from recall.api.scopes import scope
from recall.api.signatures import json_object, text_value
from recall.csv_response import csv_response
from recall.errors import Invalid
from recall.extensions import db
from recall.models import Role
from recall.replica import lag_tolerant
from recall.rules.numbers import int_or_none
from recall.security import public, roles_required
from recall.services.deputies import directory
from recall.services.promises import queries
from recall.services.promises import recording as service


def _page_args() -> tuple[int | None, int | None]:
    return request.args.get("page", type=int), request.args.get("per_page", type=int)


@bp.get("/promises")
@documented(
    "List promises with a scorecard",
    tags=("promises",),
    response=s.PromisePage,
    query=s.PromiseQuery,
    headers=PAGE_HEADERS,
    errors=(422,),
)
@public
@lag_tolerant
def list_promises():
    filters = queries.parse_filters(request.args)
    page = queries.list_promises(filters, *_page_args(), with_details=True)
    return {
        **page_json(page, promise_json),
        "scorecard": scorecard_json(queries.scorecard(queries.status_counts(filters))),
    }


@bp.get("/promises.csv")
@documented(
    "Promises as CSV",
    tags=("promises", "downloads"),
    query=s.PromiseCsvQuery,
    content_type="text/csv",
    errors=(422,),
)
@public
@lag_tolerant
def export_promises_csv():
    return csv_response(queries.csv_rows(queries.parse_filters(request.args)), "promises.csv")


@bp.get("/promises/<int:promise_id>")
@documented(
    "One promise with its sources, history and disputes", tags=("promises",), response=s.PromiseOut
)
@public
@lag_tolerant
def get_promise(promise_id: int):
    return promise_json(service.get_promise(promise_id))


@bp.get("/deputies/<int:deputy_id>/promises")
@documented(
    "A deputy's promises and scorecard",
    tags=("promises",),
    response=s.DeputyPromisePage,
    query=s.PromiseQuery,
    headers=PAGE_HEADERS,
    errors=(422,),
)
@public
@lag_tolerant
def deputy_promises(deputy_id: int):
    deputy = directory.get_deputy(deputy_id)
    args = {**request.args.to_dict(), "deputy": str(deputy.id)}
    filters = queries.parse_filters(args)
    page = queries.list_promises(filters, *_page_args(), with_details=True)
    return {
        **page_json(page, promise_json),
        "deputy": deputy_json(deputy),
        "scorecard": scorecard_json(queries.deputy_scorecard(deputy.id)),
    }


# ---------------------------------------------------------------- writing (monitors' programs)


def _date_value(data: dict, key: str) -> date | None:
    """An ISO 8601 date (``YYYY-MM-DD``) from the JSON body; None when absent."""
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise Invalid(_("Use a date as YYYY-MM-DD."), field=key)


def _links(data: dict, key: str) -> list[str] | str | None:
    """Evidence links: a list of strings or one string with links separated by spaces."""
    value = data.get(key)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    if value is None or isinstance(value, str):
        return value
    raise Invalid(_("Send the links as a list of strings."), field=key)


@bp.post("/promises")
@documented(
    "Record a promise",
    tags=("promises",),
    response=s.PromiseOut,
    status=201,
    body=s.PromiseIn,
    auth="a monitor; a token with scope promises:write",
    errors=(401, 403, 409, 413, 422),
)
@roles_required(Role.MONITOR)
@scope("promises:write")
def create_promise():
    data = json_object()
    promise = service.record_promise(
        current_user,
        service.PromiseInput(
            deputy_id=int_or_none(data.get("deputy_id")) or 0,
            title=text_value(data, "title"),
            statement=text_value(data, "statement"),
            made_on=_date_value(data, "made_on"),
            source_url=text_value(data, "source_url"),
            topic=text_value(data, "topic"),
            level=text_value(data, "level") or "",
            quotation=text_value(data, "quotation"),
        ),
        confirm_distinct=data.get("confirm_distinct") is True,
    )
    db.session.commit()
    return promise_json(promise), 201


@bp.post("/promises/<int:promise_id>/ratings")
@documented(
    "Rate a promise, with evidence",
    tags=("promises",),
    response=s.StatusChangeOut,
    status=201,
    body=s.RatingIn,
    auth="a monitor; a token with scope promises:write",
    errors=(401, 403, 409, 413, 422),
)
@roles_required(Role.MONITOR)
@scope("promises:write")
def create_rating(promise_id: int):
    data = json_object()
    change = service.change_status(
        current_user,
        promise_id,
        status=text_value(data, "status") or "",
        changed_on=_date_value(data, "changed_on"),
        explanation=text_value(data, "explanation") or "",
        evidence=_links(data, "evidence"),
        broken_reason=text_value(data, "broken_reason"),
        corrects=data.get("corrects") is True,
    )
    db.session.commit()
    return status_change_json(change), 201


@bp.post("/promises/<int:promise_id>/disputes")
@documented(
    "Dispute a promise's current rating",
    tags=("promises",),
    response=s.DisputeOut,
    status=201,
    body=s.DisputeIn,
    auth="a monitor; a token with scope promises:write",
    errors=(401, 403, 409, 413, 422),
)
@roles_required(Role.MONITOR)
@scope("promises:write")
def create_dispute(promise_id: int):
    data = json_object()
    dispute = service.raise_dispute(
        current_user,
        promise_id,
        reason=text_value(data, "reason") or "",
        evidence=_links(data, "evidence"),
    )
    db.session.commit()
    return dispute_json(dispute), 201
