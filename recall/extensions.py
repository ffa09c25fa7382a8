"""Unbound extension objects; ``create_app`` binds them. Importing this module does no I/O."""

from __future__ import annotations

from flask import current_app, request
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
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


def client_address() -> str:
    """Rate-limit key: the client address (behind a proxy, ProxyFix makes this the real one)."""
    return get_remote_address() or request.remote_addr or "unknown"


# A view whose budgets ``recall.rate_limits`` counts carries this attribute set to True.
COUNTED_IN_BUDGETS = "counted_in_budgets"


class BudgetAwareLimiter(Limiter):
    """Flask-Limiter, whose per-request middleware leaves alone the views with budgets
    (``recall.rate_limits``): resolving and evaluating its (empty) set of limits for them on every
    request cost as much CPU as counting their budgets in Redis (issue 12)."""

    def _check_request_limit(self, callable_name=None, in_middleware=True):
        if in_middleware:
            view = current_app.view_functions.get(request.endpoint or "")
            if getattr(view, COUNTED_IN_BUDGETS, False):
                return
        super()._check_request_limit(callable_name, in_middleware)


# With Redis unreachable the limiter counts in this process's memory instead of raising (which
# turned every signing and log-in request into a 500), logs the switch on the "flask-limiter"
# logger, and goes back to Redis once it answers again.
limiter = BudgetAwareLimiter(
    key_func=client_address, default_limits=[], in_memory_fallback_enabled=True
)
