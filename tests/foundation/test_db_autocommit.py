"""recall.db_autocommit: one statement as its own transaction on a pooled connection. What the
signing API relies on: the write stands without a commit, the connection goes back to the pool
out of autocommit (a session's transaction on it still rolls back), and errors are SQLAlchemy's,
a lost connection marked invalidated (the 503 handler's cue) and replaced."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from recall.db_autocommit import execute_alone
from tests.conftest import pg_url

pytestmark = pytest.mark.postgres


@pytest.fixture
def engine(pg_database):
    engine = sa.create_engine(pg_url(pg_database), pool_size=1, max_overflow=0)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS autocommit_probe (n integer)")
        conn.exec_driver_sql("DELETE FROM autocommit_probe")
    yield engine
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE autocommit_probe")
    engine.dispose()


def _count(engine) -> int:
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT count(*) FROM autocommit_probe").scalar_one()


def test_the_statement_commits_alone_and_the_connection_returns_out_of_autocommit(engine):
    row = execute_alone(
        engine, "INSERT INTO autocommit_probe (n) VALUES (%(n)s) RETURNING n", {"n": 7}
    )
    assert tuple(row) == (7,)
    assert _count(engine) == 1
    with engine.connect() as conn:  # the one pooled connection: a transaction of its own again
        assert conn.connection.driver_connection.autocommit is False
        conn.exec_driver_sql("INSERT INTO autocommit_probe (n) VALUES (8)")
        conn.rollback()
    assert _count(engine) == 1


def test_errors_are_sqlalchemys_and_leave_the_connection_usable(engine):
    with pytest.raises(sa.exc.DataError) as failed:
        execute_alone(engine, "SELECT 1 / %(zero)s", {"zero": 0})
    assert not failed.value.connection_invalidated
    assert tuple(execute_alone(engine, "SELECT 2", {})) == (2,)
    with engine.connect() as conn:
        assert conn.connection.driver_connection.autocommit is False


def test_a_lost_connection_is_invalidated_and_replaced(engine):
    pid = execute_alone(engine, "SELECT pg_backend_pid()", {})[0]
    other = sa.create_engine(engine.url, isolation_level="AUTOCOMMIT")
    with other.connect() as conn:
        conn.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})")
    other.dispose()
    with pytest.raises(sa.exc.OperationalError) as lost:
        execute_alone(engine, "SELECT pg_backend_pid()", {})
    assert lost.value.connection_invalidated
    assert execute_alone(engine, "SELECT pg_backend_pid()", {})[0] != pid
