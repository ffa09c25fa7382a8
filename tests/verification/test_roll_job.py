"""The voter-roll import job (``recall.jobs.voter_roll``): commits what the service only flushes."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from recall.extensions import db
from recall.jobs import voter_roll as roll_job
from recall.models import ImportStatus, VoterRollEntry, VoterRollImport
from recall.services.verification import voter_roll
from tests import factories


def _committed(import_id: int):
    """The import as another connection sees it: only what was committed."""
    with db.engine.connect() as conn:
        status, rows, errors = conn.execute(
            sa.select(
                VoterRollImport.status, VoterRollImport.rows_loaded, VoterRollImport.errors
            ).where(VoterRollImport.id == import_id)
        ).one()
        entries = conn.scalar(
            sa.select(sa.func.count())
            .select_from(VoterRollEntry)
            .where(VoterRollEntry.import_id == import_id)
        )
    return ImportStatus(status), rows, errors, entries


def _new_import(world, path) -> int:
    imp = voter_roll.create_import(
        None,
        world.body.id,
        date(2026, 2, 1),
        "roll.csv",
        bytes_total=path.stat().st_size,
        mode="replace",  # district 1 of 2: the whole roll
    )
    db.session.commit()
    return imp.id


def test_job_loads_commits_deletes_the_upload_and_runs_once(world, tmp_path):
    rows = [(factories.iin(date(1970 + i, 1, 1)), f"Voter {i}", 1, "Street") for i in range(4)]
    path = factories.write_roll(tmp_path / "upload.csv", rows)
    import_id = _new_import(world, path)
    actor_id = world.commissioner.id
    assert roll_job.import_roll(import_id, str(path), actor_id) == "active"
    assert _committed(import_id) == (ImportStatus.ACTIVE, 4, [], 4)
    assert not path.exists()
    factories.write_roll(path, rows)
    assert roll_job.import_roll(import_id, str(path), actor_id) == "skipped"
    assert _committed(import_id) == (ImportStatus.ACTIVE, 4, [], 4)


def test_job_marks_the_import_failed_on_an_unexpected_error(world, tmp_path):
    path = factories.write_roll(
        tmp_path / "gone.csv", [(factories.iin(date(1980, 1, 1)), "A B", 1, "Street")]
    )
    import_id = _new_import(world, path)
    path.unlink()
    with pytest.raises(FileNotFoundError):
        roll_job.import_roll(import_id, str(path))
    status, rows, errors, entries = _committed(import_id)
    assert (status, rows, entries) == (ImportStatus.FAILED, 0, 0)
    assert errors == [
        {"line": 0, "field": "file", "reason": "The import stopped on an unexpected error."}
    ]
