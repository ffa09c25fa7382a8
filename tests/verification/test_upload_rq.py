"""The upload page with REDIS_URL: the import runs as an RQ job that reports progress on the import row."""

from __future__ import annotations

import io
from datetime import date

import pytest
from rq import Queue, SimpleWorker

from recall.extensions import db
from recall.models import ImportStatus, VoterRollImport
from tests import factories

pytestmark = pytest.mark.redis


@pytest.fixture
def app_config(redis_url):
    return {"REDIS_URL": redis_url, "RQ_QUEUE_NAME": "recall-test-verification"}


def test_upload_runs_as_job(app, client, login, world, redis_conn, tmp_path):
    rows = [(factories.iin(date(1960 + i, 2, 2)), f"Job Voter {i}", 1, "Street") for i in range(7)]
    content = factories.write_roll(tmp_path / "job.csv", rows).read_bytes()
    login(world.commissioner)
    response = client.post(
        "/commission/roll",
        data={
            "as_of": "2026-02-01",
            "mode": "partial",  # district 1 of 2
            "file": (io.BytesIO(content), "job.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    imp = db.session.query(VoterRollImport).one()
    assert (imp.status, imp.is_active, imp.bytes_total) == (
        ImportStatus.LOADING,
        False,
        len(content),
    )
    page = client.get(response.headers["Location"])
    assert 'data-refresh="2"' in page.text  # the page reloads itself while the job runs
    queue = Queue("recall-test-verification", connection=redis_conn)
    assert queue.count == 1
    import_id = imp.id  # the job runs in this process and ends by removing the session
    SimpleWorker([queue], connection=redis_conn).work(burst=True)
    db.session.expire_all()
    imp = db.session.get(VoterRollImport, import_id)
    assert (imp.status, imp.is_active, imp.rows_loaded, imp.percent) == (
        ImportStatus.PREVIEW,
        False,
        7,
        100,
    )
    assert client.post(f"/commission/roll/{import_id}/confirm").status_code == 303
    db.session.expire_all()
    imp = db.session.get(VoterRollImport, import_id)
    assert (imp.status, imp.is_active) == (ImportStatus.ACTIVE, True)
    api = client.get(f"/api/v1/commission/roll-imports/{imp.id}")
    assert api.json["status"] == "active" and api.json["rows_loaded"] == 7
