"""The commission's JSON API under ``/api/v1/commission`` (same services, same body checks)."""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _
from flask_login import current_user

from recall.api import bp
from recall.api import openapi_schemas as s
from recall.api.openapi import documented
from recall.api.petitions_schemas import answer_json
from recall.api.scopes import scope
from recall.errors import Invalid, NotFound
from recall.extensions import db
from recall.models import Role
from recall.rules.numbers import is_int
from recall.security import public, roles_required
from recall.services.petitions import deputy_answer
from recall.services.verification import (
    access,
    certification,
    checks,
    report,
    review,
    sample,
    voter_roll,
)

COMMISSIONER = "a commissioner of the petition's body (403 for any other body)"


def _json() -> dict:
    data = request.get_json(silent=True)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise Invalid(_("Send a JSON object."))
    return data


def _int(data: dict, name: str, required: bool = True) -> int | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if not is_int(value):
        raise Invalid(_("%(name)s must be a whole number.", name=name), field=name)
    return value


def report_json(rep: report.Report) -> dict:
    return {"petition_id": rep.petition_id, **rep.numbers(), "outcome_basis": rep.outcome_basis}


def draw_json(draw) -> dict:
    return {
        "id": draw.id,
        "petition_id": draw.petition_id,
        **sample.draw_figures(draw),
        "sampled_ids": draw.sampled_ids,
    }


def _item_json(item: review.ReviewItem) -> dict:
    sig, entry = item.signature, item.roll_entry
    return {
        "signature": {
            "id": sig.id,
            "full_name": sig.full_name,
            "iin_ref": sig.iin_ref,
            "birth_date": sig.birth_date.isoformat() if sig.birth_date else None,
            "signed_at": sig.created_at.isoformat(),
            "source": sig.source.value,
            "reason_code": sig.reason_code,
        },
        "roll_entry": None
        if entry is None
        else {
            "full_name": entry.full_name,
            # The number, None for a district known only by its code; ``district``: as pages
            # name it (the number, else the code).
            "district_number": entry.district_number if entry.district_number > 0 else None,
            "district": item.roll_district,
            "address": entry.address,
            "iin_ref": entry.iin_ref,
        },
        "misuse_report": item.misuse_report is not None,
        "claimed_by": item.claimed_by_id,
        "claim_expires_at": item.claim_expires_at.isoformat() if item.claim_expires_at else None,
    }


@bp.get("/commission/petitions/<int:petition_id>/report")
@documented(
    "Verification report of a petition",
    tags=("commission",),
    response=s.ReportOut,
    auth=COMMISSIONER,
    errors=(401, 403),
)
@roles_required(Role.COMMISSIONER)
@scope("commission:read")
def commission_report(petition_id: int):
    return report_json(report.report(current_user, petition_id))


@bp.post("/commission/petitions/<int:petition_id>/checks")
@documented(
    "Run the automatic checks",
    tags=("commission",),
    response=s.ChecksOut,
    auth=COMMISSIONER,
    errors=(401, 403, 409),
)
@roles_required(Role.COMMISSIONER)
def commission_run_checks(petition_id: int):
    result = checks.run_checks(current_user, petition_id)
    db.session.commit()
    return {
        "checked": result.checked,
        "by_status": result.by_status,
        "by_reason": result.by_reason,
        "count_change": result.count_change,
    }


@bp.post("/commission/petitions/<int:petition_id>/sample")
@documented(
    "Draw the random sample",
    tags=("commission",),
    response=s.DrawOut,
    status=201,
    body=s.SampleIn,
    auth=COMMISSIONER,
    errors=(401, 403, 409, 422),
)
@roles_required(Role.COMMISSIONER)
def commission_draw_sample(petition_id: int):
    access.get_petition(current_user, petition_id)
    seed = _json().get("seed")
    if seed is not None and not isinstance(seed, str):
        raise Invalid(_("seed must be a string."), field="seed")
    draw = sample.draw_sample(current_user, petition_id, seed=seed)
    db.session.commit()
    return draw_json(draw), 201


@bp.get("/commission/petitions/<int:petition_id>/review")
@documented(
    "Signatures awaiting a person's decision",
    tags=("commission",),
    response=s.ReviewQueue,
    auth=COMMISSIONER,
    errors=(401, 403),
)
@roles_required(Role.COMMISSIONER)
@scope("commission:read")
def commission_review_queue(petition_id: int):
    return {"items": [_item_json(i) for i in review.review_queue(current_user, petition_id)]}


@bp.post("/commission/signatures/<int:signature_id>/claim")
@documented(
    "Claim a signature for review",
    tags=("commission",),
    response=s.ClaimOut,
    auth=COMMISSIONER,
    errors=(401, 403, 409),
)
@roles_required(Role.COMMISSIONER)
def commission_claim(signature_id: int):
    held = review.claim(current_user, signature_id)
    db.session.commit()
    return {"signature_id": signature_id, "expires_at": held.expires_at.isoformat()}


def decision_json(sig) -> dict:
    return {
        "signature_id": sig.id,
        "check_status": sig.check_status.value,
        "reason_code": sig.reason_code,
    }


def _accepts(data: dict) -> bool:
    decision = data.get("decision")
    if decision not in ("accept", "reject"):
        raise Invalid(_("decision must be accept or reject."), field="decision")
    return decision == "accept"


