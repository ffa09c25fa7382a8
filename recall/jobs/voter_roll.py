"""The voter-roll import job: load an uploaded file into its import row, with visible progress.

The upload page commits the import row first (``start_upload``), then hands the job ids and a
path through the one queue (``recall.notifications.queue``); without Redis the same load runs
inside the request. The service (``recall.services.verification.voter_roll``) only flushes; this
job commits after every chunk, so the import page sees the progress, and once at the end.
"""

from __future__ import annotations

import logging
import os
from datetime import date

from recall.extensions import db
from recall.jobs import job_context
from recall.models.user import User
from recall.models.verification import ImportStatus, VoterRollImport
from recall.notifications import queue as rq_queue
from recall.services.verification import voter_roll

logger = logging.getLogger(__name__)


def import_roll(
    import_id: int, path: str, actor_id: int | None = None, delete_file: bool = True
) -> str:
    """RQ entry point: load the file at ``path`` into the import ``import_id`` and commit.

    Idempotent: an import no longer ``loading`` is left alone (returns ``"skipped"``). Returns
    ``"active"`` or ``"failed"``. An unexpected error marks the import failed, commits that and
    re-raises (RQ records the job as failed). The uploaded file is deleted afterwards (the
    skipped-rows report stays beside it).
    """
    with job_context():
        return _load(import_id, path, actor_id, delete_file)


def _load(import_id: int, path: str, actor_id: int | None, delete_file: bool) -> str:
    imp = db.session.get(VoterRollImport, import_id)
    if imp is None or imp.status != ImportStatus.LOADING:
        return "skipped"
    actor = db.session.get(User, actor_id) if actor_id else None
    try:
        with open(path, "rb") as stream:
            result = voter_roll.load_import(
                imp,
                stream,
                checkpoint=db.session.commit,  # progress on the import row, chunk by chunk
                actor=actor,
                report_path=f"{path}.skipped.csv" if imp.skip_invalid else None,
            )
        db.session.commit()
    except Exception:
        db.session.rollback()
        voter_roll.mark_import_failed(import_id)
        db.session.commit()
        logger.exception("voter roll import %r failed", import_id)
        raise
    finally:
        if delete_file and os.path.exists(path):
            os.unlink(path)
    return result.roll_import.status.value if result.accepted else "failed"


def start_upload(
    actor: User,
    body_id: int,
    as_of: date,
    path: str,
    filename: str,
    skip_invalid: bool,
    *,
    mode: str = "",
    confirm_first: bool = True,
) -> VoterRollImport:
    """The upload page's edge: create the import for an uploaded file, commit it, then load it.

    The row is committed before the job is enqueued (the job reads it). With ``REDIS_URL`` the
    load goes on the queue and the page polls the import row's progress; without it the load
    runs here in the request (fine for moderate files; ``flask voters import`` for very large
    ones). Raises the service's domain errors (nothing is committed then).
    """
    imp = voter_roll.create_import(
        actor,
        body_id,
        as_of,
        filename,
        bytes_total=os.path.getsize(path),
        skip_invalid=skip_invalid,
        mode=mode,
        confirm_first=confirm_first,
    )
    db.session.commit()
    queue = rq_queue.get_queue()
    if queue is not None:
        rq_queue.enqueue_voter_roll_import(queue, imp.id, path, actor.id)
    else:
        _load(imp.id, path, actor.id, delete_file=True)
    return db.session.get(VoterRollImport, imp.id)
