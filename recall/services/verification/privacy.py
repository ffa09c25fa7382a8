"""Purge signers' personal data a while after a petition's final state.

``PRIVACY_PURGE_DAYS`` after ``final_state_at``, each signature of the petition loses its name,
e-mail, birth date, decision note and fraud-pattern data (keyed address and e-mail hashes, e-mail
domain, user-agent family), and misuse reports lose the reporter's e-mail and message. The purge
reaches every copy and cuts the link to the voter roll (issue 19):

* the keyed IIN hash (the same HMAC the roll uses, so a join gave back name, address and birth
  date) is replaced by an HMAC of it under a random key drawn for this purge and then forgotten:
  signatures of one voter still share a value (duplicates stay explainable) that matches nothing
  on any roll; misuse reports on the petition get the same treatment;
* events about the petition's signatures, signature claims and misuse reports lose the keys that
  carried a receipt code, a confirmation or unsubscribe link or an address
  (``SCRUBBED_PAYLOAD_KEYS``);
* their deliveries lose the recipient's address (``purged:<delivery id>``), account link and the
  last error text (an SMTP refusal names the address), and the messages written to
  ``MAIL_FOLDER`` (without ``MAIL_SERVER``) for them are deleted.

Log lines carry none of this in the first place (``recall.log_privacy``); receipt codes and links
sit in events only sealed (``recall.services.sealing``), and the purge drops the sealed part too.

Counts, verdicts, reason codes, duplicate links and the published sample are kept. Each purged
petition gets an audit entry.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from recall.extensions import db
from recall.models.base import utcnow
from recall.models.notifications import Delivery
from recall.models.outbox import Event
from recall.models.petition import FINAL_STATES, InitiativeMember, Petition
from recall.models.signature import Signature, SignatureClaim
from recall.models.user import User
from recall.models.verification import MisuseReport, ReviewClaim
from recall.services.audit import append_audit
from recall.services.fraud.sources import PATTERN_COLUMNS

PURGED_NAME = "(purged)"
# Event payload keys that may carry a secret or a way to reach a signer.
SCRUBBED_PAYLOAD_KEYS = frozenset(
    {"confirm_url", "receipt", "token", "unsubscribe_url", "email", "link", "url", "code", "sealed"}
)


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
                paper_collector=None,
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
        _cut_roll_link(petition_id)
        # The initiative group's IINs (issue 10) served its check before registration only.
        db.session.execute(
            sa.update(InitiativeMember)
            .where(InitiativeMember.petition_id == petition_id)
            .values(iin_hash=None, birth_date=None)
            .execution_options(synchronize_session=False)
        )
        _scrub_notifications(petition_id)
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


def _cut_roll_link(petition_id: int) -> None:
    """Replace the petition's IIN hashes by an HMAC under a key nobody keeps (see the module)."""
    key = secrets.token_bytes(32)  # never stored: the new values cannot be linked back

    def unlinkable(value: str) -> str:
        return hmac.new(key, value.encode("ascii"), hashlib.sha256).hexdigest()

    for model in (Signature, MisuseReport):
        olds = db.session.scalars(
            sa.select(model.iin_hash).where(model.petition_id == petition_id).distinct()
        ).all()
        for old in olds:
            db.session.execute(
                sa.update(model)
                .where(model.petition_id == petition_id, model.iin_hash == old)
                .values(iin_hash=unlinkable(old))
                .execution_options(synchronize_session=False)
            )


def _scrub_notifications(petition_id: int) -> None:
    """Strip secrets and addresses from the events and deliveries about the petition's signers."""
    about_signers = sa.or_(
        sa.and_(
            Event.subject_type == "signature",
            Event.subject_id.in_(
                sa.select(Signature.id).where(Signature.petition_id == petition_id)
            ),
        ),
        sa.and_(
            Event.subject_type == "signature_claim",
            Event.subject_id.in_(
                sa.select(SignatureClaim.id).where(SignatureClaim.petition_id == petition_id)
            ),
        ),
        sa.and_(
            Event.subject_type == "misuse_report",
            Event.subject_id.in_(
                sa.select(MisuseReport.id).where(MisuseReport.petition_id == petition_id)
            ),
        ),
    )
    events = db.session.execute(sa.select(Event.id, Event.payload).where(about_signers)).all()
    for event_id, payload in events:
        kept = {k: v for k, v in (payload or {}).items() if k not in SCRUBBED_PAYLOAD_KEYS}
        if kept != (payload or {}):
            db.session.execute(
                sa.update(Event)
                .where(Event.id == event_id)
                .values(payload=kept)
                .execution_options(synchronize_session=False)
            )
    event_ids = [event_id for event_id, _payload in events]
    if event_ids:
        _delete_mail_files(event_ids)
        db.session.execute(
            sa.update(Delivery)
            .where(Delivery.event_id.in_(event_ids))
            .values(
                recipient=sa.literal("purged:") + sa.cast(Delivery.id, sa.String),
                user_id=None,
                last_error=None,
            )
            .execution_options(synchronize_session=False)
        )


def _delete_mail_files(event_ids: list[int]) -> None:
    """Delete the messages written to ``MAIL_FOLDER`` (no ``MAIL_SERVER``) for these events.

    Each holds the address, the receipt code and the link: a copy the purge must reach.
    """
    from recall.notifications.mail import mail_file

    delivery_ids = db.session.scalars(
        sa.select(Delivery.id).where(Delivery.event_id.in_(event_ids))
    ).all()
    for delivery_id in delivery_ids:
        mail_file(delivery_id).unlink(missing_ok=True)


def purge_due(now: datetime) -> int:
    """Periodic-task entry point (``recall.services.verification.privacy:purge_due``); returns signatures purged."""
    return purge_personal_data(None, now).signatures
