"""Reads that tolerate a few seconds of lag go to a streaming replica (``DATABASE_REPLICA_URL``).

A national campaign's public traffic is reading: the petition lists and pages with their counts,
deputies, promises. Those pages may be a few seconds behind, so with ``DATABASE_REPLICA_URL``
set they read from a PostgreSQL hot standby, and the primary keeps its capacity for what must
not lag: signing, confirming, log-in, every commission page, every write.

How a read is routed:

* A view declares ``@lag_tolerant`` (next to its access declaration). During a GET or HEAD
  request to such a view, :class:`RoutingSession` sends plain ``SELECT`` statements (ORM queries,
  lazy loads, ``session.get``) to the replica's engine (a Flask-SQLAlchemy bind named
  ``replica``). Views without the mark (signing, confirmation, accounts, admin, commission,
  anything that writes) never touch it.
* Anything else goes to the primary, whatever the request: INSERT, UPDATE, DELETE, ``SELECT ...
  FOR UPDATE``, textual SQL, and every statement of a session after it has flushed a change in
  the current transaction (it must read its own writes).
* :func:`primary` forces the primary for a block: the signed-in user is loaded there, so a new
  password or a log-out everywhere (the session version) takes effect at once, not after the lag.
* A browser that has just written (a POST that committed) reads from the primary for
  ``DATABASE_REPLICA_STICKY_SECONDS`` (default 10), so the page it is redirected to shows its
  own change: read-your-writes for the writer, lag for everyone else. (The mark is kept with or
  without a replica: the anonymous page cache, ``recall/web/page_cache.py``, asks it too.)

Without ``DATABASE_REPLICA_URL`` there is no ``replica`` bind and everything reads the primary.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from typing import TypeVar

import sqlalchemy as sa
from flask import Flask, current_app, g, has_request_context, request, session
from flask_sqlalchemy.session import Session as BindSession
from sqlalchemy import event

REPLICA_BIND = "replica"
_STICKY_KEY = "_primary_until"
_SAFE_METHODS = frozenset({"GET", "HEAD"})

F = TypeVar("F", bound=Callable)

# True while the current request (or block) may read from the replica.
_use_replica: ContextVar[bool] = ContextVar("recall_use_replica", default=False)


def lag_tolerant(view: F) -> F:
    """Mark a view whose reads may come from the replica (public read pages only)."""
    view._lag_tolerant = True  # type: ignore[attr-defined]
    return view


def is_lag_tolerant(app: Flask, endpoint: str) -> bool:
    return bool(getattr(app.view_functions.get(endpoint), "_lag_tolerant", False))


@contextmanager
def _replica_reads_set(allowed: bool) -> Iterator[None]:
    token = _use_replica.set(allowed)
    try:
        yield
    finally:
        _use_replica.reset(token)


def primary() -> AbstractContextManager[None]:
    """Read from the primary inside the block, even during a lag-tolerant request."""
    return _replica_reads_set(False)


def replica_reads() -> AbstractContextManager[None]:
    """Let plain SELECTs inside the block go to the replica (what a lag-tolerant view gets)."""
    return _replica_reads_set(True)


def _plain_select(clause) -> bool:
    return isinstance(clause, sa.Select) and clause._for_update_arg is None


class RoutingSession(BindSession):
    """Flask-SQLAlchemy's session, choosing the replica bind for lag-tolerant plain SELECTs."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if (
            bind is None
            and _use_replica.get()
            and not self._flushing
            and not self.info.get("wrote")
            and _plain_select(clause)
        ):
            replica = self._db.engines.get(REPLICA_BIND)
            if replica is not None:
                return replica
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


def _mark_written(session) -> None:
    session.info["wrote"] = True
    if has_request_context():
        g.recall_wrote = True


@event.listens_for(RoutingSession, "after_flush")
def _after_flush(session, flush_context) -> None:
    _mark_written(session)


@event.listens_for(RoutingSession, "do_orm_execute")
def _after_dml(orm_execute_state) -> None:
    if not orm_execute_state.is_select:  # DML, or SQL text: read what it did from the primary
        _mark_written(orm_execute_state.session)


@event.listens_for(RoutingSession, "after_commit")
@event.listens_for(RoutingSession, "after_rollback")
def _transaction_over(session) -> None:
    session.info.pop("wrote", None)


def configure(config: dict) -> None:
    """Add the ``replica`` bind when ``DATABASE_REPLICA_URL`` is set (before ``db.init_app``)."""
    url = config.get("DATABASE_REPLICA_URL")
    if url:
        # Flask-SQLAlchemy gives every bind SQLALCHEMY_ENGINE_OPTIONS (pool_pre_ping) too.
        config["SQLALCHEMY_BINDS"] = {**(config.get("SQLALCHEMY_BINDS") or {}), REPLICA_BIND: url}


def _route_request() -> None:
    wanted = (
        request.method in _SAFE_METHODS
        and request.endpoint is not None
        and is_lag_tolerant(current_app, request.endpoint)
        and not recently_wrote()
    )
    _use_replica.set(wanted)


def recently_wrote() -> bool:
    """True when this browser committed a write in the last ``DATABASE_REPLICA_STICKY_SECONDS``."""
    return session.get(_STICKY_KEY, 0) >= time.time()


def _remember_writer(response):
    if g.get("recall_wrote") and not request.path.startswith("/api/"):
        sticky = current_app.config.get("DATABASE_REPLICA_STICKY_SECONDS", 10)
        session[_STICKY_KEY] = int(time.time() + sticky) + 1
    return response


def _end_request(exc=None) -> None:
    _use_replica.set(False)


def init_app(app: Flask, db) -> None:
    # Flask-SQLAlchemy keeps a metadata per bind key on the shared ``db`` object, for every app it
    # has served: no model belongs to the replica, so drop it, or ``create_all`` of this or any
    # later app would try DDL on a replica (or fail where that app has no replica bind).
    db.metadatas.pop(REPLICA_BIND, None)
    app.after_request(_remember_writer)  # the page cache asks too, with or without a replica
    if not app.config.get("DATABASE_REPLICA_URL"):
        return
    app.before_request(_route_request)
    app.teardown_request(_end_request)
