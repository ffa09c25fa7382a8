"""Signing, receipts and withdrawal as JSON.

``POST /api/v1/petitions/<id>/signatures`` takes exactly ``full_name``, ``iin``, ``email``,
``district_id`` and ``consent``; it answers 202 ``{"receipt": ...}`` (also for a repeated attempt,
by design) or 422 ``{"error": {"field", "message", ...}}`` with nothing written.
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask_babel import gettext as _

from recall.api import bp
from recall.api import openapi_schemas as s
from recall.api.openapi import documented
from recall.db_autocommit import session_in_transaction
from recall.errors import Invalid
from recall.extensions import db
from recall.rules.numbers import int_or_none, is_int
from recall.security import public, receipt_limit, request_client, signing_limit
from recall.services.fraud import iin_watch
from recall.services.signing import benchmark, receipts
from recall.services.signing import online as signing


def json_object() -> dict[str, Any]:
    """The request's JSON body as an object, or ``Invalid`` (nothing else is accepted)."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise Invalid(_("Send a JSON object in the request body."))
    return data


def text_value(data: dict[str, Any], key: str) -> str | None:
    """A string field (a JSON number is read as its digits); anything else counts as missing."""
    value = data.get(key)
    if is_int(value):
        return str(value)
    return value if isinstance(value, str) else None


def signing_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The JSON fields of signing, as the signing services take them (recall and appeals)."""
    return {
        "full_name": text_value(data, "full_name"),
        "iin": text_value(data, "iin"),
        "email": text_value(data, "email"),
        "district_id": int_or_none(data.get("district_id")),
        "consent": data.get("consent") is True,
    }


def challenge_json(challenge) -> dict[str, str]:
    """A challenge to sign with a digital signature (a petition's, an appeal's, the IIN watch's)."""
    return {"challenge": challenge.text, "expires_at": challenge.expires_at.isoformat()}


def strong_signing_fields(data: dict[str, Any]) -> dict[str, Any]:
    """:func:`signing_fields` and the proof of a digital signature."""
    proof = {key: text_value(data, key) for key in ("challenge", "signature", "certificate")}
    return {**signing_fields(data), **proof}


@bp.post("/petitions/<int:petition_id>/signatures")
@documented(
    "Sign a petition (confirmed by an e-mailed link)",
    tags=("signing",),
    response=s.ReceiptCreated,
    status=202,
    body=s.SignatureIn,
    errors=(409, 413, 422, 429),
)
@public
@signing_limit
def create_signature(petition_id: int):
    fields = signing_fields(json_object())
    result = signing.sign_petition(
        petition_id=petition_id, **fields, client=request_client(), own_transaction=True
    )
    # A signature stored on its own left no transaction (and usually no session): committing
    # nothing would still begin one and run every commit hook (about 4% of the request's CPU).
    if session_in_transaction(db.session):
        db.session.commit()
    return {"receipt": result.receipt}, 202


@bp.post("/petitions/<int:petition_id>/challenge")
@documented(
    "Get a challenge to sign with a digital signature",
    tags=("signing",),
    response=s.ChallengeOut,
    status=201,
    errors=(413, 422, 429),
)
@public
@signing_limit
def create_challenge(petition_id: int):
    challenge = signing.issue_challenge(petition_id)
    return challenge_json(challenge), 201


@bp.post("/petitions/<int:petition_id>/signatures/strong")
@documented(
    "Sign a petition with a digital signature (confirmed at once)",
    tags=("signing",),
    response=s.StrongReceiptCreated,
    status=201,
    body=s.StrongSignatureIn,
    errors=(409, 413, 422, 429),
)
@public
@signing_limit
def create_strong_signature(petition_id: int):
    fields = strong_signing_fields(json_object())
    result = signing.sign_petition_strong(
        petition_id=petition_id, **fields, client=request_client()
    )
    db.session.commit()
    return {"receipt": result.receipt, "status": result.status}, 201


@bp.post("/iin-watch/challenge")
@documented(
    "Get a challenge to sign with a digital signature to watch one's own IIN",
    tags=("signing",),
    response=s.ChallengeOut,
    status=201,
    errors=(413, 429),
)
@public
@signing_limit
def create_watch_challenge():
    challenge = iin_watch.issue_watch_challenge()
    return challenge_json(challenge), 201


@bp.post("/iin-watch")
@documented(
    "Be told whenever one's IIN appears on a petition (proven by a digital signature)",
    tags=("signing",),
    response=s.IinWatchOut,
    status=201,
    body=s.IinWatchIn,
    errors=(413, 422, 429),
)
@public
@signing_limit
def create_iin_watch():
    data = json_object()
    iin_watch.watch_iin(
        iin=text_value(data, "iin"),
        email=text_value(data, "email"),
        challenge=text_value(data, "challenge"),
        signature=text_value(data, "signature"),
        certificate=text_value(data, "certificate"),
    )
    db.session.commit()
    return {"status": "watching"}, 201


def receipt_json(view: receipts.ReceiptView) -> dict[str, Any]:
    return {
        "petition_id": view.petition_id,
        "status": view.status,
        "check": view.check,
        "signed_on": view.signed_on.isoformat() if view.signed_on else None,
        "in_sample": view.in_sample,
    }


@bp.get("/receipts/<code>")
@documented("Look up a receipt", tags=("signing",), response=s.ReceiptOut, errors=(429,))
@public
@receipt_limit
def get_receipt(code: str):
    return receipt_json(receipts.lookup_receipt(code))


@bp.post("/signatures/withdraw")
@documented(
    "Withdraw a signature (receipt and e-mail)",
    tags=("signing",),
    response=s.WithdrawOut,
    body=s.WithdrawIn,
    errors=(404, 409, 413, 429),
)
@public
@signing_limit
def withdraw_signature():
    data = json_object()
    signature = receipts.withdraw_signature(text_value(data, "receipt"), text_value(data, "email"))
    db.session.commit()
    return {"status": signature.status.value}


# ---------------------------------------------------------------- benchmark-only endpoint


@public
def _plain_signature_insert():
    """Baseline for benchmarks/signing.py: the same JSON, one plain INSERT (no checks), commit."""
    data = json_object()
    benchmark.insert_plain_signature(
        petition_id=int_or_none(data.get("petition_id")),
        iin=text_value(data, "iin") or "",
        full_name=text_value(data, "full_name") or "",
        email=text_value(data, "email"),
        district_id=int_or_none(data.get("district_id")),
    )
    db.session.commit()
    return {"ok": True}, 202


def _register_benchmark_endpoint(state) -> None:
    # Exists only in apps built with BENCHMARK_ENDPOINTS=True (never the default, never production).
    if state.app.config.get("BENCHMARK_ENDPOINTS"):
        state.add_url_rule(
            "/bench/plain-signature",
            "bench_plain_signature",
            _plain_signature_insert,
            methods=["POST"],
        )


bp.record(_register_benchmark_endpoint)
