"""The demo shows signing at work: confirmed and pending signatures, and paper ones."""

from __future__ import annotations

import sqlalchemy as sa

from recall.demo.signing import ONLINE_CONFIRMED, ONLINE_PENDING, PAPER_LINES
from recall.extensions import db
from recall.models import Signature, SignatureSource, SignatureStatus
from recall.services.signing import counting
from tests.demo_db import demo, pg_database  # noqa: F401 (fixtures)


def test_demo_signatures(demo):
    result = demo
    collecting, closed = result.petitions["collecting"], result.petitions["closed"]
    statuses = db.session.execute(
        sa.select(Signature.status, sa.func.count())
        .where(Signature.petition_id == collecting.id)
        .group_by(Signature.status)
    ).all()
    assert dict(statuses) == {
        SignatureStatus.CONFIRMED: ONLINE_CONFIRMED,
        SignatureStatus.PENDING: ONLINE_PENDING,
    }
    assert counting.confirmed_count(collecting) == ONLINE_CONFIRMED
    paper_rows = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Signature)
        .where(Signature.petition_id == closed.id, Signature.source == SignatureSource.PAPER)
    )
    assert paper_rows == PAPER_LINES
    assert counting.confirmed_count(closed) == PAPER_LINES
    assert sum(n for _, n in counting.counts_per_day(closed)) == PAPER_LINES
