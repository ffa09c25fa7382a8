"""Certification by two commissioners, and the recall vote's result.

One commissioner of the petition's body proposes the outcome the verification report leads to
(qualified or failed), freezing the report's numbers; a *different* commissioner of that body
confirms, which moves the petition through ``change_state`` (recording ``petition.certified``
with the outcome). The numbers must not have changed in between (Conflict if they did: propose
again). Under a rule the petition itself decides (``decided_by == "petition"``, the UK), a
certified successful petition vacates the seat at once: there is no vote to record.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from recall.errors import Conflict, Invalid, NotFound
from recall.extensions import db
from recall.models.base import utcnow
from recall.models.deputy import Deputy, DeputyStatus
from recall.models.petition import PetitionState
from recall.models.user import User
from recall.models.verification import CertificationProposal, RecallVoteResult
from recall.rules.numbers import is_int
from recall.rules.recall_rules import decide_recall_vote
from recall.services.audit import append_audit
from recall.services.lookup import get_or_raise
from recall.services.petitions.states import change_state
from recall.services.signing.counting import local_day
from recall.services.verification.access import get_petition
from recall.services.verification.report import report

NOTE_MAX = 2000
OUTCOMES = ("qualified", "failed")


def pending_proposal(petition_id: int) -> CertificationProposal | None:
    """The unconfirmed proposal of a petition, if any."""
    return db.session.scalars(
        sa.select(CertificationProposal)
        .where(
            CertificationProposal.petition_id == petition_id,
            CertificationProposal.confirmed_at.is_(None),
        )
        .order_by(CertificationProposal.id.desc())
    ).first()


def latest_proposal(petition_id: int) -> CertificationProposal | None:
    """The petition's latest proposal, confirmed or not (the printed report names its people)."""
    return db.session.scalars(
        sa.select(CertificationProposal)
        .where(CertificationProposal.petition_id == petition_id)
        .order_by(CertificationProposal.id.desc())
    ).first()


def get_proposal(actor: User, proposal_id: int) -> CertificationProposal:
    """A proposal, for a commissioner of its petition's body."""
    proposal = get_or_raise(CertificationProposal, proposal_id, _("No such proposal."))
    get_petition(actor, proposal.petition_id)
    return proposal


def propose_certification(
    actor: User, petition_id: int, outcome: str | None = None, note: str = ""
) -> CertificationProposal:
    """Propose certifying a petition under verification with the report's outcome.

    ``outcome`` (optional, ``qualified``/``failed``) must equal what the report concludes
    (Invalid, field ``outcome``); a report still ``pending`` or ``full_count_needed`` cannot be
    certified (Conflict). A previous unconfirmed proposal is replaced. Appends an audit entry.
    """
    petition = get_petition(actor, petition_id)
    if petition.state != PetitionState.UNDER_VERIFICATION:
        raise Conflict(_("Only a petition under verification can be certified."))
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise Invalid(_("The note is longer than 2,000 characters."), field="note")
    rep = report(actor, petition_id)
    if rep.outcome not in OUTCOMES:
        raise Conflict(
            _(
                "The verification is not finished: the report's outcome is %(outcome)s.",
                outcome=rep.outcome,
            )
        )
    if outcome and outcome != rep.outcome:
        raise Invalid(
            _(
                "The report leads to %(outcome)s; certify that or finish the verification.",
                outcome=rep.outcome,
            ),
            field="outcome",
        )
    old = pending_proposal(petition_id)
    if old is not None:
        db.session.delete(old)
    proposal = CertificationProposal(
        petition_id=petition_id,
        outcome=rep.outcome,
        numbers=rep.numbers(),
        note=note,
        proposed_by_id=actor.id,
    )
    db.session.add(proposal)
    db.session.flush()
    append_audit(
        "certification.proposed",
        actor.id,
        "petition",
        petition_id,
        petition.body_id,
        {"proposal_id": proposal.id, "outcome": proposal.outcome, "numbers": proposal.numbers},
    )
    return proposal


