"""Constituent petitions (appeals) as JSON (reading)."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_login import current_user

from recall.api import bp
from recall.api import openapi_schemas as s
from recall.api.openapi import PAGE_HEADERS, documented
from recall.api.schemas import body_ref, deputy_ref, district_ref, page_json
from recall.api.signatures import (
    challenge_json,
    json_object,
    signing_fields,
    strong_signing_fields,
)
from recall.extensions import db
from recall.models.appeal import Appeal
from recall.replica import lag_tolerant
from recall.security import public, receipt_limit, signing_limit
from recall.services.appeals import queries
from recall.services.appeals import signing as appeal_signing


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def appeal_summary_json(appeal: Appeal) -> dict[str, Any]:
    return {
        "id": appeal.id,
        "state": appeal.state.value,
        "title": appeal.title,
        "addressee": "deputy" if appeal.deputy_id else "body",
        "deputy": deputy_ref(appeal.deputy) if appeal.deputy else None,
        "body": body_ref(appeal.body),
        "district": district_ref(appeal.district) if appeal.district else None,
        "opens_at": _iso(appeal.opens_at),
        "closes_at": _iso(appeal.closes_at),
        "threshold": appeal.threshold,
        "constituents": appeal.constituent_count,
        "supporters": appeal.supporter_count,
        "threshold_reached_at": _iso(appeal.threshold_reached_at),
        "response_due_at": _iso(appeal.response_due_at),
        "answered_at": _iso(appeal.answered_at),
    }


def appeal_json(appeal: Appeal) -> dict[str, Any]:
    response = None
    if appeal.answered_at is not None:
        response = {
            "text": appeal.response_text or "",
            "source": appeal.response_source,
            "answered_at": _iso(appeal.answered_at),
            "on_time": (
                appeal.answered_at <= appeal.response_due_at if appeal.response_due_at else None
            ),
        }
    return {
        **appeal_summary_json(appeal),
        "text": appeal.text,
        "ask": appeal.ask,
        "cited_promise_ids": [p.id for p in queries.cited_promises(appeal)],
        "response": response,
        "history": [
            {
                "at": _iso(h.created_at),
                "from_state": h.from_state,
                "to_state": h.to_state,
                "reason": h.reason,
            }
            for h in appeal.history
        ],
    }


@bp.get("/appeals")
@documented(
    "List constituent petitions (appeals)",
    tags=("appeals",),
    response=s.AppealPage,
    query=s.AppealQuery,
    headers=PAGE_HEADERS,
    errors=(422,),
)
@public
@lag_tolerant
def list_appeals():
    page = queries.list_appeals(
        queries.parse_filters(request.args),
        request.args.get("page", type=int),
        request.args.get("per_page", type=int),
    )
    return page_json(page, appeal_summary_json)


@bp.get("/appeals/<int:appeal_id>")
@documented(
    "One appeal with its counts, response and history", tags=("appeals",), response=s.AppealOut
)
@public
@lag_tolerant
def get_appeal(appeal_id: int):
    viewer = current_user if current_user.is_authenticated else None
    return appeal_json(queries.appeal_for_page(appeal_id, viewer))


@bp.post("/appeals/<int:appeal_id>/signatures")
@documented(
    "Sign an appeal (confirmed by an e-mailed link); the fields and answers of recall signing"
    " (a digital signature: /signatures/strong)",
    tags=("appeals", "signing"),
    response=s.ReceiptCreated,
    status=202,
    body=s.SignatureIn,
    errors=(404, 409, 413, 422, 429),
)
@public
@signing_limit
def create_appeal_signature(appeal_id: int):
    result = appeal_signing.sign_appeal(appeal_id=appeal_id, **signing_fields(json_object()))
    db.session.commit()
    return {"receipt": result.receipt}, 202


@bp.post("/appeals/<int:appeal_id>/challenge")
@documented(
    "Get a challenge to sign an appeal with a digital signature",
    tags=("appeals", "signing"),
    response=s.ChallengeOut,
    status=201,
    errors=(404, 409, 413, 422, 429),
)
@public
@signing_limit
def create_appeal_challenge(appeal_id: int):
    challenge = appeal_signing.issue_challenge(appeal_id)
    return challenge_json(challenge), 201


@bp.post("/appeals/<int:appeal_id>/signatures/strong")
@documented(
    "Sign an appeal with a digital signature (confirmed at once); the fields and answers of "
    "recall signing",
    tags=("appeals", "signing"),
    response=s.StrongReceiptCreated,
    status=201,
    body=s.StrongSignatureIn,
    errors=(404, 409, 413, 422, 429),
)
@public
@signing_limit
def create_appeal_strong_signature(appeal_id: int):
    fields = strong_signing_fields(json_object())
    result = appeal_signing.sign_appeal_strong(appeal_id=appeal_id, **fields)
    db.session.commit()
    return {"receipt": result.receipt, "status": result.status}, 201


@bp.get("/appeals/receipts/<code>")
@documented(
    "The state of one appeal signature by its receipt code",
    tags=("appeals", "signing"),
    response=s.AppealReceiptOut,
    errors=(404, 429),
)
@public
@receipt_limit
def get_appeal_receipt(code: str):
    view = appeal_signing.lookup_receipt(code)
    return {
        "appeal_id": view.appeal_id,
        "status": view.status,
        "signed_on": view.signed_on.isoformat() if view.signed_on else None,
    }


@bp.get("/appeals/<int:appeal_id>/districts")
@documented(
    "Confirmed signatures of an appeal per district (constituents' districts marked)",
    tags=("appeals",),
    response=s.AppealDistrictList,
)
@public
@lag_tolerant
def get_appeal_districts(appeal_id: int):
    viewer = current_user if current_user.is_authenticated else None
    appeal = queries.appeal_for_page(appeal_id, viewer)
    return {
        "items": [
            {
                "district_id": row.district_id,
                "number": row.number,
                "name": row.name,
                "confirmed": row.confirmed,
                "constituent": row.constituent,
            }
            for row in appeal_signing.district_counts(appeal)
        ]
    }
