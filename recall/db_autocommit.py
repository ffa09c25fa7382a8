"""One statement run as a transaction of its own, on a pooled connection, without SQLAlchemy's
session and execution layers (issue 12).

A signature is one statement (the signature and its outbox event, in a data-modifying CTE):
atomic by itself. Through the ORM session it also cost a ``BEGIN`` and a ``COMMIT`` round trip
and about 0.4 ms of client CPU in SQLAlchemy (session, transaction, connection and result
objects, events), more than the statement's own execution. :func:`execute_alone` checks a
connection out of the engine's pool (its checkout checks run as usual), runs the compiled
statement in autocommit mode, puts the connection back as it was, and returns the first row.

Errors come out as SQLAlchemy's (``OperationalError`` and the rest, with
``connection_invalidated`` set and the connection dropped from the pool when it was lost), so a
database that cannot be reached still answers 503. PostgreSQL (psycopg 3) only.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa


def execute_alone(engine: sa.Engine, sql: str, params: dict[str, Any]) -> tuple | None:
    """Run ``sql`` (a compiled statement's text; ``params`` bound as the driver takes them) as
    its own transaction; return its first row, or None."""
    dbapi = engine.dialect.loaded_dbapi
    fairy = engine.raw_connection()
    try:
        driver = fairy.driver_connection
        try:
            driver.autocommit = True
            try:
                return driver.execute(sql, params).fetchone()
            finally:
                _restore(fairy, driver, dbapi)
        except dbapi.Error as exc:
            lost = engine.dialect.is_disconnect(exc, driver, None)
            if lost and fairy.is_valid:  # (switching back may have dropped it already)
                fairy.invalidate(exc)
            raise sa.exc.DBAPIError.instance(
                sql,
                params,
                exc,
                dbapi.Error,
                connection_invalidated=lost,
                dialect=engine.dialect,
            ) from exc
    finally:
        fairy.close()


def _restore(fairy, driver, dbapi) -> None:
    """Out of autocommit again before the pool hands the connection to a session; a connection
    that cannot be switched back is dropped rather than returned in autocommit."""
    try:
        driver.autocommit = False
    except dbapi.Error as exc:
        fairy.invalidate(exc)


def session_in_transaction(scoped: sa.orm.scoped_session) -> bool:
    """Whether the request's session has begun a transaction, without making a session when the
    request has none yet (making one, and closing it at teardown, cost a signature about 3% of
    its CPU)."""
    return scoped.registry.has() and scoped().in_transaction()
