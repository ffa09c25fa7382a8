"""The public misuse-report form is rate-limited."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from recall.extensions import db
from recall.models import MisuseReport


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "MISUSE_REPORT_RATE_LIMIT": "2 per minute"}


def test_misuse_reports_are_rate_limited(client, world):
    data = {
        "petition": world.petition.id,
        "iin": "061211600012",
        "email": "a@example.org",
        "message": "x",
    }
    assert [client.post("/report-misuse", data=data).status_code for _ in range(3)] == [
        200,
        200,
        429,
    ]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MisuseReport)) == 2
