"""The appeal state machine: the one transition table, and the one function that moves an appeal.

Every change of ``Appeal.state`` goes through :func:`change_state`, which checks the transition
exists, stamps the appeal's timestamps, writes a history row (shown on the page) and records the
event followers hear about. *Who* may perform it is checked by the calling service first.

Transitions::

    draft         -> in_moderation   the author sends it to moderation
    draft         -> closed          the author withdraws the draft
    in_moderation -> open            a moderator publishes it (signing opens)
    in_moderation -> rejected        a moderator rejects it (reason required)
    in_moderation -> closed          a moderator merges it into an open appeal it duplicates
    open          -> response_due    enough constituents signed (the signing service, once)
    open          -> answered        the addressee answers before the threshold
    open          -> closed          the period is over (periodic task)
    response_due  -> answered        the addressee answers in time
    response_due  -> overdue         the due date passed without an answer (periodic task)
    overdue       -> answered        a late answer (the figures still count it late)
    answered      -> closed          the period is over (periodic task)
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from recall.errors import Conflict, Invalid
from recall.extensions import db
from recall.models.appeal import Appeal, AppealHistory, AppealState
from recall.models.base import utcnow
from recall.models.user import User
from recall.services.outbox import record_event

S = AppealState

TRANSITIONS: dict[AppealState, frozenset[AppealState]] = {
    S.DRAFT: frozenset({S.IN_MODERATION, S.CLOSED}),
    S.IN_MODERATION: frozenset({S.OPEN, S.REJECTED, S.CLOSED}),
    S.OPEN: frozenset({S.RESPONSE_DUE, S.ANSWERED, S.CLOSED}),
    S.RESPONSE_DUE: frozenset({S.ANSWERED, S.OVERDUE}),
    S.OVERDUE: frozenset({S.ANSWERED}),
    S.ANSWERED: frozenset({S.CLOSED}),
    S.REJECTED: frozenset(),
    S.CLOSED: frozenset(),
}

EVENT_KINDS: dict[AppealState, str] = {
    S.IN_MODERATION: "appeal.submitted",
    S.OPEN: "appeal.published",
    S.REJECTED: "appeal.rejected",
    S.RESPONSE_DUE: "appeal.threshold_reached",
    S.ANSWERED: "appeal.answered",
    S.OVERDUE: "appeal.overdue",
    S.CLOSED: "appeal.closed",
}

# States in which a published appeal is public (listed, its page shown to everyone). A closed
# appeal that was never published (a withdrawn draft, a merged duplicate) is not: see is_public.
PUBLIC_STATES = frozenset({S.OPEN, S.RESPONSE_DUE, S.ANSWERED, S.OVERDUE, S.CLOSED})
# States in which people may sign.
SIGNING_STATES = frozenset({S.OPEN, S.RESPONSE_DUE, S.OVERDUE})


def is_public(appeal: Appeal) -> bool:
    """Is the appeal shown to everyone: published by a moderator (``opens_at`` set) and in a
    public state. A draft withdrawn or a duplicate merged in moderation is closed unpublished,
    and stays visible to its author and moderators only."""
    return appeal.state in PUBLIC_STATES and appeal.opens_at is not None


def public_clause() -> sa.ColumnElement[bool]:
    """:func:`is_public` as a SQL condition."""
    return sa.and_(Appeal.state.in_(PUBLIC_STATES), Appeal.opens_at.is_not(None))


def check_transition(appeal: Appeal, to_state: AppealState | str) -> AppealState:
    """Raise ``Conflict`` unless ``appeal`` may move to ``to_state`` now; return the target."""
    try:
        target = AppealState(to_state)
    except ValueError:
        raise Invalid(
            _("Unknown appeal state: %(state)s.", state=to_state), field="state"
        ) from None
    current = AppealState(appeal.state)
    if target not in TRANSITIONS[current]:
        raise Conflict(
            _(
                "An appeal that is %(current)s cannot become %(target)s.",
                current=state_label(current),
                target=state_label(target),
            ),
            field="state",
        )
    return target


def change_state(
    appeal: Appeal,
    to_state: AppealState | str,
    actor: User | None,
    *,
    reason: str | None = None,
    payload: dict[str, Any] | None = None,
    kind: str | None = None,
) -> Appeal:
    """Move ``appeal`` to ``to_state``: timestamps, a history row, the event; flush.

    ``Conflict`` (nothing written) for a transition not in :data:`TRANSITIONS`; ``Invalid``
    (field ``reason``) for a rejection without a reason. ``actor`` is None for scheduled work.
    ``kind`` names the event when it is not the target state's (a merge closes the appeal).
    """
    target = check_transition(appeal, to_state)
    current = AppealState(appeal.state)
    reason = (reason or "").strip() or None
    if target == S.REJECTED and reason is None:
        raise Invalid(_("Give the reason for the rejection."), field="reason")
    now = utcnow()
    appeal.state = target
    if target == S.IN_MODERATION:
        appeal.submitted_at = now
    elif target == S.REJECTED:
        appeal.rejection_reason = reason
    elif target == S.OVERDUE:
        appeal.overdue_at = now
    elif target == S.CLOSED:
        appeal.closed_at = now
    if current == S.IN_MODERATION and actor is not None:
        appeal.moderated_by_id = actor.id
    db.session.add(
        AppealHistory(
            appeal_id=appeal.id,
            from_state=current.value,
            to_state=target.value,
            actor_id=actor.id if actor is not None else None,
            reason=reason,
            created_at=now,
        )
    )
    db.session.flush()
    event_payload: dict[str, Any] = {
        "appeal_id": appeal.id,
        "from": current.value,
        "to": target.value,
        "deputy_id": appeal.deputy_id,
        "body_id": appeal.body_id,
        "user_id": appeal.author_id,  # the author hears (PAYLOAD_USER)
        "title": appeal.title,
    }
    if reason is not None:
        event_payload["reason"] = reason
    event_payload.update(payload or {})
    record_event(
        kind or EVENT_KINDS[target],
        "appeal",
        appeal.id,
        event_payload,
        actor.id if actor is not None else None,
    )
    return appeal


def state_label(state: AppealState | str) -> str:
    """A person-readable name of a state (translated)."""
    labels = {
        S.DRAFT: _("draft"),
        S.IN_MODERATION: _("in moderation"),
        S.REJECTED: _("rejected"),
        S.OPEN: _("open for signing"),
        S.RESPONSE_DUE: _("response due"),
        S.ANSWERED: _("answered"),
        S.OVERDUE: _("overdue"),
        S.CLOSED: _("closed"),
    }
    return labels[AppealState(state)]
