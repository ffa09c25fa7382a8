"""Manual review: the queue of signatures a commissioner must decide, claims, decisions, misuse reports.

Two commissioners never decide one signature at once: deciding needs a live claim, and a claim is
taken with one ``INSERT ... ON CONFLICT DO UPDATE ... WHERE`` that only succeeds when nobody else
holds an unexpired claim on it (atomic on PostgreSQL and SQLite alike).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from recall.errors import Conflict, Forbidden, Invalid, NotFound
from recall.extensions import db
from recall.i18n import local_zone
from recall.models.base import utcnow
from recall.models.petition import Petition
from recall.models.signature import CheckStatus, ClaimState, Signature, SignatureClaim
from recall.models.user import User
from recall.models.verification import MisuseReport, ReasonCode, ReviewClaim, VoterRollEntry
from recall.rules.iin import InvalidIIN, parse_iin
from recall.services.audit import append_audit
from recall.services.iin_hash import hash_iin
from recall.services.lookup import get_or_raise
from recall.services.outbox import record_event
from recall.services.signing.counting import insert_for
from recall.services.verification.access import get_petition, require_commissioner
from recall.services.verification.checks import CHECKABLE_STATES, count_change_for
from recall.services.verification.reason_codes import ensure_reason_codes
from recall.services.verification.roll_lookup import find_roll_entry, roll_district_label

NOTE_MAX = 2000


def _claim_minutes() -> int:
    return int(current_app.config.get("REVIEW_CLAIM_MINUTES", 10))


@dataclass
class ReviewItem:
    """A signature awaiting a decision, with the roll entry beside it and any misuse report."""

    signature: Signature
    roll_entry: VoterRollEntry | None
    misuse_report: MisuseReport | None
    claimed_by_id: int | None
    claim_expires_at: datetime | None
    # Later attempts with the same IIN after it was confirmed (reason ``contested_iin``), oldest
    # first: name, address and time of each, for the commission only.
    contests: list[SignatureClaim] = field(default_factory=list)

    @property
    def roll_district(self) -> str | None:
        """The roll entry's district as pages name it (its number, else its code)."""
        if self.roll_entry is None:
            return None
        return roll_district_label(self.roll_entry.district_number)


def _signature_for(
    actor: User | None, signature_id: int, *, lock: bool = False
) -> tuple[Signature, Petition]:
    """The signature and its petition, for a commissioner of the petition's body.

    ``lock`` re-reads the row ``FOR UPDATE`` (fresh, not from the session's identity map), so a
    decision sees a verdict another commissioner committed a moment ago and waits for one in flight.
    """
    signature = db.session.get(
        Signature, signature_id, with_for_update=lock, populate_existing=lock
    )
    if signature is None:
        raise NotFound(_("No such signature."))
    petition = db.session.get(Petition, signature.petition_id)
    require_commissioner(actor, petition.body_id)
    return signature, petition


def get_signature(actor: User, signature_id: int) -> Signature:
    """A signature, for a commissioner of its petition's body (its personal data included)."""
    return _signature_for(actor, signature_id)[0]


def item_for(actor: User, signature_id: int) -> ReviewItem:
    """One signature with its roll entry, open misuse report and live claim."""
    signature, petition = _signature_for(actor, signature_id)
    live = db.session.scalars(
        sa.select(ReviewClaim).where(
            ReviewClaim.signature_id == signature_id, ReviewClaim.expires_at > utcnow()
        )
    ).first()
    return _item(signature, live, petition)


def review_queue(actor: User, petition_id: int, limit: int = 100) -> list[ReviewItem]:
    """Signatures of the petition in ``review``, oldest first, with their roll entries and claims."""
    petition = get_petition(actor, petition_id)
    now = utcnow()
    rows = db.session.execute(
        sa.select(Signature, ReviewClaim)
        .outerjoin(
            ReviewClaim,
            sa.and_(ReviewClaim.signature_id == Signature.id, ReviewClaim.expires_at > now),
        )
        .where(Signature.petition_id == petition.id, Signature.check_status == CheckStatus.REVIEW)
        .order_by(Signature.created_at, Signature.id)
        .limit(limit)
    ).all()
    return [_item(sig, claim, petition) for sig, claim in rows]


