"""``flask worker``: an RQ worker whose work horses run each job in a fresh app context.

RQ 3's ``Worker`` forks a work horse per job (``fork_work_horse`` -> ``main_work_horse`` ->
``perform_job``). The child inherits the parent's connection pool; sharing a PostgreSQL socket
between processes corrupts both sides, so the horse drops the inherited pool first
(``engine.dispose(close=False)``: forget the parent's connections without closing them under
the parent) and opens its own.
"""

from __future__ import annotations

import logging

from flask import Flask
from rq import Queue, Worker

from recall.extensions import db
from recall.notifications.queue import redis_connection


class RecallWorker(Worker):
    """An RQ worker bound to a Flask app."""

    flask_app: Flask

    def main_work_horse(self, job, queue):
        with self.flask_app.app_context():
            db.engine.dispose(close=False)
        return super().main_work_horse(job, queue)

    def perform_job(self, job, queue, execution):
        with self.flask_app.app_context():
            try:
                return super().perform_job(job, queue, execution)
            finally:
                db.session.remove()


def run_worker(
    app: Flask,
    queue_names: list[str] | None = None,
    *,
    burst: bool = False,
    with_scheduler: bool = True,
    max_jobs: int | None = None,
) -> bool:
    """Run a worker on the app's queue (or ``queue_names``) until stopped, or until empty in burst mode.

    ``with_scheduler`` runs RQ's scheduler too, which moves retries whose back-off has passed
    back onto the queue (any number of workers may run it; RQ keeps one active per queue).
    """
    with app.app_context():
        connection = redis_connection()
        if connection is None:
            raise RuntimeError(
                "REDIS_URL is not set: without Redis, notifications are delivered inline"
            )
        names = queue_names or [app.config["RQ_QUEUE_NAME"]]
        queues = [Queue(name, connection=connection) for name in names]
    worker = RecallWorker(queues, connection=connection)
    worker.flask_app = app
    logging.getLogger("recall").setLevel(logging.INFO)
    return worker.work(
        burst=burst, with_scheduler=with_scheduler, max_jobs=max_jobs, logging_level="INFO"
    )
