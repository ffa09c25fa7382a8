"""Purge signers' personal data a while after a petition's final state.

``PRIVACY_PURGE_DAYS`` after ``final_state_at``, each signature of the petition loses its name,
e-mail, birth date and fraud-pattern data (keyed address and e-mail hashes, e-mail domain,
user-agent family; the IIN itself was never stored, its keyed hash stays so the counts and reasons
remain explainable), and misuse reports lose the reporter's e-mail and
message. Counts, verdicts and reason codes are kept. Each purged petition gets an audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from recall.extensions import db
from recall.models.base import utcnow
from recall.models.petition import FINAL_STATES, Petition
from recall.models.signature import Signature, SignatureClaim
from recall.models.user import User
from recall.models.verification import MisuseReport, ReviewClaim
from recall.services.audit import append_audit
from recall.services.fraud.sources import PATTERN_COLUMNS

PURGED_NAME = "(purged)"


@dataclass
class PurgeResult:
    petition_ids: list[int] = field(default_factory=list)
    signatures: int = 0
    misuse_reports: int = 0


def petitions_due(now: datetime | None = None) -> list[int]:
    """Ids of petitions in a final state for longer than ``PRIVACY_PURGE_DAYS`` with data left."""
    now = now or utcnow()
    cutoff = now - timedelta(days=int(current_app.config["PRIVACY_PURGE_DAYS"]))
    unpurged = sa.or_(
        sa.select(Signature.id)
        .where(Signature.petition_id == Petition.id, Signature.purged_at.is_(None))
        .exists(),
        sa.select(MisuseReport.id)
        .where(MisuseReport.petition_id == Petition.id, MisuseReport.purged_at.is_(None))
        .exists(),
    )
    return list(
        db.session.scalars(
            sa.select(Petition.id)
            .where(
                Petition.state.in_(list(FINAL_STATES)),
                Petition.final_state_at.is_not(None),
                Petition.final_state_at <= cutoff,
                unpurged,
            )
            .order_by(Petition.id)
        )
    )


def purge_personal_data(actor: User | None, now: datetime | None = None) -> PurgeResult:
    """Purge every due petition (set-based UPDATEs). Commits nothing; returns what was purged.

    ``actor`` None is the operator (``flask privacy purge``) or a periodic task.
    """
    now = now or utcnow()
    result = PurgeResult()
    for petition_id in petitions_due(now):
        petition = db.session.get(Petition, petition_id)
        signatures = db.session.execute(
            sa.update(Signature)
            .where(Signature.petition_id == petition_id, Signature.purged_at.is_(None))
            .values(
                full_name=PURGED_NAME,
                email=None,
                birth_date=None,
                decision_note=None,
                purged_at=now,
                **dict.fromkeys(PATTERN_COLUMNS),
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        reports = db.session.execute(
            sa.update(MisuseReport)
            .where(MisuseReport.petition_id == petition_id, MisuseReport.purged_at.is_(None))
            .values(email=None, message="", purged_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.execute(
            sa.update(SignatureClaim)
            .where(SignatureClaim.petition_id == petition_id, SignatureClaim.purged_at.is_(None))
            .values(full_name=None, email=None, purged_at=now, **dict.fromkeys(PATTERN_COLUMNS))
            .execution_options(synchronize_session=False)
        )
        db.session.execute(
            sa.delete(ReviewClaim).where(
                ReviewClaim.signature_id.in_(
                    sa.select(Signature.id).where(Signature.petition_id == petition_id)
                )
            )
        )
        append_audit(
            "privacy.purge",
            actor.id if actor else None,
            "petition",
            petition_id,
            petition.body_id,
            {"signatures": signatures, "misuse_reports": reports},
        )
        result.petition_ids.append(petition_id)
        result.signatures += signatures
        result.misuse_reports += reports
    db.session.flush()
    db.session.expire_all()
    return result


def purge_due(now: datetime) -> int:
    """Periodic-task entry point (``recall.services.verification.privacy:purge_due``); returns signatures purged."""
    return purge_personal_data(None, now).signatures