def _signing_day(signature: Signature):
    """The local day the signature was signed: the roll in force that day is the one it is judged by."""
    return signature.created_at.astimezone(local_zone()).date()


def _roll_entry(petition: Petition, signature: Signature):
    return find_roll_entry(petition.body_id, signature.iin_hash, _signing_day(signature))


def _item(signature: Signature, claim: ReviewClaim | None, petition: Petition) -> ReviewItem:
    report = db.session.scalars(
        sa.select(MisuseReport).where(
            MisuseReport.signature_id == signature.id, MisuseReport.resolved_at.is_(None)
        )
    ).first()
    return ReviewItem(
        signature,
        find_roll_entry(petition.body_id, signature.iin_hash, _signing_day(signature)),
        report,
        claim.user_id if claim else None,
        claim.expires_at if claim else None,
        _open_contests(signature.id),
    )


def _open_contests(signature_id: int) -> list[SignatureClaim]:
    return list(
        db.session.scalars(
            sa.select(SignatureClaim)
            .where(
                SignatureClaim.signature_id == signature_id,
                SignatureClaim.state == ClaimState.CONTEST,
                SignatureClaim.resolved_at.is_(None),
            )
            .order_by(SignatureClaim.created_at, SignatureClaim.id)
        )
    )


def review_count(actor: User, petition_id: int) -> int:
    petition = get_petition(actor, petition_id)
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Signature)
            .where(
                Signature.petition_id == petition.id, Signature.check_status == CheckStatus.REVIEW
            )
        )
        or 0
    )


def claim(actor: User, signature_id: int, *, now: datetime | None = None) -> ReviewClaim:
    """Claim a review item for ``REVIEW_CLAIM_MINUTES`` (renewing one's own claim).

    Raises Conflict when another commissioner holds an unexpired claim, or the signature is not
    in review. Flushes.
    """
    signature, _petition = _signature_for(actor, signature_id)
    if signature.check_status != CheckStatus.REVIEW:
        raise Conflict(_("This signature is not awaiting review."))
    now = now or utcnow()
    expires = now + timedelta(minutes=_claim_minutes())
    stmt = insert_for(ReviewClaim).values(
        signature_id=signature_id, user_id=actor.id, expires_at=expires
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["signature_id"],
        set_={"user_id": actor.id, "expires_at": expires},
        where=sa.or_(ReviewClaim.expires_at <= now, ReviewClaim.user_id == actor.id),
    )
    # RETURNING gives a row only when the insert or the conditional update happened.
    if db.session.execute(stmt.returning(ReviewClaim.signature_id)).first() is None:
        raise Conflict(_("Another commissioner is deciding this signature right now."))
    db.session.flush()
    return db.session.scalars(
        sa.select(ReviewClaim)
        .where(ReviewClaim.signature_id == signature_id)
        .execution_options(populate_existing=True)
    ).one()


def claim_next(actor: User, petition_id: int) -> ReviewItem | None:
    """Claim the oldest review item nobody else holds; None when the queue is empty."""
    petition = get_petition(actor, petition_id)
    now = utcnow()
    held_by_others = sa.select(ReviewClaim.signature_id).where(
        ReviewClaim.expires_at > now, ReviewClaim.user_id != actor.id
    )
    candidates = db.session.scalars(
        sa.select(Signature.id)
        .where(
            Signature.petition_id == petition.id,
            Signature.check_status == CheckStatus.REVIEW,
            Signature.id.notin_(held_by_others),
        )
        .order_by(Signature.created_at, Signature.id)
        .limit(20)
    ).all()
    for signature_id in candidates:
        try:
            with db.session.begin_nested():
                held = claim(actor, signature_id, now=now)
        except Conflict:
            continue  # taken a moment ago by someone else: try the next
        return ReviewItem(
            db.session.get(Signature, signature_id),
            _roll_entry(petition, db.session.get(Signature, signature_id)),
            db.session.scalars(
                sa.select(MisuseReport).where(
                    MisuseReport.signature_id == signature_id, MisuseReport.resolved_at.is_(None)
                )
            ).first(),
            held.user_id,
            held.expires_at,
            _open_contests(signature_id),
        )
    return None


