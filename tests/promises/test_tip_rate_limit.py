"""Tips on a promise are rate-limited per client address (TIP_RATE_LIMIT)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from recall.extensions import db
from recall.models import PromiseTip
from tests.promises.conftest import commit


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "TIP_RATE_LIMIT": "2 per minute"}


def test_tips_are_rate_limited(client, login, make, deputy, record):
    citizen = make.user()
    promise = record(deputy)
    commit()
    login(citizen)
    url = f"/promises/{promise.id}/tip"
    codes = [client.post(url, data={"description": f"Seen it {i}"}).status_code for i in range(3)]
    assert codes == [303, 303, 429]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PromiseTip)) == 2
