"""Deputies, districts and bodies as JSON."""

from __future__ import annotations

from flask import request

from recall.api import bp
from recall.api import openapi_schemas as s
from recall.api.openapi import PAGE_HEADERS, documented
from recall.api.schemas import (
    body_json,
    deputy_json,
    district_json,
    district_match_json,
    page_json,
)
from recall.replica import lag_tolerant
from recall.security import public
from recall.services.appeals import queries
from recall.services.deputies import directory, localities, popolo_export


@bp.get("/deputies")
@documented(
    "List deputies",
    tags=("deputies",),
    response=s.DeputyPage,
    query=s.DeputyQuery,
    headers=PAGE_HEADERS,
)
@public
@lag_tolerant
def list_deputies():
    page = directory.list_deputies(
        directory.parse_filters(request.args),
        request.args.get("page", type=int),
        request.args.get("per_page", type=int),
    )
    return page_json(page, deputy_json)


@bp.get("/deputies/<int:deputy_id>")
@documented(
    "One deputy, with how they answer constituents' appeals",
    tags=("deputies",),
    response=s.DeputyDetail,
)
@public
@lag_tolerant
def get_deputy(deputy_id: int):
    deputy = directory.get_deputy(deputy_id)
    return {**deputy_json(deputy), "appeals": queries.responsiveness(deputy.id).as_dict()}


@bp.get("/districts")
@documented(
    "Find districts by where one lives",
    tags=("deputies",),
    response=s.DistrictMatchPage,
    query=s.DistrictQuery,
    headers=PAGE_HEADERS,
    errors=(422,),
    description="Every district with a locality, street or name containing every word of `q`, "
    "in any script (Тулегенова finds Tulegenova): a place split between districts lists each.",
)
@public
@lag_tolerant
def find_districts():
    page = localities.find_districts(
        request.args.get("q"),
        request.args.get("page", type=int),
        request.args.get("per_page", type=int),
    )
    return page_json(page, district_match_json)


@bp.get("/districts/<int:district_id>")
@documented("A district with its deputies", tags=("deputies",), response=s.DistrictWithDeputies)
@public
@lag_tolerant
def get_district(district_id: int):
    district = directory.get_district(district_id)
    return {
        **district_json(district),
        "deputies": [deputy_json(d) for d in directory.district_deputies(district)],
    }


@bp.get("/bodies")
@documented("The bodies (Mazhilis, maslikhats)", tags=("deputies",), response=s.BodyList)
@public
@lag_tolerant
def list_bodies():
    return {"items": [body_json(b) for b in directory.list_bodies()]}


@bp.get("/popolo.json")
@documented(
    "Bodies, districts, parties and deputies as Popolo (re-importable)",
    tags=("deputies", "downloads"),
    response=s.PopoloOut,
)
@public
def popolo_json():
    return popolo_export.popolo_export()
