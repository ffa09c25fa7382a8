"""Flask-Login wiring: loading the user from the session cookie."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from recall.extensions import db, login_manager
from recall.models.user import User
from recall.replica import primary


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


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(_load_user)