@bp.post("/commission/signatures/<int:signature_id>/decision")
@documented(
    "Accept or reject a signature",
    tags=("commission",),
    response=s.DecisionOut,
    body=s.DecisionIn,
    auth=COMMISSIONER,
    errors=(401, 403, 409, 422),
)
@roles_required(Role.COMMISSIONER)
def commission_decide(signature_id: int):
    review.get_signature(current_user, signature_id)  # access before input: no hints to others
    data = _json()
    sig = review.decide(
        current_user,
        signature_id,
        accept=_accepts(data),
        reason_code=data.get("reason_code"),
        note=str(data.get("note") or ""),
    )
    db.session.commit()
    return decision_json(sig)


@bp.post("/commission/petitions/<int:petition_id>/certification")
@documented(
    "Propose a certification",
    tags=("commission",),
    response=s.CertificationOut,
    status=201,
    body=s.CertificationIn,
    auth=COMMISSIONER,
    errors=(401, 403, 409, 422),
)
@roles_required(Role.COMMISSIONER)
def commission_propose(petition_id: int):
    access.get_petition(current_user, petition_id)
    data = _json()
    proposal = certification.propose_certification(
        current_user, petition_id, data.get("outcome"), str(data.get("note") or "")
    )
    db.session.commit()
    return {"id": proposal.id, "outcome": proposal.outcome, "numbers": proposal.numbers}, 201


@bp.post("/commission/certifications/<int:proposal_id>/confirm")
@documented(
    "Confirm another commissioner's proposal",
    tags=("commission",),
    response=s.ConfirmOut,
    auth=COMMISSIONER,
    errors=(401, 403, 409),
)
@roles_required(Role.COMMISSIONER)
def commission_confirm(proposal_id: int):
    proposal = certification.confirm_certification(current_user, proposal_id)
    db.session.commit()
    return {
        "id": proposal.id,
        "outcome": proposal.outcome,
        "petition_state": proposal.petition.state.value,
    }


@bp.post("/commission/petitions/<int:petition_id>/vote")
@documented(
    "Record the recall vote",
    tags=("commission",),
    response=s.VoteOut,
    body=s.VoteIn,
    auth=COMMISSIONER,
    errors=(401, 403, 409, 422),
)
@roles_required(Role.COMMISSIONER)
def commission_vote(petition_id: int):
    access.get_petition(current_user, petition_id)
    data = _json()
    result = certification.record_vote(
        current_user,
        petition_id,
        registered=_int(data, "registered"),
        turnout=_int(data, "turnout"),
        yes=_int(data, "yes"),
        no=_int(data, "no"),
        votes_that_elected=_int(data, "votes_that_elected", required=False),
    )
    db.session.commit()
    return {"recalled": result.recalled, "valid": result.valid, "reason": result.reason}


@bp.get("/commission/roll-imports/<int:import_id>")
@documented(
    "Progress of a voter-roll import",
    tags=("commission",),
    response=s.RollImportOut,
    auth=COMMISSIONER,
    errors=(401, 403),
)
@roles_required(Role.COMMISSIONER)
@scope("commission:read")
def commission_roll_import(import_id: int):
    imp = voter_roll.get_import(current_user, import_id)
    est = voter_roll.import_estimate(imp)
    return {
        "id": imp.id,
        "body_id": imp.body_id,
        "as_of": imp.as_of.isoformat(),
        "status": imp.status.value,
        "active": imp.is_active,
        "percent": imp.percent,
        "bytes_read": imp.bytes_read,
        "bytes_total": imp.bytes_total,
        "rows_loaded": imp.rows_loaded,
        "rows_skipped": imp.rows_skipped,
        "rows_removed": imp.rows_removed,
        "rows_deceased": imp.rows_deceased,
        "rows_per_second": None if est.rate is None else round(est.rate, 1),
        "seconds_left": None if est.seconds_left is None else round(est.seconds_left),
        "errors": imp.errors[:50],
    }


@bp.get("/petitions/<int:petition_id>/sample")
@documented(
    "The published random sample, to redraw it", tags=("petitions",), response=s.PublicSample
)
@public
def petition_sample(petition_id: int):
    """The published random sample (seed, pool, method) so anyone can redraw it; 404 before a draw."""
    data = sample.public_sample(petition_id, with_pool=True)
    if data is None:
        raise NotFound(_("No sample has been drawn for this petition."))
    return data


@bp.post("/commission/petitions/<int:petition_id>/deputy-answer")
@documented(
    "Record the deputy's answer to the grounds",
    tags=("commission",),
    response=s.DeputyAnswerOut,
    body=s.DeputyAnswerIn,
    auth=COMMISSIONER + "; token scope commission:write",
    errors=(401, 403, 404, 409, 422),
)
@roles_required(Role.COMMISSIONER)
@scope("commission:write")
def commission_deputy_answer(petition_id: int):
    """Where the rule provides it (California EC 11023): the same service as the page."""
    answer = _json().get("answer")
    if answer is not None and not isinstance(answer, str):
        raise Invalid(_("Enter the deputy's answer."), field="answer")
    petition = deputy_answer.record_deputy_answer(current_user, petition_id, answer)
    db.session.commit()
    return answer_json(petition)