def decide(
    actor: User, signature_id: int, *, accept: bool, reason_code: str | None = None, note: str = ""
) -> Signature:
    """Accept (valid) or reject (invalid, with a reason code) a signature in review.

    Needs the actor's live claim, or takes it now if nobody else holds one (Conflict otherwise).
    A rejection needs an active ``invalid`` reason code (Invalid, field ``reason_code``); a note
    longer than 2,000 characters is refused (field ``note``). Moves the public count if the
    signature stops (or starts) being counted, resolves an open misuse report on it, releases the
    claim and appends an audit entry. Flushes.
    """
    from recall.services.signing import counting

    # Locked and fresh: another commissioner may have decided it (and dropped the claim) since this
    # session last read the row; deciding again on the stale state would overwrite that decision.
    signature, petition = _signature_for(actor, signature_id, lock=True)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise Invalid(_("The note is longer than 2,000 characters."), field="note")
    if signature.check_status != CheckStatus.REVIEW:
        raise Conflict(_("This signature is not awaiting review."))
    if petition.state not in CHECKABLE_STATES:  # certified numbers are final
        raise Conflict(
            _("This petition's verification is finished; its signatures can no longer be decided.")
        )
    code = None
    if not accept:
        ensure_reason_codes()
        code = (reason_code or "").strip()
        row = db.session.get(ReasonCode, code) if code else None
        if row is None or not row.active or row.outcome != "invalid":
            raise Invalid(_("Choose the reason for the rejection."), field="reason_code")
    claim(actor, signature_id)
    was_counted = counting.is_counted(signature)
    signature.check_status = CheckStatus.VALID if accept else CheckStatus.INVALID
    signature.reason_code = code
    signature.decided_by_id = actor.id
    signature.decision_note = note or None
    signature.checked_at = utcnow()
    db.session.flush()
    delta = count_change_for(signature, was_counted)
    for report in db.session.scalars(
        sa.select(MisuseReport).where(
            MisuseReport.signature_id == signature.id, MisuseReport.resolved_at.is_(None)
        )
    ):
        report.resolved_at, report.resolved_by_id = utcnow(), actor.id
        report.resolution = "signature_invalidated" if not accept else "signature_upheld"
    # A decision answers the contests on this signature too (the checks then leave it alone).
    db.session.execute(
        sa.update(SignatureClaim)
        .where(
            SignatureClaim.signature_id == signature.id,
            SignatureClaim.state == ClaimState.CONTEST,
            SignatureClaim.resolved_at.is_(None),
        )
        .values(resolved_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.execute(sa.delete(ReviewClaim).where(ReviewClaim.signature_id == signature_id))
    append_audit(
        "verification.decision",
        actor.id,
        "signature",
        signature.id,
        petition.body_id,
        {
            "petition_id": petition.id,
            "decision": "accept" if accept else "reject",
            "reason_code": code,
            "count_change": delta,
        },
    )
    db.session.flush()
    return signature


# ---------------------------------------------------------------- misuse reports


def report_misuse(petition_id: int, iin: str, email: str, message: str) -> MisuseReport:
    """A voter reports their IIN was used on a petition without their consent (public, no login).

    Validates the IIN (field ``iin``), the petition (field ``petition``), the message length
    (field ``message``). Looks the signature up by the hashed IIN and, if one is filed, sends it
    to review with reason ``misuse_reported`` (counted signatures stay counted until a
    commissioner decides; a petition already certified keeps its verdicts). The caller shows the
    same answer whether or not a signature was found. Records ``misuse_report.received`` (the
    reply goes to ``MisuseReport.email``; the payload holds no personal data). Flushes.
    """
    petition = db.session.get(Petition, petition_id) if petition_id else None
    if petition is None:
        raise Invalid(_("Choose the petition."), field="petition")
    try:
        info = parse_iin(iin or "")
    except InvalidIIN as exc:
        raise Invalid(_(exc.message), field="iin") from None
    message = (message or "").strip()
    if len(message) > NOTE_MAX:
        raise Invalid(_("The message is longer than 2,000 characters."), field="message")
    email = (email or "").strip().lower()
    if not email or "@" not in email or len(email) > 254:
        raise Invalid(_("Enter the e-mail address we should answer."), field="email")
    return file_misuse_report(petition, hash_iin(info.iin), email, message)


def file_misuse_report(petition: Petition, iin_hash: str, email: str, message: str) -> MisuseReport:
    """The part of :func:`report_misuse` after the checks, for an IIN known by its keyed hash
    (a watched IIN's one-click report, ``recall.services.fraud.iin_watch``). Flushes."""
    signature = db.session.scalars(
        sa.select(Signature)
        .where(Signature.petition_id == petition.id, Signature.iin_hash == iin_hash)
        .order_by(Signature.duplicate_of_id.is_not(None), Signature.created_at)
    ).first()
    report = MisuseReport(
        petition_id=petition.id,
        iin_hash=iin_hash,
        email=email,
        message=message,
        signature_id=signature.id if signature else None,
    )
    db.session.add(report)
    # After certification the numbers are final: the report is kept for the commission, the verdict stays.
    if (
        signature is not None
        and petition.state in CHECKABLE_STATES
        and signature.check_status in (CheckStatus.UNCHECKED, CheckStatus.VALID)
    ):
        signature.check_status = CheckStatus.REVIEW
        signature.reason_code = "misuse_reported"
    db.session.flush()
    record_event("misuse_report.received", "misuse_report", report.id, {"petition_id": petition.id})
    return report


def list_misuse_reports(actor: User, *, open_only: bool = True) -> list[MisuseReport]:
    """Misuse reports on petitions of the actor's body."""
    if actor.commission_body_id is None:
        raise Forbidden(_("Only commissioners may do this."))
    stmt = (
        sa.select(MisuseReport)
        .join(Petition, Petition.id == MisuseReport.petition_id)
        .where(Petition.body_id == actor.commission_body_id)
        .order_by(MisuseReport.id.desc())
        .limit(200)
    )
    if open_only:
        stmt = stmt.where(MisuseReport.resolved_at.is_(None))
    return list(db.session.scalars(stmt))


def get_misuse_report(actor: User, report_id: int) -> MisuseReport:
    """A misuse report, for a commissioner of its petition's body."""
    report = get_or_raise(MisuseReport, report_id, _("No such report."))
    require_commissioner(actor, report.petition.body_id)
    return report


def close_misuse_report(actor: User, report_id: int, resolution: str) -> MisuseReport:
    """Close a report without a signature decision (e.g. no signature under that IIN)."""
    report = get_misuse_report(actor, report_id)
    if report.resolved_at is not None:
        raise Conflict(_("This report is already closed."))
    resolution = (resolution or "").strip()
    if not resolution or len(resolution) > NOTE_MAX:
        raise Invalid(
            _("Say how the report was resolved (up to 2,000 characters)."), field="resolution"
        )
    report.resolved_at, report.resolved_by_id, report.resolution = utcnow(), actor.id, resolution
    append_audit(
        "verification.misuse_closed",
        actor.id,
        "misuse_report",
        report.id,
        report.petition.body_id,
        {"petition_id": report.petition_id},
    )
    db.session.flush()
    return report
