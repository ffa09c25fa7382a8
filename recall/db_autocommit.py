"""One statement run as a transaction of its own, on a connection kept for such statements,
without SQLAlchemy's session, execution and pool layers (issue 12).

A signature is one statement (the signature and its outbox event, in a data-modifying CTE):
atomic by itself. Through the ORM session it also cost a ``BEGIN`` and a ``COMMIT`` round trip
and about 0.4 ms of client CPU in SQLAlchemy (session, transaction, connection and result
objects, events), more than the statement's own execution. Taking a pooled connection for it
and switching it into autocommit and back still cost about a sixth of a signature's CPU (the
pool's check-out and check-in with their events and reset, two mode switches). So each thread of
each process keeps one connection of the engine's in autocommit mode for :func:`execute_alone`
(made by the engine's pool, with its connect settings and events, then detached from it):

* **Liveness.** Before each statement the connection is checked the way pooled ones are
  (``recall.db_ping.open_and_quiet``: a server that ended the session has closed the socket or
  sent its notice); one that fails is closed and replaced, as the pool replaces a stale
  connection at check-out.
* **Errors** come out as SQLAlchemy's (``OperationalError`` and the rest). A connection lost
  during the statement is closed and the error has ``connection_invalidated`` set, so a database
  that cannot be reached answers 503; the next statement gets a new connection. Any other error
  leaves it usable (in autocommit there is no failed transaction to roll back).
* **Lifetime.** ``engine.dispose()`` closes this process's connections (test apps dispose their
  engines; a disposed engine's pool is replaced). After a fork the child makes its own, and
  never closes or uses the parent's (that would end the parent's session).

PostgreSQL over psycopg 3 only.
"""

from __future__ import annotations

import contextlib
import os
import threading
import weakref
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from recall.db_ping import open_and_quiet


class _Kept:
    """A connection kept for :func:`execute_alone`: the detached pool entry (closing it closes
    the connection) and a cursor reused for every statement."""

    __slots__ = ("connection", "cursor", "fairy")

    def __init__(self, engine: sa.Engine):
        self.fairy = engine.raw_connection()
        try:
            self.connection = self.fairy.dbapi_connection
            self.fairy.detach()  # the pool makes a new one for its own check-outs
            self.connection.autocommit = True
            self.cursor = self.connection.cursor()
        except BaseException:
            self.fairy.close()
            raise

    def close(self) -> None:
        with contextlib.suppress(Exception):  # already broken: nothing left to release
            self.fairy.close()


# Per engine: its connections by (process id, thread id). Entries of another process (the parent,
# after a fork) stay referenced and untouched: dropping one would make psycopg end its session.
_kept: weakref.WeakKeyDictionary[sa.Engine, dict[tuple[int, int], _Kept]] = (
    weakref.WeakKeyDictionary()
)
_kept_lock = threading.Lock()


def _connections(engine: sa.Engine) -> dict[tuple[int, int], _Kept]:
    connections = _kept.get(engine)
    if connections is None:
        with _kept_lock:
            connections = _kept.get(engine)
            if connections is None:
                connections = _kept[engine] = {}
                event.listen(engine, "engine_disposed", _close_kept)
    return connections


def _close_kept(engine: sa.Engine) -> None:
    pid = os.getpid()
    connections = _kept.get(engine, {})
    for key in [key for key in connections if key[0] == pid]:
        connections.pop(key).close()


def _close_finished_threads(connections: dict[tuple[int, int], _Kept]) -> None:
    """Close this process's connections whose thread has ended. A server that starts a thread
    per request (Werkzeug's threaded server, say) would otherwise leave one open connection per
    request it ever served, until PostgreSQL refuses new ones. Run only when a connection is
    made, so the set stays as large as the threads alive and costs nothing per statement."""
    pid = os.getpid()
    alive = {thread.ident for thread in threading.enumerate()}
    for key in [key for key in connections if key[0] == pid and key[1] not in alive]:
        kept = connections.pop(key, None)
        if kept is not None:
            kept.close()


def execute_alone(engine: sa.Engine, sql: str, params: dict[str, Any]) -> tuple | None:
    """Run ``sql`` (a compiled statement's text; ``params`` bound as the driver takes them) as
    its own transaction; return its first row, or None."""
    connections = _connections(engine)
    key = (os.getpid(), threading.get_ident())
    kept = connections.get(key)
    if kept is not None and not open_and_quiet(kept.connection):
        connections.pop(key).close()
        kept = None
    if kept is None:
        _close_finished_threads(connections)
        kept = connections[key] = _Kept(engine)
    dbapi = engine.dialect.loaded_dbapi
    cursor = kept.cursor
    try:
        cursor.execute(sql, params)
        return cursor.fetchone()
    except dbapi.Error as exc:
        lost = engine.dialect.is_disconnect(exc, kept.connection, cursor)
        if lost:
            if connections.get(key) is kept:
                del connections[key]
            kept.close()
        raise sa.exc.DBAPIError.instance(
            sql,
            params,
            exc,
            dbapi.Error,
            connection_invalidated=lost,
            dialect=engine.dialect,
        ) from exc


def session_in_transaction(scoped: sa.orm.scoped_session) -> bool:
    """Whether the request's session has begun a transaction, without making a session when the
    request has none yet (making one, and closing it at teardown, cost a signature about 3% of
    its CPU)."""
    return scoped.registry.has() and scoped().in_transaction()
