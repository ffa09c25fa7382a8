"""Unbound extension objects; ``create_app`` binds them. Importing this module does no I/O."""

from __future__ import annotations

from flask import current_app, request
from flask.globals import request_ctx
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from recall.replica import RoutingSession

# Stable constraint names so Alembic can drop and alter them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base for every model; carries the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# RoutingSession sends lag-tolerant reads to DATABASE_REPLICA_URL when set (recall/replica.py).
db = SQLAlchemy(model_class=Base, session_options={"class_": RoutingSession})
migrate = Migrate()


class SessionAwareLoginManager(LoginManager):
    """Flask-Login, whose remember-cookie hook leaves alone a request that never used its session.

    Flask-Login's hook looks for its ``_remember`` flag in the session after every request, and
    any look at the session marks it accessed (Flask 3.1): so every response, the public API's
    included, said ``Vary: Cookie``, and paid for the look and the header (about 3% of a
    signature's CPU, issue 12). The flag is put there by ``login_user`` and ``logout_user``,
    which use the session, so a request that did not cannot hold one; with
    ``REMEMBER_COOKIE_REFRESH_EACH_REQUEST`` on, Flask-Login's hook runs on every request as
    before."""

    def init_app(self, app, add_context_processor=True) -> None:
        super().init_app(app, add_context_processor)
        # Flask-Login registers its hook as a bound method: swap it for the one below.
        hooks = app.after_request_funcs.get(None, [])
        for n, hook in enumerate(hooks):
            if getattr(hook, "__func__", None) is LoginManager._update_remember_cookie:
                hooks[n] = self._update_remember_cookie_if_used

    def _update_remember_cookie_if_used(self, response):
        # The request context's own attribute: its ``session`` property would mark it accessed.
        session = request_ctx._session
        if (
            session is not None
            and not session.accessed
            and not current_app.config.get("REMEMBER_COOKIE_REFRESH_EACH_REQUEST")
        ):
            return response
        return self._update_remember_cookie(response)


login_manager = SessionAwareLoginManager()
csrf = CSRFProtect()
babel = Babel()


def client_address() -> str:
    """Rate-limit key: the client address (behind a proxy, ProxyFix makes this the real one)."""
    return get_remote_address() or request.remote_addr or "unknown"


# A view whose budgets ``recall.rate_limits`` counts carries this attribute set to True.
COUNTED_IN_BUDGETS = "counted_in_budgets"


def _counted_in_budgets() -> bool:
    """Whether the request's view counts its own budgets (``recall.rate_limits``)."""
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, COUNTED_IN_BUDGETS, False)


class BudgetAwareLimiter(Limiter):
    """Flask-Limiter, whose per-request hooks leave alone the views with budgets
    (``recall.rate_limits``): resolving and evaluating its (empty) set of limits for them on every
    request cost as much CPU as counting their budgets in Redis, and its after-request and
    teardown hooks (no limit to report in headers, no state to release) about 2% of a
    signature's CPU more (issue 12)."""

    def init_app(self, app) -> None:
        super().init_app(app)
        # Flask-Limiter registers its header hook as partial(Limiter.__inject_headers, self),
        # which no subclass method can replace: swap it for one that skips budgeted views.
        hooks = app.after_request_funcs.get(None, [])
        for n, hook in enumerate(hooks):
            if getattr(hook, "func", None) is Limiter._Limiter__inject_headers:
                hooks[n] = self._inject_headers

    def _check_request_limit(self, callable_name=None, in_middleware=True):
        if in_middleware and _counted_in_budgets():
            return
        super()._check_request_limit(callable_name, in_middleware)

    def _inject_headers(self, response):
        if _counted_in_budgets():
            return response
        return Limiter._Limiter__inject_headers(self, response)

    def _Limiter__release_context(self, exc=None) -> None:  # Limiter's teardown hook
        if not _counted_in_budgets():
            super()._Limiter__release_context(exc)


# With Redis unreachable the limiter counts in this process's memory instead of raising (which
# turned every signing and log-in request into a 500), logs the switch on the "flask-limiter"
# logger, and goes back to Redis once it answers again.
limiter = BudgetAwareLimiter(
    key_func=client_address, default_limits=[], in_memory_fallback_enabled=True
)
