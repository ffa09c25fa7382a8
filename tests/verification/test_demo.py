"""The demo gives the commission a small active roll on which the checks show every kind of outcome."""

from __future__ import annotations

import sqlalchemy as sa

from recall.extensions import db
from recall.models import District, PetitionState, User, VoterRollEntry
from recall.services.audit import verify_chain
from recall.services.verification import checks, roll_lookup
from tests.demo_db import demo, pg_database  # noqa: F401 (fixtures)


def test_demo_roll_and_checks(demo):
    result = demo
    body = result.mazhilis
    import_id = roll_lookup.active_import_id(body.id)
    assert import_id is not None
    entries = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(VoterRollEntry)
        .where(VoterRollEntry.import_id == import_id)
    )
    assert entries > 24
    # A partial roll: the districts keep their official numbers.
    assert all(
        n > 100_000
        for n in db.session.scalars(
            sa.select(District.registered_voters).where(District.body_id == body.id)
        )
    )
    closed = result.petitions["closed"]
    assert closed.state == PetitionState.CLOSED  # the checks are left to the commissioner
    commissioner = db.session.scalar(
        sa.select(User).where(User.email == result.accounts["commissioner"][0])
    )
    checked = checks.run_checks(commissioner, closed.id)
    db.session.commit()
    assert {"not_registered", "other_district", "name_mismatch"} <= set(checked.by_reason)
    assert checked.by_status["valid"] >= 6
    collecting = checks.run_checks(commissioner, result.petitions["collecting"].id)
    db.session.commit()
    assert collecting.by_status["valid"] >= 10
    assert verify_chain().problem == ""
