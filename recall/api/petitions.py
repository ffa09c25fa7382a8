"""Recall petitions as JSON (reading)."""
from __future__ import annotations

from flask import request
from flask_login import current_user

from recall.api import bp
from recall.api.petitions_schemas import petition_json, petition_summary_json
from recall.api.schemas import page_json
from recall.security import public
from recall.services import petitions


@bp.get("/petitions")
@public
def list_petitions():
    page = petitions.list_petitions(petitions.parse_filters(request.args), request.args.get("page", type=int),
                                    request.args.get("per_page", type=int))
    return page_json(page, petition_summary_json)


@bp.get("/petitions/<int:petition_id>")
@public
def get_petition(petition_id: int):
    viewer = current_user if current_user.is_authenticated else None
    return petition_json(petitions.get_petition(petition_id), viewer)
