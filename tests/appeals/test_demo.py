"""The demo data has appeals in every state, one answered by the demo deputy account, one overdue."""

from __future__ import annotations

import sqlalchemy as sa

from recall.extensions import db
from recall.models import User
from recall.models.appeal import AppealState
from recall.services.appeals import queries
from recall.services.appeals import signing as appeal_signing
from tests.demo_db import demo, pg_database  # noqa: F401 (fixtures)


def test_demo_appeals(demo, client):
    result = demo
    states = {name: a.state for name, a in result.appeals.items()}
    assert set(states.values()) == set(AppealState)
    answered = result.appeals["answered"]
    account = db.session.scalar(sa.select(User).where(User.email == result.accounts["deputy"][0]))
    assert answered.responded_by_id == account.id and account.deputy_id == answered.deputy_id
    assert answered.answered_at <= answered.response_due_at
    counts = appeal_signing.appeal_counts([answered.id])[answered.id]
    assert counts.supporters == 2 and counts.constituents >= 5
    overdue = result.appeals["overdue"]
    assert overdue.state == AppealState.OVERDUE
    assert queries.responsiveness(overdue.deputy_id).overdue == 1
    assert queries.responsiveness(answered.deputy_id).answered_on_time == 1
    rows = appeal_signing.district_counts(result.appeals["body"])
    assert [r.confirmed for r in rows[:4]] == [3, 2, 1, 1]
    for appeal in result.appeals.values():
        expected = 200 if appeal.opens_at else 404
        assert client.get(f"/appeals/{appeal.id}").status_code == expected
    assert client.get("/appeals").status_code == 200
