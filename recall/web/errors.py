"""One place that turns errors into pages or JSON, depending on what the client asked for."""

from __future__ import annotations

from flask import Flask, jsonify, render_template
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, InternalServerError

from recall.errors import DomainError
from recall.security import wants_json

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
}


def error_response(status: int, code: str, message: str, field: str | None = None):
    """Render an error as JSON ``{"error": {...}}`` or as the HTML error page."""
    if wants_json():
        body = {"error": {"status": status, "code": code, "message": message}}
        if field:
            body["error"]["field"] = field
        return jsonify(body), status
    title = _TITLES.get(status, _TITLES[400])()
    return render_template("errors/error.html", status=status, title=title, message=message), status


def _http_error(exc: HTTPException):
    status = exc.code or 500
    title = _TITLES.get(status)
    message = title() if title else (exc.description or exc.name)
    return error_response(status, exc.name.lower().replace(" ", "_"), message)


def _domain_error(exc: DomainError):
    return error_response(exc.status_code, exc.code, exc.message, exc.field)


def _unexpected(exc: Exception):
    if isinstance(exc, HTTPException):
        return _http_error(exc)
    return _http_error(InternalServerError())


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(DomainError, _domain_error)
    if not app.testing:
        app.register_error_handler(Exception, _unexpected)
