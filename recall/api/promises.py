"""Promises as JSON and CSV: ``/api/v1/promises``, ``/api/v1/promises.csv``, ``/api/v1/deputies/<id>/promises``.

Filters (``status topic deputy body party district from to q sort``) are read by
``promise_queries.parse_filters``; a bad value answers 422 with the field named.
"""

from __future__ import annotations

from flask import request

from recall.api import bp
from recall.api import openapi_schemas as s
from recall.api.openapi import PAGE_HEADERS, documented
from recall.api.promise_schemas import promise_json, scorecard_json
from recall.api.schemas import deputy_json, page_json
from recall.csv_response import csv_response
from recall.replica import lag_tolerant
from recall.security import public
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
