"""What an API token may reach: its scopes (``recall.services.accounts.api_tokens.SCOPES``).

A request with ``Authorization: Bearer <token>`` acts as the token's holder (``recall.auth``),
whose roles every route checks as usual. On top of that a token reaches only the public routes
and the routes marked with :func:`scope` for one of its scopes; anything else is 403. An unknown
or revoked token is 401, never an anonymous call. A token is no ambient credential: a call with
one needs no CSRF token.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, g, request
from flask_babel import gettext as _
from flask_login import current_user

from recall.errors import Forbidden, Unauthorized
from recall.security import access_of

F = Callable[..., Any]


def scope(name: str) -> Callable[[F], F]:
    """Let tokens with scope ``name`` call this route."""

    def mark(view: F) -> F:
        view.token_scope = name  # type: ignore[attr-defined]
        return view

    return mark


def token_scope_of(view) -> str | None:
    return getattr(view, "token_scope", None)


def check_token() -> None:
    """``before_request`` of the API: refuse a bad token, and a good one outside its scopes."""
    if request.endpoint is None or request.method == "OPTIONS":
        return
    # The environ key, not request.headers: a missing header costs that view a KeyError.
    if "HTTP_AUTHORIZATION" not in request.environ:
        return  # the token loader reads that header alone: no token to check, no user to load
    signed_in = current_user.is_authenticated  # runs the token loader
    if not signed_in and g.get("api_token_refused"):
        raise Unauthorized(_("The API token is unknown or revoked."))
    token = g.get("api_token")
    if token is None:
        return
    view = current_app.view_functions[request.endpoint]
    required = token_scope_of(view)
    access = access_of(current_app, request.endpoint)
    if required is None and access is not None and access.public:
        return
    if required is None or required not in token.scopes:
        raise Forbidden(_("This API token's scopes do not allow this call."))
