"""The one way a page runs a service that writes.

``submit`` validates the posted form, runs the action, commits once and answers ``done(result)``.
A form that fails validation, or a domain error from the action (rolled back, shown beside the
field it names), renders ``page()`` again with the form and its errors, answered 422.
``Forbidden`` and ``NotFound`` are never caught here: they reach the app's error handlers (403,
404), as does every domain error when the client asked for JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect
from flask_wtf import FlaskForm

from recall.errors import DomainError, Forbidden, NotFound
from recall.extensions import db
from recall.security import wants_json
from recall.web.forms import attach_error


def submit(
    form: FlaskForm,
    action: Callable[[], Any],
    *,
    done: Callable[[Any], Any],
    page: Callable[[], str],
):
    """A GET renders ``page()``; a valid POST runs ``action()`` and answers ``done(its result)``."""
    if not form.validate_on_submit():
        return page(), 422 if form.is_submitted() else 200
    try:
        result = action()
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        if isinstance(exc, (Forbidden, NotFound)) or wants_json():
            raise
        attach_error(form, exc)
        return page(), 422
    return done(result)


def redirect_with(message: str, target: str, code: int = 303):
    """Flash ``message`` as a success and redirect to ``target``."""
    flash(message, "success")
    return redirect(target, code)
