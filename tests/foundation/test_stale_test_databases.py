"""A test run that was killed before its teardown leaves its databases behind; the next run on
the machine drops them, and never the databases of a run that is still going."""

from __future__ import annotations

import os
import subprocess
import sys

import sqlalchemy as sa

from tests.conftest import (
    create_database,
    drop_database,
    drop_stale_test_databases,
    server_connection,
)


def _databases() -> set[str]:
    with server_connection() as conn:
        return set(conn.scalars(sa.text("SELECT datname FROM pg_database")))


def test_a_gone_runs_databases_are_dropped_and_a_live_runs_kept(pg_database):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # its process id now names no process
    stale = [f"recall_test_{gone.pid}_stale0", f"recall_test_{gone.pid}_stale0_demo"]
    live = f"recall_test_{os.getpid()}_live00"
    for name in (*stale, live):
        create_database(name)
    try:
        dropped = drop_stale_test_databases()
        assert set(stale) <= set(dropped)
        assert live not in dropped and pg_database not in dropped
        left = _databases()
        assert not set(stale) & left
        assert {live, pg_database} <= left
    finally:
        for name in (*stale, live):
            drop_database(name)
