"""Updates from the people behind an appeal or a recall petition, to its followers.

The author of an appeal, or the initiator of a recall petition, posts an update (10-2000
characters): where to sign on paper, a meeting, the deputy's answer. A moderator publishes or
rejects it (with a reason); a published update is shown on the page and recorded as
``appeal.update_published`` / ``petition.update_published`` (for webhooks). At most one update a
week per appeal or petition (pending or published ones count; a rejected one does not).

Followers get updates in a digest, not a mail each (:func:`record_update_digests`, a periodic
task): once a day, each follower who follows by e-mail gets one ``follower.updates_digest`` with
every update published before that day began on everything they follow, that they have not had
yet. ``UpdateDigestEntry`` records each update put into each follower's digest, in the
transaction that records the digest, and is unique per update and follower: exactly once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from recall.errors import Conflict, Forbidden, Invalid, NotFound
from recall.extensions import db
from recall.i18n import format_day, start_of_local_day
from recall.models.appeal import Appeal, InitiatorUpdate, UpdateDigestEntry, UpdateState
from recall.models.base import utcnow
from recall.models.deputy import Deputy
from recall.models.notifications import Follow, FollowChannel
from recall.models.petition import FINAL_STATES, Petition, PetitionState
from recall.models.user import Role, User
from recall.notifications.mail import public_url
from recall.services.appeals.states import is_public
from recall.services.outbox import record_event
from recall.services.signing.counting import local_day

TEXT_MIN, TEXT_MAX = 10, 2000
REASON_MAX = 2000
INTERVAL = timedelta(days=7)
DIGEST_EVENT = "follower.updates_digest"


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
                date=format_day(last + INTERVAL),
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
    """A moderator publishes an update: shown on the page, announced to webhooks, and put in
    the followers' next digest (:func:`record_update_digests`)."""
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


def record_update_digests(now: datetime) -> int:
    """Periodic (hourly; a follower gets at most one digest a day): record one
    ``follower.updates_digest`` per follower (e-mail follows only) with the published updates,
    on the appeals and recall petitions they follow, that were published before today began
    (local time), after the follow began, by someone else, and are not in a digest of theirs
    yet. Each one is recorded as an ``UpdateDigestEntry`` with the event, in this transaction:
    a rerun, or a concurrent run, records nothing twice (the unique entry would refuse it).
    Returns how many digests were recorded. Flushes."""
    cutoff = start_of_local_day(local_day(now))
    sent = sa.select(UpdateDigestEntry.id).where(
        UpdateDigestEntry.update_id == InitiatorUpdate.id,
        UpdateDigestEntry.user_id == Follow.user_id,
    )
    rows = db.session.execute(
        sa.select(InitiatorUpdate, Follow.user_id)
        .join(
            Follow,
            sa.and_(
                Follow.target_type == InitiatorUpdate.subject_type,
                Follow.target_id == InitiatorUpdate.subject_id,
            ),
        )
        .where(
            InitiatorUpdate.state == UpdateState.PUBLISHED,
            InitiatorUpdate.published_at < cutoff,
            InitiatorUpdate.published_at >= Follow.created_at,
            InitiatorUpdate.author_id != Follow.user_id,
            Follow.channel == FollowChannel.EMAIL,
            ~sent.exists(),
        )
        .order_by(Follow.user_id, InitiatorUpdate.published_at, InitiatorUpdate.id)
    ).all()
    by_user: dict[int, list[InitiatorUpdate]] = {}
    for update, user_id in rows:
        by_user.setdefault(user_id, []).append(update)
    titles = _subject_titles({(u.subject_type, u.subject_id) for u, _user in rows})
    for user_id, user_updates in by_user.items():
        items = [_digest_item(u, titles[(u.subject_type, u.subject_id)]) for u in user_updates]
        event = record_event(DIGEST_EVENT, "user", user_id, {"user_id": user_id, "updates": items})
        db.session.add_all(
            UpdateDigestEntry(update_id=u.id, user_id=user_id, event_id=event.id, created_at=now)
            for u in user_updates
        )
    db.session.flush()
    return len(by_user)


def _subject_titles(keys: set[tuple[str, int]]) -> dict[tuple[str, int], str]:
    """What a digest calls each appeal (its title) and recall petition (the deputy's name)."""
    appeal_ids = [i for kind, i in keys if kind == "appeal"]
    petition_ids = [i for kind, i in keys if kind == "petition"]
    titles = {}
    if appeal_ids:
        rows = db.session.execute(
            sa.select(Appeal.id, Appeal.title).where(Appeal.id.in_(appeal_ids))
        )
        titles.update({("appeal", i): title for i, title in rows})
    if petition_ids:
        rows = db.session.execute(
            sa.select(Petition.id, Deputy.full_name)
            .join(Deputy, Deputy.id == Petition.deputy_id)
            .where(Petition.id.in_(petition_ids))
        )
        titles.update({("petition", i): name for i, name in rows})
    return titles


def _digest_item(update: InitiatorUpdate, title: str) -> dict:
    endpoint = {"appeal": ("appeals.show_appeal", "appeal_id")}.get(
        update.subject_type, ("petitions.show_petition", "petition_id")
    )
    return {
        "kind": update.subject_type,
        "title": title,
        "text": update.text,
        "published_on": local_day(update.published_at).isoformat(),
        "url": public_url(endpoint[0], **{endpoint[1]: update.subject_id}),
    }
