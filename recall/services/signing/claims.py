"""The claim steps recall and appeal signing share (issue 13's rule): whoever signs first with an
IIN does not own it, so a later attempt with the same IIN is a *claim* on the signature.

Recall petitions (``Signature``/``SignatureClaim``) and appeals (``AppealSignature``/
``AppealSignatureClaim``) keep their own tables and their own extra columns (a recall signature's
request patterns, an appeal signature's district), but the steps are the same and live here once:

* :func:`keep_replaced_life`: a signature's life that is being replaced (by a winning claim, a
  fresh start after expiry, a digital signature) is kept as a ``void`` claim, so its receipt
  answers as before (``pending`` until its expiry, ``expired`` after) and its link is void;
* :func:`win`: a claim's link followed first wins, exactly once (a conditional UPDATE);
* :func:`void_pending`: once the signature is confirmed, every claim still waiting on it is void;
* :func:`record_contest`: an attempt on a confirmed signature (by e-mail, or proven by a digital
  signature) stays on record as a ``contest``, settled at once; the signature is not changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from recall.extensions import db
from recall.models.appeal import AppealSignature, AppealSignatureClaim
from recall.models.signature import ClaimState, Signature, SignatureClaim, SignatureStatus
from recall.services.signing.counting import insert_for


@dataclass(frozen=True)
class ClaimKind:
    """One kind of signature and its claims: the two models and the column naming the parent."""

    signature: type
    claim: type
    parent: str  # the column both tables name their petition or appeal by


PETITION = ClaimKind(Signature, SignatureClaim, "petition_id")
APPEAL = ClaimKind(AppealSignature, AppealSignatureClaim, "appeal_id")


def keep_replaced_life(
    kind: ClaimKind, life: Any, parent_id: int, now: datetime, **columns: Any
) -> None:
    """Keep ``life`` (a signature row, or a row of its columns) as a void claim on it; ``columns``
    are the kind's own columns to copy (patterns, district). Its receipt answers as before: an
    expired life answers ``expired`` from now on. Idempotent per receipt."""
    expires_at = life.expires_at or now
    if life.status == SignatureStatus.EXPIRED:
        expires_at = min(expires_at, now)  # it already answered "expired"
    db.session.execute(
        insert_for(kind.claim)
        .values(
            signature_id=life.id,
            state=ClaimState.VOID,
            full_name=life.full_name,
            email=life.email,
            receipt_hash=life.receipt_hash,
            confirm_nonce=life.confirm_nonce,
            expires_at=expires_at,
            created_at=life.created_at,
            settled_at=now,
            **{kind.parent: parent_id},
            **columns,
        )
        .on_conflict_do_nothing(index_elements=["receipt_hash"])
    )


def win(kind: ClaimKind, claim_id: int, now: datetime) -> bool:
    """Settle a pending claim as won; True for the one caller whose update applied (a second
    link followed at the same moment waits on the row, then finds it no longer pending)."""
    return (
        db.session.execute(
            sa.update(kind.claim)
            .where(kind.claim.id == claim_id, kind.claim.state == ClaimState.PENDING)
            .values(state=ClaimState.WON, settled_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1
    )


def void_pending(kind: ClaimKind, signature_id: int, now: datetime) -> None:
    """The signature was confirmed (or started afresh): every claim still waiting on it is void."""
    db.session.execute(
        sa.update(kind.claim)
        .where(kind.claim.signature_id == signature_id, kind.claim.state == ClaimState.PENDING)
        .values(state=ClaimState.VOID, settled_at=now)
        .execution_options(synchronize_session=False)
    )


def record_contest(
    kind: ClaimKind, signature_id: int, parent_id: int, now: datetime, **columns: Any
) -> None:
    """Record an attempt on a confirmed signature as a ``contest`` claim, settled now; ``columns``
    are the attempt's (name, e-mail, receipt, the kind's own). Flushes."""
    db.session.add(
        kind.claim(
            signature_id=signature_id,
            state=ClaimState.CONTEST,
            settled_at=now,
            **{kind.parent: parent_id, "expires_at": now, "created_at": now, **columns},
        )
    )
    db.session.flush()
