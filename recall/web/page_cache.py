"""A few seconds' cache of public pages as anonymous visitors see them (``PAGE_CACHE_SECONDS``).

At a million signatures a petition page under a national campaign's traffic is read thousands of
times between two changes of what it shows. Anonymous visitors (nearly all of that traffic: no
account is needed to sign) get the page rendered for their language at most once per
``PAGE_CACHE_SECONDS`` per web process; the count is already published with that much lag (it is
a lag-tolerant page, see ``recall/replica.py``). Never cached: signed-in users (their page names
them and offers their actions), a browser with a flash message waiting, a browser that has just
written (it must see its own change), a page that set the session or made a CSRF token,
anything but a 200 page.

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

from recall.replica import recently_wrote

F = TypeVar("F", bound=Callable)
MAX_ENTRIES = 2000
_pages: dict[tuple, tuple[float, str]] = {}


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
            return hit[1]
        page = view(**kwargs)
        # A page that made a CSRF token holds this browser's secret: never share it.
        if isinstance(page, str) and not session.modified and "csrf_token" not in g:
            if len(_pages) >= MAX_ENTRIES:
                _pages.clear()
            _pages[key] = (now + seconds, page)
        return page

    return cached  # type: ignore[return-value]
