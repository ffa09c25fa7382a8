"""Following deputies, bodies, petitions and appeals, and the one-click unsubscribe token of follower mails."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from recall.errors import DomainError, Invalid, NotFound
from recall.extensions import db
from recall.models.appeal import Appeal
from recall.models.body import Body
from recall.models.deputy import Deputy
from recall.models.notifications import Follow, FollowChannel, FollowTarget
from recall.models.petition import Petition
from recall.models.user import User
from recall.services.appeals.queries import can_see

TARGET_MODELS = {
    FollowTarget.DEPUTY: Deputy,
    FollowTarget.PETITION: Petition,
    FollowTarget.APPEAL: Appeal,
    FollowTarget.BODY: Body,
}
_SALT = "recall.unsubscribe"


def _target_type(value: str) -> FollowTarget:
    try:
        return FollowTarget(value)
    except ValueError:
        raise Invalid(
            _("You can follow a deputy, a body, a petition or an appeal."), field="target_type"
        ) from None


def _channel(value: str) -> FollowChannel:
    try:
        return FollowChannel(value)
    except ValueError:
        raise Invalid(_("Choose e-mail or nothing."), field="channel") from None


def follow(
    actor: User, target_type: str, target_id: int, channel: str = FollowChannel.EMAIL
) -> Follow:
    """Follow a deputy, a body, a petition or an appeal, or change how (``email`` or ``none``); returns the follow.

    Raises ``Invalid`` (field ``target_type`` or ``channel``) and ``NotFound``. Flushes.
    """
    kind, how = _target_type(target_type), _channel(channel)
    target = db.session.get(TARGET_MODELS[kind], target_id)
    # An appeal not yet published (in moderation, rejected, a withdrawn draft) is not there for
    # anyone but its author and moderators: following it must not tell that it exists.
    if target is None or (isinstance(target, Appeal) and not can_see(target, actor)):
        raise NotFound(_("Nothing to follow here."), field="target_id")
    row = find_follow(actor, kind, target_id)
    if row is None:
        row = Follow(user_id=actor.id, target_type=kind, target_id=target_id, channel=how)
        db.session.add(row)
    else:
        row.channel = how
    db.session.flush()
    return row


def unfollow(actor: User, target_type: str, target_id: int) -> bool:
    """Stop following; returns False when the user was not following. Flushes."""
    row = find_follow(actor, _target_type(target_type), target_id)
    if row is None:
        return False
    db.session.delete(row)
    db.session.flush()
    return True


def find_follow(user: User, target_type: str, target_id: int) -> Follow | None:
    """The user's follow of a target, if any."""
    return db.session.scalar(
        sa.select(Follow).where(
            Follow.user_id == user.id,
            Follow.target_type == FollowTarget(target_type),
            Follow.target_id == target_id,
        )
    )


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def unsubscribe_token(follow_id: int) -> str:
    """A signed token naming one follow; it does not expire (old mails must keep working)."""
    return _serializer().dumps({"follow": follow_id})


def follow_for_token(token: str) -> Follow | None:
    """The follow a token names (None when it was deleted).

    A bad token raises a ``DomainError`` (400 Bad Request): the link, not anything typed, is wrong.
    """
    try:
        data = _serializer().loads(token)
    except BadSignature:
        raise DomainError(_("This unsubscribe link is not valid."), field="token") from None
    follow_id = data.get("follow") if isinstance(data, dict) else None
    if not isinstance(follow_id, int):
        raise DomainError(_("This unsubscribe link is not valid."), field="token")
    return db.session.get(Follow, follow_id)


def unsubscribe(token: str) -> Follow | None:
    """Stop e-mail for the follow a token names (no login needed: the token is the proof).

    Keeps the follow with channel ``none``. Raises ``DomainError`` (400) for a bad token. Flushes.
    """
    row = follow_for_token(token)
    if row is not None:
        row.channel = FollowChannel.NONE
        db.session.flush()
    return row
