"""One place that turns errors into pages or JSON, depending on what the client asked for.

Every request carries an id: the client's ``X-Request-ID`` when it is a sane token (a proxy or
load balancer usually sets one), else a fresh one. It is returned in the ``X-Request-ID``
response header, written into the log line of every unexpected exception (with its traceback),
and shown on the 500 page and in the JSON error, so a user can quote it and an operator can find
the traceback. A database that cannot be reached answers 503 (try again), never 500.
"""

from __future__ import annotations

import logging
import re
import secrets

import sqlalchemy as sa
from flask import Flask, current_app, g, has_request_context, jsonify, render_template, request
from flask.logging import default_handler
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from recall.errors import DomainError
from recall.security import wants_json

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "X-Request-ID"
# The same header as the WSGI environment names it (read there without building the headers view).
_REQUEST_ID_ENVIRON = "HTTP_" + REQUEST_ID_HEADER.upper().replace("-", "_")
# What we accept from a client as its request id: short, printable, no spaces or separators that
# could forge log lines or headers.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@+=-]{0,127}")
RETRY_AFTER_SECONDS = 5

_TITLES = {
    400: lambda: _("Bad request"),
    401: lambda: _("Please sign in"),
    403: lambda: _("You do not have access to this page"),
    404: lambda: _("Page not found"),
    405: lambda: _("Method not allowed"),
    409: lambda: _("Conflict"),
    413: lambda: _("The upload is too large"),
    422: lambda: _("Please correct the input"),
    429: lambda: _("Too many requests: please wait a moment and try again"),
    500: lambda: _("Something went wrong on our side"),
    503: lambda: _("The service is briefly unavailable: please try again in a moment"),
}


def request_id() -> str | None:
    """This request's id (the client's sane ``X-Request-ID`` or a new one); None outside requests."""
    if not has_request_context():
        return None
    if "request_id" not in g:
        offered = request.environ.get(_REQUEST_ID_ENVIRON, "")
        # 32 random hex digits, as uuid4().hex gave, without building a UUID object per request.
        g.request_id = offered if _SANE_REQUEST_ID.fullmatch(offered) else secrets.token_hex(16)
    return g.request_id


def _add_request_id_header(response):
    response.headers[REQUEST_ID_HEADER] = request_id()
    return response


def error_response(status: int, code: str, message: str, field: str | None = None):
    """Render an error as JSON ``{"error": {...}}`` or as the HTML error page.

    Server-side errors (5xx) carry the request id, for the user to quote.
    """
    reference = request_id() if status >= 500 else None
    if wants_json():
        body = {"error": {"status": status, "code": code, "message": message}}
        if field:
            body["error"]["field"] = field
        if reference:
            body["error"]["request_id"] = reference
        return jsonify(body), status
    title = _TITLES.get(status, _TITLES[400])()
    try:
        page = render_template(
            "errors/error.html", status=status, title=title, message=message, reference=reference
        )
    except Exception:
        if status < 500:
            raise
        # The page's layout may need what just failed (the database, for the signed-in user).
        logger.exception("error page %s could not be rendered (request id %s)", status, reference)
        page = f"<!doctype html><title>{status}</title><h1>{title}</h1><p>{reference or ''}</p>"
    return page, status


def _http_error(exc: HTTPException):
    status = exc.code or 500
    title = _TITLES.get(status)
    message = title() if title else (exc.description or exc.name)
    body, status = error_response(status, exc.name.lower().replace(" ", "_"), message)
    if status == 429 and (retry_after := _retry_after(exc)) is not None:
        response = current_app.make_response((body, status))
        response.headers["Retry-After"] = str(retry_after)
        return response
    return body, status


def _retry_after(exc: HTTPException) -> int | None:
    """Seconds until a rate-limited client may retry: the window of the limit it is over."""
    retry_after = getattr(exc, "retry_after", None)  # recall.rate_limits.RateLimited
    if isinstance(retry_after, int):
        return retry_after
    limit = getattr(getattr(exc, "limit", None), "limit", None)  # Flask-Limiter's RateLimitExceeded
    return limit.get_expiry() if hasattr(limit, "get_expiry") else None


def _domain_error(exc: DomainError):
    return error_response(exc.status_code, exc.code, exc.message, exc.field)


def _database_unavailable(exc: Exception):
    """The database refused, dropped or timed out a connection: 503 and a retry hint, not a 500."""
    current_app.logger.warning(
        "database unavailable, answering 503 (request id %s, %s %s): %s",
        request_id(),
        request.method,
        request.path,
        str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__,
    )
    response, status = _http_error(ServiceUnavailable())
    response = current_app.make_response((response, status))
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _unexpected(exc: Exception):
    if isinstance(exc, HTTPException):
        return _http_error(exc)
    if isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated:
        return _database_unavailable(exc)
    current_app.logger.error(
        "unexpected %s (request id %s, %s %s)",
        exc.__class__.__name__,
        request_id(),
        request.method,
        request.path,
        exc_info=exc,
    )
    return _http_error(InternalServerError())


def _show_limiter_warnings() -> None:
    """Let "falling back to in-memory storage" reach the console, where Flask's own log goes.

    Flask-Limiter logs on its own logger with only a ``NullHandler``; with no handler on the root
    logger (gunicorn, ``flask run``) its warnings would vanish.
    """
    limiter_logger = logging.getLogger("flask-limiter")
    if logging.getLogger().handlers or default_handler in limiter_logger.handlers:
        return
    limiter_logger.addHandler(default_handler)


def init_app(app: Flask) -> None:
    _show_limiter_warnings()
    app.after_request(_add_request_id_header)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(DomainError, _domain_error)
    # Connection refused or lost, pool exhausted, deadlock or statement timeout: all temporary.
    for error in (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError):
        app.register_error_handler(error, _database_unavailable)
    if not app.testing:
        app.register_error_handler(Exception, _unexpected)