def confirm_certification(actor: User, proposal_id: int) -> CertificationProposal:
    """Confirm another commissioner's proposal: the petition becomes qualified or failed.

    Under a rule decided by the petition (no vote), a qualified outcome makes the petition
    ``recalled`` instead, and ends the deputy's mandate: status ``recalled``, ``term_end`` the
    certification day (local date). Forbidden for another body; Conflict when the actor proposed
    it themself, when it was already confirmed, or when the report's numbers changed since.
    Records ``petition.certified`` through ``change_state`` (with ``recalled`` and
    ``decided_by`` when the petition decided) and appends an audit entry. Flushes.
    """
    # Locked and fresh: two commissioners confirming at once must not both move the petition.
    proposal = db.session.get(
        CertificationProposal, proposal_id, with_for_update=True, populate_existing=True
    )
    if proposal is None:
        raise NotFound(_("No such proposal."))
    petition = get_petition(actor, proposal.petition_id)
    if proposal.confirmed_at is not None:
        raise Conflict(_("This certification is already confirmed."))
    if proposal.proposed_by_id == actor.id:
        raise Conflict(_("A different commissioner must confirm the certification you proposed."))
    if report(actor, petition.id).numbers() != proposal.numbers:
        raise Conflict(_("The verification numbers changed after the proposal; propose again."))
    proposal.confirmed_by_id, proposal.confirmed_at = actor.id, utcnow()
    target = PetitionState.QUALIFIED if proposal.outcome == "qualified" else PetitionState.FAILED
    payload = {
        "outcome": proposal.outcome,
        "valid": proposal.numbers.get("valid"),
        "required": proposal.numbers.get("required"),
    }
    if (
        target == PetitionState.QUALIFIED
        and petition.rule_version.to_rule().decided_by == "petition"
    ):
        target = PetitionState.RECALLED
        payload["decided_by"] = "petition"
        _end_mandate(petition.deputy_id, local_day(proposal.confirmed_at))
    change_state(petition, target, actor, payload=payload)
    append_audit(
        "certification.confirmed",
        actor.id,
        "petition",
        petition.id,
        petition.body_id,
        {
            "proposal_id": proposal.id,
            "outcome": proposal.outcome,
            "proposed_by": proposal.proposed_by_id,
        },
    )
    db.session.flush()
    return proposal


def _end_mandate(deputy_id: int, day) -> None:
    """The deputy is recalled: status ``recalled``, term ending on ``day``."""
    deputy = db.session.get(Deputy, deputy_id)
    deputy.status = DeputyStatus.RECALLED
    deputy.term_end = max(day, deputy.term_start)


def record_vote(
    actor: User,
    petition_id: int,
    *,
    registered: int,
    turnout: int,
    yes: int,
    no: int,
    votes_that_elected: int | None = None,
) -> RecallVoteResult:
    """Record the recall vote of a qualified petition; the petition's rule decides it.

    Uses ``recall.rules.recall_rules.decide_recall_vote``; inconsistent numbers are Invalid (field
    named). The petition becomes ``recalled`` (the deputy's status ``recalled``, the term ending
    on the day recorded) or ``not_recalled``; ``petition.vote_recorded`` is recorded with
    ``recalled`` and the failing conditions. Audit-logged.
    """
    petition = get_petition(actor, petition_id)
    if petition.state != PetitionState.QUALIFIED:
        raise Conflict(_("A recall vote can only be recorded for a qualified petition."))
    numbers = {"registered": registered, "turnout": turnout, "yes": yes, "no": no}
    for name, value in numbers.items():
        if not is_int(value) or value < 0:
            raise Invalid(_("Enter a whole number of zero or more."), field=name)
    if registered == 0:
        raise Invalid(_("The number of registered voters must be positive."), field="registered")
    if turnout > registered:
        raise Invalid(_("More voters took part than are registered."), field="turnout")
    if yes + no > turnout:
        raise Invalid(_("Yes and no together exceed the number who took part."), field="yes")
    try:
        outcome = decide_recall_vote(
            petition.rule_version.to_rule(), registered, turnout, yes, no, votes_that_elected
        )
    except ValueError as exc:
        raise Invalid(
            str(exc), field="votes_that_elected" if "elected" in str(exc) else None
        ) from None
    result = RecallVoteResult(
        petition_id=petition.id,
        recalled=outcome.recalled,
        valid=outcome.valid,
        reason=outcome.reason,
        recorded_by_id=actor.id,
        **numbers,
    )
    db.session.add(result)
    if outcome.recalled:
        _end_mandate(petition.deputy_id, local_day(utcnow()))
    change_state(
        petition,
        PetitionState.RECALLED if outcome.recalled else PetitionState.NOT_RECALLED,
        actor,
        payload={
            "recalled": outcome.recalled,
            "vote_valid": outcome.valid,
            "reason": outcome.reason,
            "failed_conditions": list(outcome.failed),
        },
    )
    append_audit(
        "recall_vote.recorded",
        actor.id,
        "petition",
        petition.id,
        petition.body_id,
        {
            **numbers,
            "recalled": outcome.recalled,
            "valid": outcome.valid,
            "reason": outcome.reason,
            "failed_conditions": list(outcome.failed),
        },
    )
    db.session.flush()
    return result


def vote_result(petition_id: int) -> RecallVoteResult | None:
    return db.session.scalar(
        sa.select(RecallVoteResult).where(RecallVoteResult.petition_id == petition_id)
    )
