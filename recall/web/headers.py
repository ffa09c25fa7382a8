"""Security headers on every response (an ``after_request`` hook).

* ``Content-Security-Policy``: scripts, styles, images, fonts and form targets from our own origin
  only; no inline script or style (templates keep them in ``static/``, and
  ``tests/security/test_headers.py`` scans the templates); no framing (``frame-ancestors 'none'``,
  and ``X-Frame-Options: DENY`` for old browsers), except the petition widget
  (``EMBEDDABLE_ENDPOINTS``: ``frame-ancestors *``, no ``X-Frame-Options``); no plugins.
* ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: same-origin`` (a confirmation link's
  token never leaves in a ``Referer`` to another site).
* ``Strict-Transport-Security`` in production only (development runs on plain http).
* ``Cache-Control: no-store`` on the signing pages and the signing API: they carry a signer's
  name, e-mail, receipt code or confirmation token, which a shared or back-button cache must not keep.
"""

from __future__ import annotations

from flask import Flask, current_app, request

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
# Pages other sites may frame (the petition widget, issue 14): any ancestor, no X-Frame-Options.
EMBEDDABLE_ENDPOINTS = frozenset({"sharing.embed_petition"})
EMBED_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
    "frame-ancestors 'none'", "frame-ancestors *"
)
HSTS = "max-age=31536000; includeSubDomains"
# Blueprints and API endpoints whose responses are never stored by a cache.
NO_STORE_BLUEPRINTS = frozenset({"signing", "iin_watch"})
NO_STORE_ENDPOINTS = frozenset(
    {
        "api.create_signature",
        "api.get_receipt",
        "api.withdraw_signature",
        "api.create_strong_signature",
        "api.create_iin_watch",
    }
)


def _no_store() -> bool:
    return request.blueprint in NO_STORE_BLUEPRINTS or request.endpoint in NO_STORE_ENDPOINTS


# What every response gets unless its view set the header itself, in two variants.
_DEFAULTS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
)
_EMBED_DEFAULTS = (
    ("Content-Security-Policy", EMBED_CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
)
_HSTS = (("Strict-Transport-Security", HSTS),)


def add_security_headers(response):
    """``after_request``: set the headers above (a view's own ``Content-Security-Policy`` wins)."""
    headers = response.headers
    defaults = _EMBED_DEFAULTS if request.endpoint in EMBEDDABLE_ENDPOINTS else _DEFAULTS
    if current_app.config.get("RECALL_ENV") == "production":
        defaults += _HSTS
    # One pass over the headers, not a ``setdefault`` each: a missing header costs Werkzeug a
    # KeyError (an exception object) per look-up, and this runs on every response.
    present = {name.lower() for name, _value in headers.items()}
    headers.extend([(name, value) for name, value in defaults if name.lower() not in present])
    if _no_store():
        headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
