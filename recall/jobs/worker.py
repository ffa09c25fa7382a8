"""``flask worker``: an RQ worker that runs each job in a fresh app context.

By default the worker runs jobs in its own process (``RecallWorker``, on RQ's ``SimpleWorker``):
the app and its templates are loaded once, the connection pool and the SMTP connection are kept
from one job to the next. RQ's default forks a work horse per job, which costs 0.25-0.9 s per
job on a busy machine, far more than sending one confirmation mail: with two forking workers the
mail fell behind signing by 20x (``benchmarks/notifications.py``, ``benchmarks/RESULTS.md``).
Each job still gets a fresh app context and session (``db.session.remove()`` afterwards, so
nothing a job loaded leaks into the next), and the job timeout still holds (RQ's SIGALRM death
penalty works the same without a fork). A worker killed mid-job loses its job just like a killed
horse: the delivery's claim lease and redispatch send it once (docs/notifications.md).

``RecallForkingWorker`` (``flask worker --fork``) keeps RQ's fork per job, for jobs that may leak
memory or crash the interpreter. The child inherits the parent's connection pool; sharing a
PostgreSQL socket between processes corrupts both sides, so the horse drops the inherited pool
first (``engine.dispose(close=False)``: forget the parent's connections without closing them
under the parent) and opens its own.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Flask
from rq import Queue, SimpleWorker, Worker

from recall.extensions import db
from recall.notifications.mail import reused_smtp_connection
from recall.notifications.queue import redis_connection


class _AppJobs:
    """Runs each job inside an app context of ``flask_app``, with its own session."""

    flask_app: Flask

    def perform_job(self, job, queue, execution):
        with self.flask_app.app_context():
            try:
                return super().perform_job(job, queue, execution)
            finally:
                db.session.remove()


class RecallWorker(_AppJobs, SimpleWorker):
    """Runs jobs in the worker process itself: no fork, the app loaded once, SMTP kept open."""

    def work(self, *args, **kwargs):
        with reused_smtp_connection(senders=self.flask_app.config["MAIL_SENDERS"]):
            return super().work(*args, **kwargs)


class RecallForkingWorker(_AppJobs, Worker):
    """Forks a work horse per job (RQ's default), which opens its own database connections."""

    def main_work_horse(self, job, queue):
        with self.flask_app.app_context():
            db.engine.dispose(close=False)
        return super().main_work_horse(job, queue)


def run_worker(
    app: Flask,
    queue_names: list[str] | None = None,
    *,
    burst: bool = False,
    with_scheduler: bool = True,
    max_jobs: int | None = None,
    fork: bool = False,
) -> bool:
    """Run a worker on the app's queue (or ``queue_names``) until stopped, or until empty in burst mode.

    ``with_scheduler`` runs RQ's scheduler too, which moves retries whose back-off has passed
    back onto the queue (any number of workers may run it; RQ keeps one active per queue).
    ``fork`` forks a work horse per job instead of running jobs in this process.
    """
    with app.app_context():
        connection = redis_connection()
        if connection is None:
            raise RuntimeError(
                "REDIS_URL is not set: without Redis, notifications are delivered inline"
            )
        names = queue_names or [app.config["RQ_QUEUE_NAME"]]
        queues = [Queue(name, connection=connection) for name in names]
    # Mapper configuration otherwise happens in the first job's first query (about half a second
    # of CPU here): done now, before the worker takes a job, a forked horse inherits it too.
    sa.orm.configure_mappers()
    worker_class = RecallForkingWorker if fork else RecallWorker
    worker = worker_class(queues, connection=connection)
    worker.flask_app = app
    logging.getLogger("recall").setLevel(logging.INFO)
    return worker.work(
        burst=burst, with_scheduler=with_scheduler, max_jobs=max_jobs, logging_level="INFO"
    )
