"""The Flask class of the app: Flask, without per-request work whose answer cannot change.

Measured on the signing API (issue 12), where a request is a few milliseconds of CPU:

* ``ensure_sync`` asks ``inspect`` whether a function is a coroutine for every hook and view
  of every request (15 times per signature); a function's answer is the same each time.
* The session: Flask builds its signing serializer on every request, also when the request
  carries no session cookie (every anonymous API call), and works out every cookie setting
  before it finds an empty, unmodified session needs no cookie.
"""

from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface


class CookieSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, short-cut when there is no cookie to read or write."""

    def open_session(self, app, request):
        # A request without a Cookie header has nothing to parse (the API's usual case).
        if app.secret_key and (
            "HTTP_COOKIE" not in request.environ
            or not request.cookies.get(self.get_cookie_name(app))
        ):
            return self.session_class()  # nothing to verify: no serializer needed
        return super().open_session(app, request)

    def save_session(self, app, session, response):
        if not session and not session.modified:  # what Flask does then, without the settings
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)


# Hooks, views and error handlers are a few hundred; the bound keeps per-request functions from
# growing the cache.
_MAX_SYNC_FUNCTIONS = 2048


class RecallFlask(Flask):
    session_interface = CookieSessionInterface()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._sync_functions: dict = {}

    def ensure_sync(self, func):
        try:
            return self._sync_functions[func]
        except KeyError:
            if len(self._sync_functions) >= _MAX_SYNC_FUNCTIONS:  # after_this_request's are new
                self._sync_functions.clear()
            sync = self._sync_functions[func] = super().ensure_sync(func)
            return sync
        except TypeError:  # an unhashable callable
            return super().ensure_sync(func)
