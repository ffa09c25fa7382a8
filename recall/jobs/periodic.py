"""Scheduled work: a list of periodic tasks and the runner that runs the due ones.

Each task is ``(name, interval_seconds, function)``; the function takes ``now`` (an aware UTC
datetime), flushes and commits nothing: the runner commits after each task, or rolls
back and logs when it raises, and goes on with the next task.

Several runners may run on several machines: with Redis, a task runs only when the runner wins
``SET recall:periodic:<name> NX EX <interval>``, so it runs at most once per interval across
the cluster. Without Redis (a single ``make run`` process) a runner keeps the last run times in
memory. ``flask periodic loop`` calls ``run_due`` every ``--interval`` seconds.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable
from datetime import datetime

from flask import current_app
from redis.exceptions import RedisError

from recall.extensions import db
from recall.models.base import utcnow
from recall.notifications.dispatch import redispatch
from recall.notifications.queue import redis_connection
from recall.services.appeals.lifecycle import close_due_appeals, mark_overdue
from recall.services.appeals.signing import expire_unconfirmed as expire_appeal_signatures
from recall.services.appeals.signing import sync_counts as sync_appeal_counts
from recall.services.appeals.updates import record_update_digests
from recall.services.audit import publish_daily_head
from recall.services.deputies.recall_opening import announce_recall_openable
from recall.services.fraud.patterns import scan_sources
from recall.services.petitions.lifecycle import close_due_petitions
from recall.services.promises.report_cards import record_monthly_digests
from recall.services.signing.counting import recount_all, sync_counts
from recall.services.signing.online import expire_unconfirmed
from recall.services.verification.checks import check_closed_petitions
from recall.services.verification.privacy import purge_due

logger = logging.getLogger(__name__)

Task = Callable[[datetime], object]

#: (name, interval in seconds, function). Names are unique: they name the Redis lock.
PERIODIC_TASKS: list[tuple[str, int, Task]] = [
    ("outbox.redispatch", 30, redispatch),
    ("petitions.close_due", 60, close_due_petitions),
    ("verification.check_closed", 300, check_closed_petitions),
    ("privacy.purge", 86400, purge_due),
    ("signing.expire_unconfirmed", 300, expire_unconfirmed),
    ("counting.sync", 60, sync_counts),
    ("counting.recount", 86400, recount_all),
    ("audit.publish_head", 86400, publish_daily_head),
    ("appeals.close_due", 300, close_due_appeals),
    ("appeals.mark_overdue", 300, mark_overdue),
    ("fraud.scan_sources", 300, scan_sources),
    ("appeals.expire_unconfirmed", 300, expire_appeal_signatures),
    ("appeals.sync_counts", 60, sync_appeal_counts),
    ("deputies.announce_recall_openable", 3600, announce_recall_openable),
    # Hourly, acting once a month: the month's report card to each followed deputy's followers.
    ("promises.monthly_digest", 3600, record_monthly_digests),
    # Hourly, one digest a day per follower: the initiators' updates of what they follow.
    ("updates.daily_digest", 3600, record_update_digests),
]

LOCK_PREFIX = "recall:periodic:"
_last_run: dict[str, float] = {}  # per process, used only without Redis


def _claim(name: str, interval: int, force: bool) -> bool:
    connection = redis_connection()
    if connection is None:
        last = _last_run.get(name)
        if force or last is None or time.monotonic() - last >= interval:
            _last_run[name] = time.monotonic()
            return True
        return False
    owner = f"{socket.gethostname()}:{os.getpid()}"
    key = LOCK_PREFIX + name
    if force:
        connection.set(key, owner, ex=max(1, interval))
        return True
    return bool(connection.set(key, owner, nx=True, ex=max(1, interval)))


def run_due(
    now: datetime | None = None, *, only: str | None = None, force: bool = False
) -> dict[str, str]:
    """Run every task whose interval has passed (``force``: run them now regardless).

    Returns ``{task name: "ok" | "skipped" | "failed"}``. Must run in an app context.
    """
    results: dict[str, str] = {}
    for name, interval, task in PERIODIC_TASKS:
        if only and name != only:
            continue
        try:
            claimed = _claim(name, interval, force)
        except RedisError as exc:
            logger.warning("periodic: Redis unreachable (%s); %s not run", exc, name)
            results[name] = "skipped"
            continue
        if not claimed:
            results[name] = "skipped"
            continue
        try:
            task(now or utcnow())
            db.session.commit()
            results[name] = "ok"
        except Exception:
            db.session.rollback()
            logger.exception("periodic task %s failed", name)
            results[name] = "failed"
    return results


def run_loop(interval: int, *, iterations: int | None = None) -> None:
    """Call ``run_due`` every ``interval`` seconds, forever or ``iterations`` times."""
    done = 0
    while iterations is None or done < iterations:
        started = time.monotonic()
        results = run_due()
        ran = {name: result for name, result in results.items() if result != "skipped"}
        if ran:
            logger.info("periodic: %s", ran)
        db.session.remove()
        done += 1
        if iterations is None or done < iterations:
            time.sleep(max(0.0, interval - (time.monotonic() - started)))
    current_app.logger.debug("periodic loop finished after %d iteration(s)", done)
