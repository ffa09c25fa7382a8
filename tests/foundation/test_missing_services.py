"""`make test` against missing services: skipped locally, a clear failure with CI=true.

Runs one test needing PostgreSQL and one needing Redis in a subprocess whose ports for them point
at nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.notifications.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
NEEDS_POSTGRES = "tests/foundation/test_directory.py::test_the_directory_is_paginated"
NEEDS_REDIS = "tests/foundation/test_missing_services.py::test_redis_answers"
# Plugins the two tests do not use: importing hypothesis and schemathesis was two thirds of each
# run (4.9 -> 1.9 CPU s); what is checked, tests/conftest.py's skip or error, is the same.
UNUSED_PLUGINS = ("-p", "no:hypothesispytest", "-p", "no:schemathesis", "-p", "no:anyio")


def test_redis_answers(redis_conn):
    assert redis_conn.ping() is True


@pytest.mark.parametrize("ci", [False, True], ids=["locally", "in-CI"])
def test_a_missing_service_is_a_skip_locally_and_a_clear_error_in_ci(ci):
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    pg_port, redis_port = free_port(), free_port()
    env.update(RECALL_TEST_PG_PORT=str(pg_port), RECALL_TEST_REDIS_PORT=str(redis_port))
    if ci:
        env["CI"] = "true"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-rs",
            "-p",
            "no:cacheprovider",
            *UNUSED_PLUGINS,
            NEEDS_POSTGRES,
            NEEDS_REDIS,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    output = result.stdout
    messages = [
        f"PostgreSQL is not reachable at 127.0.0.1:{pg_port}",
        f"Redis is not reachable at 127.0.0.1:{redis_port}",
    ]
    if ci:
        assert result.returncode == 1 and "2 errors" in output, output
        for message in messages:
            assert f"{message}; CI=true, so this is an error, not a skip." in output
    else:
        assert result.returncode == 0 and "2 skipped" in output, output
        for message in messages:
            assert message in output
