"""The bulk-invalidation job: invalidate a run's signatures batch by batch, committing after
each, so the page shows progress and a cancel takes effect before the next batch.

The page commits the run first (``start``), then enqueues the job with its id; without Redis the
run happens inside the request.
"""

from __future__ import annotations

import logging

from recall.extensions import db
from recall.jobs import job_context
from recall.models.fraud import Invalidation, InvalidationStatus
from recall.models.user import User
from recall.notifications import queue as rq_queue
from recall.services.fraud import invalidation

logger = logging.getLogger(__name__)


def run_invalidation(invalidation_id: int, batch: int = invalidation.BATCH_SIZE) -> str:
    """RQ entry point: run the invalidation to its end (or its cancel); returns its status.

    Idempotent: a finished run is left alone, and a run picked up again goes on where it was
    (already invalid signatures no longer match). An unexpected error marks the run failed,
    commits that and re-raises.
    """
    with job_context():
        return _run(invalidation_id, batch)


def _run(invalidation_id: int, batch: int) -> str:
    try:
        while not invalidation.run_batch(invalidation_id, batch=batch):
            db.session.commit()
        db.session.commit()
    except Exception:
        db.session.rollback()
        run = db.session.get(Invalidation, invalidation_id)
        if run is not None:
            run.status = InvalidationStatus.FAILED
            db.session.commit()
        logger.exception("bulk invalidation %r failed", invalidation_id)
        raise
    run = db.session.get(Invalidation, invalidation_id, populate_existing=True)
    return run.status.value if run else "missing"


def start(actor: User, petition_id: int, criteria: dict, reason: str | None) -> Invalidation:
    """The page's edge: create the run, commit it, then run it on the queue (or here without
    Redis). Raises the service's domain errors (nothing is committed then)."""
    run = invalidation.start_invalidation(actor, petition_id, criteria, reason)
    db.session.commit()
    queue = rq_queue.get_queue()
    if queue is not None:
        rq_queue.enqueue_invalidation(queue, run.id)
    else:
        _run(run.id, invalidation.BATCH_SIZE)
    return db.session.get(Invalidation, run.id, populate_existing=True)
