"""The JSON API under ``/api/v1``.

Programs of organizations and commissions send ``Authorization: Bearer <token>`` (scoped API
tokens, ``recall.api.scopes``). Errors use one shape, ``{"error": {"status", "code", "message", "field"?}}`` (see
``recall.web.errors``). Anonymous clients need no CSRF token (they carry no ambient
authority); a request authenticated by the session cookie must send ``X-CSRFToken`` on unsafe
methods, so a signed-in commissioner's browser cannot be tricked into an API call.
"""

from __future__ import annotations

from flask import Blueprint, abort, g, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from recall.api.conventions import add_conventions
from recall.api.scopes import check_token
from recall.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


bp.after_request(add_conventions)
bp.before_request(check_token)  # before the CSRF check: a token call needs no CSRF token


@bp.before_request
def _csrf_for_cookie_sessions():
    # Only a cookie is sent by a browser on its own: a request without one (anonymous signing)
    # carries no ambient authority, and needs no user loaded to know it.
    if (
        request.method in SAFE_METHODS
        or "HTTP_COOKIE" not in request.environ
        or not request.cookies
    ):
        return None
    if g.get("api_token") is not None:  # a bearer token is not sent by the browser on its own
        return None
    if not current_user.is_authenticated:
        return None
    try:
        validate_csrf(request.headers.get("X-CSRFToken") or request.headers.get("X-CSRF-Token"))
    except (ValidationError, CSRFError):
        abort(400, description="Missing or invalid X-CSRFToken header.")
    return None


from recall.api import (  # noqa: E402 (the modules register their routes on bp, defined above)
    appeals,  # noqa: F401
    audit,  # noqa: F401
    commission,  # noqa: F401
    deputies,  # noqa: F401  (routes register themselves on bp)
    docs,  # noqa: F401
    petitions,  # noqa: F401
    promises,  # noqa: F401
    signatures,  # noqa: F401
    webhooks,  # noqa: F401
)
