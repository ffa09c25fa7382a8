"""The right of reply: a deputy's account answers a rating of one of the deputy's promises.

The reply is shown beside the rating and never changes it (the rating, its status and the
scorecard stay what the monitors recorded). One reply per rating, 10 to 2000 characters.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from recall.errors import Conflict, Forbidden, Invalid, NotFound
from recall.extensions import db
from recall.models.promise import Promise, PromiseStatusChange
from recall.models.rating_reply import RatingReply
from recall.models.user import User
from recall.services.outbox import record_event

TEXT_MIN, TEXT_MAX = 10, 2000


def rating_for_reply(status_change_id: int) -> PromiseStatusChange:
    change = db.session.get(PromiseStatusChange, status_change_id)
    if change is None:
        raise NotFound(_("No such rating."))
    return change


def reply_to_rating(actor: User, status_change_id: int, text: str) -> RatingReply:
    """The rated deputy's account replies to a rating. ``Forbidden`` for anyone else,
    ``Conflict`` when the rating has its reply already, ``Invalid`` for the text; nothing is
    written on refusal."""
    change = rating_for_reply(status_change_id)
    deputy_id = db.session.scalar(
        sa.select(Promise.deputy_id).where(Promise.id == change.promise_id)
    )
    if actor.deputy_id is None or actor.deputy_id != deputy_id:
        raise Forbidden(_("Only the rated deputy's account may reply to this rating."))
    text = (text or "").strip()
    if not TEXT_MIN <= len(text) <= TEXT_MAX:
        raise Invalid(
            _("Write the reply in %(min)d to %(max)d characters.", min=TEXT_MIN, max=TEXT_MAX),
            field="text",
        )
    if db.session.scalar(
        sa.select(RatingReply.id).where(RatingReply.status_change_id == change.id)
    ):
        raise Conflict(_("This rating has its reply already."), field="text")
    reply = RatingReply(
        status_change_id=change.id, deputy_id=deputy_id, author_id=actor.id, text=text
    )
    db.session.add(reply)
    db.session.flush()
    record_event(
        "promise.rating_replied",
        "promise",
        change.promise_id,
        {"promise_id": change.promise_id, "deputy_id": deputy_id, "status_change_id": change.id},
        actor.id,
    )
    return reply


def replies_of(promise_id: int) -> dict[int, RatingReply]:
    """The replies to a promise's ratings, by rating id (one statement)."""
    rows = db.session.scalars(
        sa.select(RatingReply)
        .join(PromiseStatusChange, PromiseStatusChange.id == RatingReply.status_change_id)
        .where(PromiseStatusChange.promise_id == promise_id)
    )
    return {reply.status_change_id: reply for reply in rows}
