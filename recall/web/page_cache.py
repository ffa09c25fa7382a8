"""A few seconds' cache of public pages as anonymous visitors see them (``PAGE_CACHE_SECONDS``).

At a million signatures a petition page under a national campaign's traffic is read thousands of
times between two changes of what it shows. Anonymous visitors (nearly all of that traffic: no
account is needed to sign) get the page rendered for their language at most once per
``PAGE_CACHE_SECONDS`` per web process; the count is already published with that much lag (it is
a lag-tolerant page, see ``recall/replica.py``). Never cached: signed-in users (their page names
them and offers their actions), a browser with a flash message waiting, a browser that has just
written (it must see its own change), a page that set the session or made a CSRF token,
anything but a 200 page.

A shared page may still carry a form for anonymous visitors (the petition page's signing form):
its CSRF field holds :data:`CSRF_SLOT` instead of a token (``csrf_slot()`` in templates), the
page is cached with the slot, and every response gets this browser's own token put in on the way
out. The cached copy holds nothing of anyone's.

0 (development and tests) turns it off; production and benchmarks default to 5 seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import current_app, g, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from recall.replica import recently_wrote

F = TypeVar("F", bound=Callable)
MAX_ENTRIES = 2000
_pages: dict[tuple, tuple[float, str]] = {}
# Stands for the CSRF token in a page that may be shared; no token or HTML looks like it.
CSRF_SLOT = "__recall_csrf_slot__"


def csrf_slot() -> str:
    """The CSRF token for a form on a page; :data:`CSRF_SLOT` while a shareable page renders."""
    return CSRF_SLOT if g.get("shareable_page") else generate_csrf()


def _with_token(page):
    """The page with this browser's CSRF token in every slot (made only when there is a slot)."""
    if isinstance(page, str) and CSRF_SLOT in page:
        return page.replace(CSRF_SLOT, generate_csrf())
    return page


def _cacheable_request() -> bool:
    return (
        request.method == "GET"
        and not current_user.is_authenticated
        and not session.get("_flashes")
        and not recently_wrote()
    )


def anonymous_cache(view: F) -> F:
    """Serve ``view``'s page from the per-process cache to anonymous visitors (see above)."""

    @wraps(view)
    def cached(**kwargs):
        seconds = current_app.config.get("PAGE_CACHE_SECONDS", 0)
        if not seconds or not _cacheable_request():
            return view(**kwargs)
        key = (current_app.name, id(current_app), request.full_path, str(get_locale()))
        now = time.monotonic()
        hit = _pages.get(key)
        if hit is not None and hit[0] > now:
            return _with_token(hit[1])
        g.shareable_page = True
        page = view(**kwargs)
        g.shareable_page = False
        # A page that made a CSRF token holds this browser's secret: never share it.
        if isinstance(page, str) and not session.modified and "csrf_token" not in g:
            if len(_pages) >= MAX_ENTRIES:
                _pages.clear()
            _pages[key] = (now + seconds, page)
        return _with_token(page)

    return cached  # type: ignore[return-value]
