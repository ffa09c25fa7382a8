"""The one RQ queue every job goes through, and the jobs' stable ids.

Job ids derive from row ids (``recall-delivery-<id>``, ``recall-voter-roll-<id>``), so enqueueing the same row twice names the same job: a re-enqueue after a crash is harmless, and the
jobs themselves are idempotent for the rare case where both copies run.

Committed events are not handed over one job each but by *drain requests*: after a commit, one
``SET <flag> NX`` decides whether a drain job must be enqueued; while one is queued (the flag is
set) further commits add nothing. The drain job clears the flag before it reads the outbox, so an
event committed after that sets the flag again and gets a job of its own; one committed before is
in what the job reads. Any number of drain jobs may run at once (``recall.notifications.batch``
takes events with ``FOR UPDATE SKIP LOCKED``).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from redis import Redis
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from recall import redis_direct

logger = logging.getLogger(__name__)

DRAIN_JOB = "recall.jobs.notifications.drain_outbox"
# While set, a drain job is queued and will read every event committed before it starts. Expires
# by itself, so a job lost with its Redis leaves events waiting at most this long for a new one.
DRAIN_FLAG_SECONDS = 10
DELIVERY_JOB = "recall.jobs.notifications.deliver"
VOTER_ROLL_IMPORT_JOB = "recall.jobs.voter_roll.import_roll"
INVALIDATION_JOB = "recall.jobs.fraud.run_invalidation"
# A job in one of these states will run (again) by itself; redispatch leaves it alone.
LIVE_JOB_STATES = frozenset(
    {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED}
)


def delivery_job_id(delivery_id: int) -> str:
    return f"recall-delivery-{delivery_id}"


def voter_roll_job_id(import_id: int) -> str:
    return f"recall-voter-roll-{import_id}"


def redis_connection() -> Redis | None:
    """The app's Redis client (one per app), or None when ``REDIS_URL`` is not set.

    Timeouts are short: a commit must not hang because Redis is down; redispatch catches up.
    """
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    clients = current_app.extensions.setdefault("recall_redis", {})
    client = clients.get(url)
    if client is None:
        client = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=10)
        clients[url] = client
    return client


def get_queue() -> Queue | None:
    """The app's queue, or None in inline mode (no ``REDIS_URL``)."""
    connection = redis_connection()
    if connection is None:
        return None
    # One Queue per client and name: every signature hands its event over through it.
    name = current_app.config["RQ_QUEUE_NAME"]
    queues = current_app.extensions.setdefault("recall_queues", {})
    queue = queues.get((connection, name))
    if queue is None:
        queue = queues[(connection, name)] = Queue(name, connection=connection)
    return queue


def retry_intervals(config) -> list[int]:
    """Exponential back-off between attempts: base, 2*base, 4*base, ... (one per retry)."""
    base = max(0, int(config["DELIVERY_RETRY_BASE_SECONDS"]))
    retries = max(0, int(config["DELIVERY_MAX_ATTEMPTS"]) - 1)
    return [base * 2**n for n in range(retries)]


def drain_flag(queue: Queue) -> str:
    return f"recall:outbox:drain-queued:{queue.name}"


_packed_drain_requests: dict[str, bytes] = {}


def request_drain(queue: Queue) -> bool:
    """Make sure a drain job is queued; returns True when this call enqueued it.

    One Redis round trip when a drain is already queued (the common case under load).
    Raises Redis errors to the caller (the events stay in the outbox for redispatch).
    """
    flag = drain_flag(queue)
    direct = redis_direct.for_client(queue.connection)
    packed = _packed_drain_requests.get(flag)
    if packed is None:  # packed once per queue (every signature sends it)
        packed = _packed_drain_requests[flag] = direct.packed(
            "SET", flag, 1, "NX", "EX", DRAIN_FLAG_SECONDS
        )
    if direct.execute(packed) is None:  # not set: a drain job is queued already
        return False
    try:
        queue.enqueue(
            DRAIN_JOB,
            job_timeout=current_app.config["DELIVERY_JOB_TIMEOUT"],
            result_ttl=0,
            failure_ttl=3600,
            description="drain the outbox",
        )
    except BaseException:
        queue.connection.delete(flag)
        raise
    return True


def drain_started(queue: Queue) -> None:
    """Called by a drain job before it reads the outbox: later commits must request a new one."""
    queue.connection.delete(drain_flag(queue))


def enqueue_delivery(queue: Queue, delivery_id: int, *, after_first_attempt: bool = False) -> None:
    """Put the job of one delivery on the queue, with the configured retries.

    ``after_first_attempt``: the first attempt was made elsewhere (in the fan-out job) and
    failed temporarily; the job waits the first back-off interval and has one retry fewer.
    """
    config = current_app.config
    intervals = retry_intervals(config)
    options = {
        "job_id": delivery_job_id(delivery_id),
        "job_timeout": config["DELIVERY_JOB_TIMEOUT"],
        "description": f"deliver {delivery_id}",
    }
    if after_first_attempt:
        if not intervals:
            return  # one attempt only, and it was made
        first, intervals = intervals[0], intervals[1:]
        retry = Retry(max=len(intervals), interval=intervals) if intervals else None
        queue.enqueue_in(
            timedelta(seconds=first), DELIVERY_JOB, delivery_id, retry=retry, **options
        )
        return
    retry = Retry(max=len(intervals), interval=intervals) if intervals else None
    queue.enqueue(DELIVERY_JOB, delivery_id, retry=retry, **options)


def enqueue_voter_roll_import(queue: Queue, import_id: int, path: str, actor_id: int) -> None:
    """Put the load of a committed voter-roll import on the queue (it may run for long)."""
    queue.enqueue(
        VOTER_ROLL_IMPORT_JOB,
        import_id,
        path,
        actor_id,
        job_id=voter_roll_job_id(import_id),
        job_timeout=int(current_app.config.get("VOTER_ROLL_JOB_TIMEOUT", 3600)),
        description=f"voter roll import {import_id}",
    )


def enqueue_invalidation(queue: Queue, invalidation_id: int) -> None:
    """Put a committed bulk invalidation on the queue (``recall.jobs.fraud``)."""
    queue.enqueue(
        INVALIDATION_JOB,
        invalidation_id,
        job_id=f"recall-invalidation-{invalidation_id}",
        job_timeout=int(current_app.config.get("VOTER_ROLL_JOB_TIMEOUT", 3600)),
        description=f"bulk invalidation {invalidation_id}",
    )


def job_is_live(queue: Queue, job_id: str) -> bool:
    """True when the job exists and is queued, running or waiting for its retry."""
    try:
        job = Job.fetch(job_id, connection=queue.connection)
    except NoSuchJobError:
        return False
    return job.get_status(refresh=False) in LIVE_JOB_STATES
