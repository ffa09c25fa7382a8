"""What every ``/api/v1`` response follows (docs/api.md): pagination links, caching, CORS.

* A paginated list (built with ``page_json``) answers ``Link`` (RFC 8288: ``first``, ``prev``,
  ``next``, ``last``, each the same URL with another ``page``) and ``X-Total-Count``.
* A successful anonymous read carries a strong ``ETag`` (a hash of the body) and answers
  ``304 Not Modified`` to a matching ``If-None-Match``; ``Cache-Control`` is ``public`` with
  ``API_COUNT_MAX_AGE`` seconds (default 60: counters are folded by the minute, and a replica may
  lag) for anything that carries a signature count, ``API_MAX_AGE`` (default 300) otherwise.
  Answers to a signed-in caller are ``private, no-cache``; the signing endpoints stay
  ``no-store`` (recall/web/headers.py has the last word).
* CORS: any origin may read (``GET``/``HEAD``, and the ``OPTIONS`` preflight); writes are not
  opened to other origins (a browser on another site must not reach a signed-in session).
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import current_app, g, request
from flask_login import current_user

from recall.services.pagination import Page

READ_METHODS = frozenset({"GET", "HEAD"})
# Endpoints whose answers carry signature counts (they change by the minute).
COUNT_ENDPOINTS = frozenset(
    {
        "api.list_petitions",
        "api.get_petition",
        "api.export_petitions_csv",
        "api.export_daily_counts_csv",
        "api.petition_sample",
        "api.audit_head",
        "api.audit_entries",
        "api.list_appeals",
        "api.get_appeal",
        "api.get_appeal_districts",
    }
)
# Endpoints never stored by a shared cache (a receipt code is a secret of its holder).
PRIVATE_ENDPOINTS = frozenset({"api.get_receipt"})
EXPOSED_HEADERS = "Link, X-Total-Count, ETag, X-Request-ID, Content-Disposition"


def remember_page(page: Page) -> None:
    """Note the page this response lists, for :func:`add_conventions` to link."""
    g.api_page = page


def _page_url(number: int) -> str:
    args = request.args.to_dict(flat=False)
    args["page"] = [str(number)]
    return f"{request.base_url}?{urlencode(args, doseq=True)}"


def _links(page: Page) -> str:
    rels = [("first", 1)]
    if page.has_prev:
        rels.append(("prev", min(page.page - 1, page.pages)))
    if page.has_next:
        rels.append(("next", page.page + 1))
    rels.append(("last", page.pages))
    return ", ".join(f'<{_page_url(n)}>; rel="{rel}"' for rel, n in rels)


def _cache_control(response) -> None:
    if request.endpoint in PRIVATE_ENDPOINTS:
        return
    if current_user.is_authenticated:
        response.headers["Cache-Control"] = "private, no-cache"
        return
    config = current_app.config
    key = "API_COUNT_MAX_AGE" if request.endpoint in COUNT_ENDPOINTS else "API_MAX_AGE"
    max_age = int(config.get(key) or 0)
    response.headers["Cache-Control"] = (
        f"public, max-age={max_age}, stale-while-revalidate={2 * max_age}, "
        f"stale-if-error={5 * max_age}"
    )


def add_conventions(response):
    """``after_request`` of the API blueprint."""
    page = g.pop("api_page", None)
    if page is not None:
        response.headers["Link"] = _links(page)
        response.headers["X-Total-Count"] = str(page.total)
    if "Vary" in response.headers:
        response.vary.add("Accept-Language")
    else:  # the usual case, without parsing and rewriting a header set
        response.headers["Vary"] = "Accept-Language"
    if request.method in READ_METHODS or request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Accept-Language, If-None-Match"
        response.headers["Access-Control-Max-Age"] = "86400"
    if request.method in READ_METHODS and response.status_code == 200:
        _cache_control(response)
        if not response.is_streamed and request.endpoint not in PRIVATE_ENDPOINTS:
            response.add_etag()
            response.make_conditional(request)
    return response
