"""The demo shows the tracker: every status, histories with evidence, one dispute, one correction."""

from __future__ import annotations

import sqlalchemy as sa

from recall.extensions import db
from recall.models.promise import (
    Correction,
    CorrectionKind,
    Dispute,
    DisputeState,
    Promise,
    PromiseStatusChange,
)
from recall.rules.scorecard import PROMISE_STATUSES
from tests.demo_db import demo, pg_database  # noqa: F401 (fixtures)


def test_demo_promises(demo, client):
    result = demo
    promises = list(db.session.scalars(sa.select(Promise)))
    assert len(promises) == 10
    assert {p.status.value for p in promises} == set(PROMISE_STATUSES)
    assert all(p.is_demo and p.deputy.is_demo for p in promises)
    assert {p.broken_reason.value for p in promises if p.broken_reason} == {
        "other",
        "no_majority",
        "outside_powers",
    }
    changes = list(db.session.scalars(sa.select(PromiseStatusChange)))
    assert len(changes) == 12 and all(c.evidence for c in changes)
    disputes = list(db.session.scalars(sa.select(Dispute)))
    assert [d.state for d in disputes] == [DisputeState.OPEN]
    assert disputes[0].raised_by_organization_id != disputes[0].status_change.organization_id
    kinds = sorted(c.kind.value for c in db.session.scalars(sa.select(Correction)))
    assert kinds == sorted([CorrectionKind.RATING.value, CorrectionKind.WORDING.value])
    assert result.accounts["monitor-2"][0] == "monitor2@demo.recall.kz"
    busiest = promises[0].deputy
    page = client.get(f"/deputies/{busiest.id}").text
    assert "1 kept of 3 rated" in page
    assert (
        client.get(f"/promises/{disputes[0].promise_id}").text.count("This rating is disputed") == 1
    )
