"""Recall petitions as JSON (reading)."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from recall.api import bp
from recall.api import openapi_schemas as s
from recall.api.openapi import PAGE_HEADERS, documented
from recall.api.petitions_schemas import petition_json, petition_summary_json
from recall.api.schemas import page_json
from recall.csv_response import csv_response
from recall.extensions import db
from recall.models import Role
from recall.replica import lag_tolerant
from recall.security import public, roles_required
from recall.services.petitions import lifecycle as petitions
from recall.services.petitions import open_data


@bp.get("/petitions")
@documented(
    "List recall petitions",
    tags=("petitions",),
    response=s.PetitionPage,
    query=s.PetitionQuery,
    headers=PAGE_HEADERS,
    errors=(422,),
)
@public
@lag_tolerant
def list_petitions():
    page = petitions.list_petitions(
        petitions.parse_filters(request.args),
        request.args.get("page", type=int),
        request.args.get("per_page", type=int),
    )
    figures = open_data.petition_figures(page.items)
    return page_json(page, lambda p: petition_summary_json(p, figures[p.id]))


@bp.get("/petitions.csv")
@documented(
    "Petitions as CSV: one row per petition with its count and result",
    tags=("petitions", "downloads"),
    query=s.PetitionCsvQuery,
    content_type="text/csv",
    errors=(422,),
)
@public
def export_petitions_csv():
    rows = open_data.petitions_csv_rows(petitions.parse_filters(request.args))
    return csv_response(rows, "petitions.csv")


@bp.get("/petitions/daily-counts.csv")
@documented(
    "Confirmed signatures per petition, district and day, as CSV",
    tags=("petitions", "downloads"),
    query=s.PetitionCsvQuery,
    content_type="text/csv",
    errors=(422,),
)
@public
def export_daily_counts_csv():
    rows = open_data.daily_counts_csv_rows(petitions.parse_filters(request.args))
    return csv_response(rows, "petition-daily-counts.csv")


@bp.get("/petitions/<int:petition_id>")
@documented(
    "One petition with its count and threshold", tags=("petitions",), response=s.PetitionOut
)
@public
@lag_tolerant
def get_petition(petition_id: int):
    viewer = current_user if current_user.is_authenticated else None
    return petition_json(petitions.petition_for_page(petition_id), viewer)


def _json_body() -> dict:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


@bp.post("/petitions/<int:petition_id>/register")
@documented(
    "Register a submitted petition",
    tags=("commission",),
    response=s.PetitionOut,
    auth="a commissioner of the petition's body",
    errors=(401, 403, 409),
)
@roles_required(Role.COMMISSIONER)
def register_petition(petition_id: int):
    """A commissioner of the petition's body registers it (403 for any other body)."""
    petition = petitions.register_petition(current_user, petition_id)
    db.session.commit()
    return petition_json(petition, current_user)


@bp.post("/petitions/<int:petition_id>/reject")
@documented(
    "Reject a submitted petition",
    tags=("commission",),
    response=s.PetitionOut,
    body=s.RejectIn,
    auth="a commissioner of the petition's body",
    errors=(401, 403, 409, 422),
)
@roles_required(Role.COMMISSIONER)
def reject_petition(petition_id: int):
    """A commissioner of the petition's body rejects it; JSON body ``{"reason": "..."}``."""
    reason = _json_body().get("reason")
    petition = petitions.reject_petition(
        current_user, petition_id, reason if isinstance(reason, str) else ""
    )
    db.session.commit()
    return petition_json(petition, current_user)
