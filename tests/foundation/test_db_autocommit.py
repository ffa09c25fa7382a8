"""recall.db_autocommit: one statement as its own transaction on a connection kept for such
statements. What the signing API relies on: the write stands without a commit and leaves the
pool alone, errors are SQLAlchemy's, a connection lost during a statement is marked invalidated
(the 503 handler's cue) and replaced, one the server ended while idle is replaced before use,
``engine.dispose()`` closes it, and a forked child neither uses nor ends its parent's."""

from __future__ import annotations

import os
import select
import time

import pytest
import sqlalchemy as sa

from recall.db_autocommit import execute_alone
from recall.db_ping import install
from tests.conftest import pg_url

pytestmark = pytest.mark.postgres

BACKEND = "SELECT pg_backend_pid()"


@pytest.fixture
def engine(pg_database):
    engine = sa.create_engine(pg_url(pg_database), pool_size=1, max_overflow=0)
    install(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS autocommit_probe (n integer)")
        conn.exec_driver_sql("DELETE FROM autocommit_probe")
    yield engine
    engine.dispose()
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE autocommit_probe")
    engine.dispose()


def _count(engine) -> int:
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT count(*) FROM autocommit_probe").scalar_one()


def _alive(engine, pid: int) -> bool:
    with engine.connect() as conn:
        return bool(
            conn.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = %(pid)s", {"pid": pid}
            ).scalar_one()
        )


def _terminate(engine, pid: int) -> None:
    other = sa.create_engine(engine.url, isolation_level="AUTOCOMMIT")
    with other.connect() as conn:
        conn.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})")
    other.dispose()


def test_the_statement_commits_alone_and_leaves_the_pool_alone(engine):
    row = execute_alone(
        engine, "INSERT INTO autocommit_probe (n) VALUES (%(n)s) RETURNING n", {"n": 7}
    )
    assert tuple(row) == (7,)
    assert engine.pool.checkedout() == 0
    assert _count(engine) == 1
    with engine.connect() as conn:  # the one pooled connection: a transaction of its own
        assert conn.connection.driver_connection.autocommit is False
        conn.exec_driver_sql("INSERT INTO autocommit_probe (n) VALUES (8)")
        conn.rollback()
    assert _count(engine) == 1
    # One connection is kept: the same backend answers every statement.
    assert execute_alone(engine, BACKEND, {})[0] == execute_alone(engine, BACKEND, {})[0]


def test_errors_are_sqlalchemys_and_leave_the_connection_usable(engine):
    pid = execute_alone(engine, BACKEND, {})[0]
    with pytest.raises(sa.exc.DataError) as failed:
        execute_alone(engine, "SELECT 1 / %(zero)s", {"zero": 0})
    assert not failed.value.connection_invalidated
    assert execute_alone(engine, BACKEND, {})[0] == pid


def test_a_connection_lost_during_the_statement_is_invalidated_and_replaced(engine):
    pid = execute_alone(engine, BACKEND, {})[0]
    with pytest.raises(sa.exc.OperationalError) as lost:
        execute_alone(engine, "SELECT pg_terminate_backend(pg_backend_pid())", {})
    assert lost.value.connection_invalidated
    assert execute_alone(engine, BACKEND, {})[0] != pid


def test_a_connection_the_server_ended_while_idle_is_replaced_before_use(engine):
    from recall import db_autocommit

    pid = execute_alone(engine, BACKEND, {})[0]
    kept = next(iter(db_autocommit._kept[engine].values()))
    _terminate(engine, pid)
    # The server's notice reaches the socket soon after; then the next statement must not fail.
    fileno = kept.connection.fileno()
    deadline = time.monotonic() + 5
    while not select.select([fileno], [], [], 0.05)[0] and time.monotonic() < deadline:
        pass
    assert execute_alone(engine, BACKEND, {})[0] != pid


def test_dispose_closes_the_kept_connection(engine):
    pid = execute_alone(engine, BACKEND, {})[0]
    engine.dispose()
    deadline = time.monotonic() + 5
    while _alive(engine, pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(engine, pid)
    assert execute_alone(engine, BACKEND, {})[0] != pid


def test_connections_of_finished_threads_are_closed(engine):
    """A thread per request must not leave a connection per request behind."""
    import threading

    pids, idents = [], []

    def sign() -> None:
        idents.append(threading.get_ident())
        pids.append(execute_alone(engine, BACKEND, {})[0])

    for _ in range(4):
        thread = threading.Thread(target=sign)
        thread.start()
        thread.join()
    from recall import db_autocommit

    assert len(pids) == 4
    # Each new thread's connection was made after the last one's thread ended: those are closed,
    # only the last thread's is still kept. (A thread id the system reuses keeps its connection.)
    assert [key for key in db_autocommit._kept[engine] if key[0] == os.getpid()] == [
        (os.getpid(), ident) for ident in idents[-1:]
    ]
    earlier = set(pids) - {pids[-1]}
    deadline = time.monotonic() + 5
    while any(_alive(engine, pid) for pid in earlier) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(engine, pid) for pid in earlier)
    assert _alive(engine, pids[-1])


def test_a_forked_child_uses_its_own_connection_and_leaves_the_parents(engine):
    pid = execute_alone(engine, BACKEND, {})[0]
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the child: a statement of its own, then out without any clean-up
        try:
            os.write(write, str(execute_alone(engine, BACKEND, {})[0]).encode())
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(child, 0)
    child_backend = int(os.read(read, 64).decode())
    os.close(read)
    assert child_backend != pid
    assert execute_alone(engine, BACKEND, {})[0] == pid  # the parent's session was not ended
