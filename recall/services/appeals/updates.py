"""Updates from the people behind an appeal or a recall petition, to its followers.

The author of an appeal, or the initiator of a recall petition, posts an update (10-2000
characters): where to sign on paper, a meeting, the deputy's answer. A moderator publishes or
rejects it (with a reason); a published update is shown on the page and recorded as
``appeal.update_published`` / ``petition.update_published``, which the followers of the appeal
or petition receive. At most one update a week per appeal or petition (pending or published ones
count; a rejected one does not).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from recall.errors import Conflict, Forbidden, Invalid, NotFound
from recall.extensions import db
from recall.models.appeal import Appeal, InitiatorUpdate, UpdateState
from recall.models.base import utcnow
from recall.models.petition import FINAL_STATES, Petition, PetitionState
from recall.models.user import Role, User
from recall.services.appeals.states import is_public
from recall.services.outbox import record_event

TEXT_MIN, TEXT_MAX = 10, 2000
REASON_MAX = 2000
INTERVAL = timedelta(days=7)


def _subject(subject_type: str, subject_id: int) -> Appeal | Petition:
    model = {"appeal": Appeal, "petition": Petition}.get(subject_type)
    subject = db.session.get(model, subject_id) if model else None
    if subject is None:
        raise NotFound(_("Nothing to post an update on here."))
    return subject


def _initiator_id(subject: Appeal | Petition) -> int:
    return subject.author_id if isinstance(subject, Appeal) else subject.initiator_id


def _accepts_updates(subject: Appeal | Petition) -> bool:
    if isinstance(subject, Appeal):
        return is_public(subject)
    return subject.state not in FINAL_STATES and subject.state != PetitionState.GATHERING_GROUP


def post_update(
    actor: User, subject_type: str, subject_id: int, text: str, *, now: datetime | None = None
) -> InitiatorUpdate:
    """The initiator posts an update; it waits for a moderator. ``Forbidden`` for anyone else,
    ``Conflict`` before publication or after the end, or within a week of the last one,
    ``Invalid`` for the text. Nothing is written on refusal."""
    now = now or utcnow()
    subject = _subject(subject_type, subject_id)
    if _initiator_id(subject) != actor.id:
        raise Forbidden(_("Only the initiator may post updates."))
    if not _accepts_updates(subject):
        raise Conflict(_("Updates can be posted while it is public and running."), field="text")
    text = (text or "").strip()
    if not TEXT_MIN <= len(text) <= TEXT_MAX:
        raise Invalid(
            _("Write the update in %(min)d to %(max)d characters.", min=TEXT_MIN, max=TEXT_MAX),
            field="text",
        )
    # Serialise the initiator's posts on the subject row, so two at once cannot both pass.
    db.session.execute(
        sa.select(type(subject).id).where(type(subject).id == subject.id).with_for_update()
    )
    last = db.session.scalar(
        sa.select(sa.func.max(InitiatorUpdate.created_at)).where(
            InitiatorUpdate.subject_type == subject_type,
            InitiatorUpdate.subject_id == subject_id,
            InitiatorUpdate.state != UpdateState.REJECTED,
        )
    )
    if last is not None and now - last < INTERVAL:
        raise Conflict(
            _(
                "One update a week: the next one can be posted on %(date)s.",
                date=(last + INTERVAL).date().isoformat(),
            ),
            field="text",
        )
    update = InitiatorUpdate(
        subject_type=subject_type,
        subject_id=subject_id,
        author_id=actor.id,
        text=text,
        created_at=now,
    )
    db.session.add(update)
    db.session.flush()
    return update


def _pending(actor: User, update_id: int) -> InitiatorUpdate:
    if not actor.has_role(Role.MODERATOR):
        raise Forbidden(_("Only moderators may do this."))
    update = db.session.scalar(
        sa.select(InitiatorUpdate).where(InitiatorUpdate.id == update_id).with_for_update()
    )
    if update is None:
        raise NotFound(_("No such update."))
    if update.state != UpdateState.PENDING:
        raise Conflict(_("This update was already moderated."))
    return update


def publish_update(actor: User, update_id: int, *, now: datetime | None = None) -> InitiatorUpdate:
    """A moderator publishes an update: shown on the page, sent to the followers."""
    update = _pending(actor, update_id)
    update.state = UpdateState.PUBLISHED
    update.moderated_by_id = actor.id
    update.published_at = now or utcnow()
    db.session.flush()
    record_event(
        f"{update.subject_type}.update_published",
        update.subject_type,
        update.subject_id,
        {f"{update.subject_type}_id": update.subject_id, "update": update.text},
        actor.id,
    )
    return update


def reject_update(actor: User, update_id: int, reason: str) -> InitiatorUpdate:
    """A moderator rejects an update, with a reason the initiator sees."""
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_MAX:
        raise Invalid(_("Give the reason for the rejection."), field="reason")
    update = _pending(actor, update_id)
    update.state = UpdateState.REJECTED
    update.moderated_by_id = actor.id
    update.rejection_reason = reason
    db.session.flush()
    return update


def published_updates(subject_type: str, subject_id: int) -> list[InitiatorUpdate]:
    return list(
        db.session.scalars(
            sa.select(InitiatorUpdate)
            .where(
                InitiatorUpdate.subject_type == subject_type,
                InitiatorUpdate.subject_id == subject_id,
                InitiatorUpdate.state == UpdateState.PUBLISHED,
            )
            .order_by(InitiatorUpdate.published_at.desc(), InitiatorUpdate.id.desc())
        )
    )


def pending_updates(actor: User) -> list[InitiatorUpdate]:
    if not actor.has_role(Role.MODERATOR):
        raise Forbidden(_("Only moderators may do this."))
    return list(
        db.session.scalars(
            sa.select(InitiatorUpdate)
            .where(InitiatorUpdate.state == UpdateState.PENDING)
            .order_by(InitiatorUpdate.created_at, InitiatorUpdate.id)
        )
    )
