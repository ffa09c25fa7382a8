"""API tokens: created and revoked by their holders, stored hashed, limited to scopes.

* ``promises:write`` and ``webhooks``: for monitors of a civic organization (the token belongs
  to the organization: any of its monitors sees and may revoke it);
* ``commission:read``: for commissioners (read the verification report, review queue and
  voter-roll imports of their body);
* ``commission:write``: for commissioners (record the deputy's answer to a petition's grounds
  for their body; issue 10).

A token acts as the person who created it, with that person's roles checked on every call as on
the pages; a scope only narrows what it may reach. The token is ``rcl_`` and 43 random URL-safe
characters, shown once; only its SHA-256 is kept.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

import sqlalchemy as sa
from flask_babel import gettext as _

from recall.errors import Forbidden, Invalid, NotFound
from recall.extensions import db
from recall.models import Role, User
from recall.models.api_token import ApiToken
from recall.models.base import utcnow

PREFIX = "rcl_"
SCOPES = ("promises:write", "webhooks", "commission:read", "commission:write")
ORGANIZATION_SCOPES = frozenset({"promises:write", "webhooks"})
COMMISSION_SCOPES = frozenset({"commission:read", "commission:write"})
MAX_NAME = 100
MAX_ACTIVE_TOKENS = 20


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def may_hold_tokens(user: User | None) -> bool:
    """Monitors of an organization and commissioners may create tokens."""
    return user is not None and (
        (user.has_role(Role.MONITOR) and user.organization_id is not None)
        or (user.has_role(Role.COMMISSIONER) and user.commission_body_id is not None)
    )


def allowed_scopes(user: User) -> list[str]:
    """The scopes ``user`` may give a token, in ``SCOPES`` order."""
    allowed = set()
    if user.has_role(Role.MONITOR) and user.organization_id is not None:
        allowed |= ORGANIZATION_SCOPES
    if user.has_role(Role.COMMISSIONER) and user.commission_body_id is not None:
        allowed |= COMMISSION_SCOPES
    return [s for s in SCOPES if s in allowed]


def _visible(user: User) -> sa.ColumnElement[bool]:
    own = ApiToken.user_id == user.id
    if user.organization_id is not None and user.has_role(Role.MONITOR):
        return sa.or_(own, ApiToken.organization_id == user.organization_id)
    return own


def list_tokens(actor: User) -> list[ApiToken]:
    """Tokens ``actor`` may see (their own and their organization's), newest first."""
    if not may_hold_tokens(actor):
        raise Forbidden(_("Only monitors of an organization and commissioners hold API tokens."))
    return list(
        db.session.scalars(sa.select(ApiToken).where(_visible(actor)).order_by(ApiToken.id.desc()))
    )


def create_token(actor: User, name: str, scopes: Iterable[str]) -> tuple[ApiToken, str]:
    """A new token of ``actor`` named ``name`` with ``scopes``; returns it and the token text,
    which is never available again. ``Invalid`` (naming the field) for an empty or long name, no
    scope, or a scope the actor may not give; ``Forbidden`` for anyone who may hold none."""
    if not may_hold_tokens(actor):
        raise Forbidden(_("Only monitors of an organization and commissioners hold API tokens."))
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME:
        raise Invalid(
            _("Give the token a name of at most %(n)d characters.", n=MAX_NAME), field="name"
        )
    wanted = sorted(set(scopes or ()), key=lambda s: SCOPES.index(s) if s in SCOPES else -1)
    if not wanted:
        raise Invalid(_("Choose at least one scope."), field="scopes")
    refused = [s for s in wanted if s not in allowed_scopes(actor)]
    if refused:
        raise Invalid(
            _("You may not give a token the scope %(scope)s.", scope=refused[0][:40]),
            field="scopes",
        )
    active = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ApiToken)
        .where(ApiToken.user_id == actor.id, ApiToken.revoked_at.is_(None))
    )
    if active >= MAX_ACTIVE_TOKENS:
        raise Invalid(
            _("Revoke a token first: at most %(n)d at a time.", n=MAX_ACTIVE_TOKENS), field="name"
        )
    raw = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=actor.id,
        organization_id=actor.organization_id if set(wanted) & ORGANIZATION_SCOPES else None,
        body_id=actor.commission_body_id if set(wanted) & COMMISSION_SCOPES else None,
        name=name,
        token_hash=hash_token(raw),
        prefix=raw[: len(PREFIX) + 6],
        scopes=wanted,
    )
    db.session.add(token)
    db.session.flush()
    return token, raw


def revoke_token(actor: User, token_id: int) -> ApiToken:
    """Revoke a token ``actor`` may see (``NotFound`` otherwise); revoking twice changes nothing."""
    token = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.id == token_id, _visible(actor)).with_for_update()
    )
    if token is None:
        raise NotFound(_("No such token."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()
    return token


def authenticate(raw: str | None) -> ApiToken | None:
    """The active token whose text is ``raw``, or None. Marks it used; the mark is kept when the
    request commits (a write), so ``last_used_at`` is the token's last write."""
    if not raw or not raw.startswith(PREFIX) or len(raw) > 200:
        return None
    token = db.session.scalar(
        sa.select(ApiToken).where(
            ApiToken.token_hash == hash_token(raw), ApiToken.revoked_at.is_(None)
        )
    )
    if token is None:
        return None
    token.last_used_at = utcnow()
    return token
