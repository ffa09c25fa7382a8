"""Limits on what a request may carry, checked before any view or form reads it.

* **Size.** Every body is limited to ``MAX_FORM_BYTES`` (``MAX_FORM_KB``, 64 KiB by default):
  forms and JSON are small. Only the endpoints in ``UPLOAD_ENDPOINTS`` take up to
  ``MAX_UPLOAD_BYTES`` (``MAX_UPLOAD_MB``, 200 MiB). A missing setting means its default. A declared ``Content-Length`` above the limit is
  refused with 413 before a byte is read; a body without one (chunked) is cut off by Werkzeug at
  the same limit (``request.max_content_length``, per request since Flask 3.1).
* **NUL bytes.** No text we accept may contain U+0000 (PostgreSQL cannot store it, and no name,
  address, e-mail or filter has one): a NUL in the query string, a form field or a JSON body is
  a 400 naming it. CSV files are checked line by line by their importers instead.
* **Ids in paths.** ``<int:...>`` matches only numbers a PostgreSQL ``INTEGER`` column can hold,
  so ``/petitions/99999999999999999999`` is a 404, not a database error.
* **Nesting.** A JSON body nested deeper than Python's recursion limit is "not valid JSON", not a
  crash (:class:`GuardedJSONProvider`).

The hook is registered before CSRF protection, which reads the form of every POST.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import IntegerConverter

from recall.errors import DomainError
from recall.services.pagination import MAX_ROW_ID

# The routes that receive files: the voter roll and the paper-signature CSV.
UPLOAD_ENDPOINTS = frozenset({"commission.upload_roll", "signing.enter_paper_signatures"})
DEFAULT_FORM_BYTES = 64 * 1024
DEFAULT_UPLOAD_BYTES = 200 * 1024 * 1024


def body_limit() -> int:
    """The largest body the current request may send, in bytes."""
    config = current_app.config
    if request.endpoint in UPLOAD_ENDPOINTS:
        return config.get("MAX_UPLOAD_BYTES") or DEFAULT_UPLOAD_BYTES
    return config.get("MAX_FORM_BYTES") or DEFAULT_FORM_BYTES


def _limit_body() -> None:
    limit = body_limit()
    request.max_content_length = limit
    if (request.content_length or 0) > limit:
        raise RequestEntityTooLarge()


_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_nul(values) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in values.items(multi=True))


def _refuse_nul() -> None:
    # Parsing the query string only when there is one (signing posts have none).
    if "\x00" in request.path or (request.query_string and _has_nul(request.args)):
        raise DomainError(_("The address contains a NUL character."))
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.is_json:
        # The only way to write U+0000 in valid JSON is the escape (a raw NUL is invalid JSON).
        if b"\\u0000" in request.get_data(cache=True).lower():
            raise DomainError(_("The request contains a NUL character."))
    elif request.mimetype in _FORM_TYPES and _has_nul(request.form):
        raise DomainError(_("The form contains a NUL character."))


def guard_request() -> None:
    """``before_request``: enforce the size limit, then refuse NUL bytes."""
    _limit_body()
    _refuse_nul()


class RowIdConverter(IntegerConverter):
    """``<int:...>`` bounded to the ids of an ``INTEGER`` primary key (32-bit signed)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ROW_ID)
        super().__init__(map, *args, **kwargs)


class GuardedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, where input nested too deeply to parse is invalid JSON (a ``ValueError``)."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


def init_app(app: Flask) -> None:
    """Install the converter, the JSON provider and the hook (before blueprints and CSRF)."""
    app.url_map.converters["int"] = RowIdConverter
    app.json = GuardedJSONProvider(app)
    app.before_request(guard_request)
