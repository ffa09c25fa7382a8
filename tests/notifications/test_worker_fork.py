"""``flask worker``: a work horse forked from a worker that holds pooled connections opens its own.

Sharing a PostgreSQL socket between the parent and a forked child corrupts both. The worker
process below first uses the database (so its pool holds a connection), then runs a job that
reports the server process serving the horse's session; a horse that reused the inherited
connection would report the parent's.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import json, sys
import sqlalchemy as sa
from rq import Queue
from recall import create_app
from recall.extensions import db
from recall.jobs.worker import run_worker
from recall.notifications.queue import redis_connection
from tests.conftest import base_config

database_url, redis_url = sys.argv[1:3]
app = create_app(base_config(SQLALCHEMY_DATABASE_URI=database_url, REDIS_URL=redis_url,
                             SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": False}))
with app.app_context():
    parent_before = db.session.scalar(sa.text("SELECT pg_backend_pid()"))
    db.session.remove()  # the connection goes back to the pool the horse inherits
    queue = Queue(app.config["RQ_QUEUE_NAME"], connection=redis_connection())
    jobs = [queue.enqueue("tests.notifications.tasks.backend_pid") for _ in range(2)]
run_worker(app, burst=True, with_scheduler=False, fork=True)
with app.app_context():
    parent_after = db.session.scalar(sa.text("SELECT pg_backend_pid()"))
    for job in jobs:
        job.refresh()
print(json.dumps({"parent_before": parent_before, "parent_after": parent_after,
                  "statuses": [job.get_status() for job in jobs],
                  "horses": [job.return_value() for job in jobs]}))
"""


def test_work_horses_open_their_own_connections_and_leave_the_parents_alone(
    pg_database, redis_url, redis_conn
):
    from tests.conftest import pg_url

    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, pg_url(pg_database), redis_url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["statuses"] == ["finished", "finished"], result.stderr
    parent = report["parent_before"]
    assert report["parent_after"] == parent  # the parent's pooled connection survived the horses
    assert parent not in report["horses"]  # no horse used the connection it inherited
    assert all(isinstance(pid, int) for pid in report["horses"])
