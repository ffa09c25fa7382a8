"""`make test` against a missing service: skipped locally, a clear failure with CI=true.

Runs one test that needs the service in a subprocess whose port for it points at nothing.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.notifications.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("service, port_variable, test", [
    ("PostgreSQL", "RECALL_TEST_PG_PORT", "tests/foundation/test_directory.py::test_the_directory_is_paginated"),
    ("Redis", "RECALL_TEST_REDIS_PORT", "tests/notifications/test_worker_fork.py"),
])
@pytest.mark.parametrize("ci", [False, True], ids=["locally", "in-CI"])
def test_a_missing_service_is_a_skip_locally_and_a_clear_error_in_ci(service, port_variable, test, ci):
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    port = free_port()
    env[port_variable] = str(port)
    if ci:
        env["CI"] = "true"
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", test],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    message = f"{service} is not reachable at 127.0.0.1:{port}"
    if ci:
        assert result.returncode == 1 and "1 error" in result.stdout, result.stdout
        assert f"{message}; CI=true, so this is an error, not a skip." in result.stdout
    else:
        assert result.returncode == 0 and "1 skipped" in result.stdout, result.stdout
        assert message in result.stdout
