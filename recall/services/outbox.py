"""Record events in the outbox, inside the caller's transaction."""

from __future__ import annotations

from typing import Any

from flask import has_request_context
from flask_babel import get_locale

from recall.extensions import db
from recall.models.outbox import Event
from recall.services.sealing import seal_payload


def record_event(
    kind: str,
    subject_type: str,
    subject_id: int,
    payload: dict[str, Any] | None = None,
    actor_id: int | None = None,
) -> Event:
    """Add an event to the current transaction and flush it so it has an id.

    Nothing is sent here. If the transaction commits, the event is dispatched after commit
    (see ``recall.notifications``); if it rolls back, the event disappears with it.
    ``payload`` must be JSON-serialisable and must never hold an IIN. Inside a request the
    event keeps the request's language, for recipients who have no account to say theirs.
    Links and codes for one person (``recall.services.sealing.SECRET_PAYLOAD_KEYS``) are stored
    encrypted, never in plain text; only the mail renderer opens them.
    """
    event = Event(**event_values(kind, subject_type, subject_id, payload, actor_id))
    db.session.add(event)
    db.session.flush()
    return event


def event_values(
    kind: str,
    subject_type: str,
    subject_id: Any,
    payload: dict[str, Any] | None = None,
    actor_id: int | None = None,
) -> dict[str, Any]:
    """The column values ``record_event`` gives an event (``subject_id`` may be a SQL expression)."""
    return {
        "kind": kind,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "payload": seal_payload(dict(payload or {})),
        "actor_id": actor_id,
        "locale": str(get_locale()) if has_request_context() else None,
    }


def dispatch_committed(event_id: int) -> None:
    """Hand over an event a statement of the caller's committed on its own (no session commit
    to wait for)."""
    from recall.notifications.dispatch import dispatch_committed as hand_over

    hand_over([event_id])


def note_recorded(event_id: int) -> None:
    """Have an event the caller inserted with a statement of its own (not through ``record_event``)
    dispatched after the commit, like every other: only if the transaction commits."""
    from recall.notifications.dispatch import note_events

    note_events(db.session(), [event_id])
