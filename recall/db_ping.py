"""A liveness check of pooled PostgreSQL connections that costs no round trip.

``pool_pre_ping`` sends ``SELECT 1`` on every checkout: a round trip, and a wake-up of the server
process, per request (signing's hot path pays it on every signature, issue 12). An idle pooled
connection receives nothing from the server unless the server is ending it: a terminated backend
(restart, ``pg_terminate_backend``, idle timeout) sends its FATAL notice and closes the socket, so
the socket turns readable. Checking that with a zero-timeout ``select`` is a local system call;
a readable (or closed, or broken) connection is discarded and the pool opens a fresh one for the
same checkout, as pre-ping does. What this cannot see, and pre-ping would only see after a TCP
timeout anyway: a server host that vanished without closing its sockets.

``DATABASE_PING``: ``socket`` (the default: this check), ``query`` (SQLAlchemy's pre-ping) or
``off``.
"""

from __future__ import annotations

import select

import sqlalchemy as sa
from sqlalchemy import event

MODES = ("socket", "query", "off")


def open_and_quiet(dbapi_connection) -> bool:
    """True when a pooled psycopg connection is open and the server has sent it nothing."""
    if dbapi_connection.closed or dbapi_connection.broken:
        return False
    try:
        readable, _w, _x = select.select([dbapi_connection.fileno()], [], [], 0)
    except (OSError, ValueError):
        return False
    return not readable


def install(engine: sa.Engine) -> None:
    """Check every checkout of ``engine``'s pool (PostgreSQL over psycopg only)."""
    if engine.dialect.name != "postgresql" or engine.dialect.driver != "psycopg":
        return

    @event.listens_for(engine, "checkout")
    def _check(dbapi_connection, _record, _proxy) -> None:
        if not open_and_quiet(dbapi_connection):
            # The pool drops this connection and retries the checkout with a new one.
            raise sa.exc.DisconnectionError("the server closed the pooled connection")


def init_app(app, db) -> None:
    mode = app.config.get("DATABASE_PING", "socket")
    if mode not in MODES:
        raise ValueError(f"DATABASE_PING must be one of {', '.join(MODES)}, got {mode!r}")
    if mode == "socket":
        with app.app_context():
            for engine in db.engines.values():
                install(engine)
