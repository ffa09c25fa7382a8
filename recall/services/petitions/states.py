"""The petition state machine: which transitions exist, and the one function that performs them.

Every change of ``Petition.state`` goes through :func:`change_state`, whoever drives it (the
petitions service for open/submit/register/reject/close, verification for the later states).
``change_state`` checks only that the transition exists; *who* may perform it (a commissioner of
the petition's body, the initiator...) is checked by the calling service before it calls here.

Transitions::

    gathering_group -> submitted            initiator submits the initiative group to the commission
    gathering_group -> rejected             the initiator withdraws the petition before submitting it
    submitted       -> collecting           commissioner registers it (signing opens)
    submitted       -> rejected             commissioner refuses to register it (reason required)
    collecting      -> closed               the signing period is over (scheduled job)
    closed          -> under_verification   the commission starts checking signatures
    under_verification -> qualified|failed  the commission certifies the result
    under_verification -> recalled      certified successful under a rule the petition decides
                                        (no vote, UK Recall of MPs Act 2015 s.14-15): the seat
                                        is vacated on certification
    qualified       -> recalled|not_recalled  the recall vote's outcome is recorded

Verification may run checks on a collecting petition before it closes: that is not a state change.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from recall.errors import Conflict, Invalid
from recall.extensions import db
from recall.models.base import utcnow
from recall.models.petition import FINAL_STATES, Petition, PetitionState
from recall.models.user import User
from recall.services.outbox import record_event

S = PetitionState

TRANSITIONS: dict[PetitionState, frozenset[PetitionState]] = {
    S.GATHERING_GROUP: frozenset({S.SUBMITTED, S.REJECTED}),
    S.SUBMITTED: frozenset({S.COLLECTING, S.REJECTED}),
    S.COLLECTING: frozenset({S.CLOSED}),
    S.CLOSED: frozenset({S.UNDER_VERIFICATION}),
    S.UNDER_VERIFICATION: frozenset({S.QUALIFIED, S.FAILED, S.RECALLED}),
    S.QUALIFIED: frozenset({S.RECALLED, S.NOT_RECALLED}),
    S.REJECTED: frozenset(),
    S.FAILED: frozenset(),
    S.RECALLED: frozenset(),
    S.NOT_RECALLED: frozenset(),
}

# Event kind recorded for entering each state (the kinds the default notification rules in
# recall/models/notifications.py route).
EVENT_KINDS: dict[PetitionState, str] = {
    S.SUBMITTED: "petition.submitted",
    S.COLLECTING: "petition.registered",
    S.REJECTED: "petition.rejected",
    S.CLOSED: "petition.closed",
    S.UNDER_VERIFICATION: "petition.verification_started",
    S.QUALIFIED: "petition.certified",
    S.FAILED: "petition.certified",
    S.RECALLED: "petition.vote_recorded",
    S.NOT_RECALLED: "petition.vote_recorded",
}

# Transitions whose event is not the target state's usual one: a petition that recalls by
# itself is announced as certified (there is no vote to record).
EVENT_KIND_OVERRIDES: dict[tuple[PetitionState, PetitionState], str] = {
    (S.UNDER_VERIFICATION, S.RECALLED): "petition.certified",
}

# A petition is "active" until it reaches a final state; a deputy has at most one active petition.
ACTIVE_STATES = frozenset(PetitionState) - FINAL_STATES


def allowed_targets(state: PetitionState) -> frozenset[PetitionState]:
    """The states a petition in ``state`` may move to."""
    return TRANSITIONS[PetitionState(state)]


def can_transition(from_state: PetitionState, to_state: PetitionState) -> bool:
    """True if ``from_state -> to_state`` is in the transition table."""
    return PetitionState(to_state) in TRANSITIONS[PetitionState(from_state)]


def check_transition(petition: Petition, to_state: PetitionState | str) -> PetitionState:
    """Raise ``Conflict`` unless ``petition`` may move to ``to_state`` now; return the target state."""
    try:
        target = PetitionState(to_state)
    except ValueError:
        raise Invalid(
            _("Unknown petition state: %(state)s.", state=to_state), field="state"
        ) from None
    current = PetitionState(petition.state)
    if target not in TRANSITIONS[current]:
        raise Conflict(
            _(
                "A petition that is %(current)s cannot become %(target)s.",
                current=state_label(current),
                target=state_label(target),
            ),
            field="state",
        )
    return target


def change_state(
    petition: Petition,
    to_state: PetitionState | str,
    actor: User | None,
    *,
    reason: str | None = None,
    payload: dict[str, Any] | None = None,
) -> Petition:
    """Move ``petition`` to ``to_state``, stamp its timestamps, record the event, flush.

    Raises ``Conflict`` (nothing changed, nothing recorded) for a transition that is not in
    :data:`TRANSITIONS`, and ``Invalid`` (field ``reason``) for a rejection without a reason.
    ``actor`` is None for scheduled work (the closing job). ``payload`` is merged into the event
    payload, which always carries ``from``, ``to`` and ``petition_id``; certification passes
    ``{"outcome": ...}`` and the vote ``{"recalled": ...}``; when absent they are derived from
    the target state.
    """
    target = check_transition(petition, to_state)
    current = PetitionState(petition.state)
    reason = (reason or "").strip() or None
    if target == S.REJECTED and reason is None:
        raise Invalid(_("Give the reason for the rejection."), field="reason")

    now = utcnow()
    petition.state = target
    if target == S.SUBMITTED:
        petition.submitted_at = now
    elif target == S.COLLECTING:
        petition.registered_at = now
        if actor is not None:
            petition.registered_by_id = actor.id
    elif target == S.CLOSED:
        petition.closed_at = now
    if target == S.REJECTED:
        petition.rejection_reason = reason
    if target in FINAL_STATES:
        petition.final_state_at = now

    event_payload: dict[str, Any] = {
        "petition_id": petition.id,
        "from": current.value,
        "to": target.value,
    }
    if reason is not None:
        event_payload["reason"] = reason
    if target in (S.QUALIFIED, S.FAILED):
        event_payload["outcome"] = target.value
    if target in (S.RECALLED, S.NOT_RECALLED):
        event_payload["recalled"] = target == S.RECALLED
    event_payload.update(payload or {})
    db.session.flush()
    record_event(
        EVENT_KIND_OVERRIDES.get((current, target), EVENT_KINDS[target]),
        "petition",
        petition.id,
        event_payload,
        actor.id if actor is not None else None,
    )
    return petition


def state_label(state: PetitionState | str) -> str:
    """A person-readable name of a state (translated)."""
    labels = {
        S.GATHERING_GROUP: _("gathering its initiative group"),
        S.SUBMITTED: _("submitted to the commission"),
        S.REJECTED: _("rejected"),
        S.COLLECTING: _("collecting signatures"),
        S.CLOSED: _("closed"),
        S.UNDER_VERIFICATION: _("under verification"),
        S.QUALIFIED: _("qualified"),
        S.FAILED: _("failed"),
        S.RECALLED: _("recalled"),
        S.NOT_RECALLED: _("not recalled"),
    }
    return labels[PetitionState(state)]
