"""Flask-Login wiring: loading the user from the session cookie, or on the API from an
``Authorization: Bearer`` token (``recall.services.accounts.api_tokens``)."""

from __future__ import annotations

from flask import Flask, g
from flask_babel import lazy_gettext as _l

from recall.extensions import db, login_manager
from recall.models.user import User
from recall.replica import primary
from recall.services.accounts import api_tokens

API_PREFIX = "/api/v1/"


def _load_user(session_id: str) -> User | None:
    """Session ids are ``"<user id>:<session version>"``; a stale version logs the session out.

    So does an account whose e-mail address is not confirmed: it can neither sign in nor act.
    """
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    with primary():  # a new password or log-out everywhere counts at once, never after the lag
        user = db.session.get(User, int(user_id), populate_existing=True)
    if user is None or user.session_version != int(version) or not user.is_confirmed:
        return None
    return user


def _load_user_from_token(req) -> User | None:
    """On ``/api/v1`` only: the user whose active token the ``Authorization: Bearer`` header
    carries; the token is kept in ``g.api_token`` for its scopes (``recall.api.scopes``)."""
    if not req.path.startswith(API_PREFIX):
        return None
    kind, _, raw = req.headers.get("Authorization", "").partition(" ")
    if kind.lower() != "bearer":
        return None
    with primary():  # a revoked token stops at once, never after the replica's lag
        token = api_tokens.authenticate(raw.strip())
    if token is None:
        g.api_token_refused = True
        return None
    g.api_token = token
    return token.user


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(_load_user)
    login_manager.request_loader(_load_user_from_token)
