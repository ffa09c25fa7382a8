"""The demo data shows a petition in each early stage."""

from __future__ import annotations

import sqlalchemy as sa

from recall.extensions import db
from recall.models import MandateType, Petition, PetitionState, RecallRuleVersion
from recall.rules.rule_presets import PRESETS
from tests.demo_db import demo, pg_database  # noqa: F401 (fixtures)


def test_demo_petitions(demo):
    result = demo
    assert {v.key for v in db.session.scalars(sa.select(RecallRuleVersion))} >= set(PRESETS)
    stages = {name: p.state for name, p in result.petitions.items()}
    assert stages == {
        "collecting": PetitionState.COLLECTING,
        "gathering": PetitionState.GATHERING_GROUP,
        "closed": PetitionState.CLOSED,
    }
    for petition in result.petitions.values():
        assert (
            petition.deputy.is_demo and petition.deputy.mandate_type == MandateType.SINGLE_MANDATE
        )
        assert petition.body_id == result.mazhilis.id
    collecting = result.petitions["collecting"]
    assert collecting.required_signatures == -(-collecting.registered_voters * 30 // 100)
    assert collecting.closes_at > collecting.opens_at
    gathering = result.petitions["gathering"]
    assert [m.confirmed_at is not None for m in gathering.members] == [
        True,
        True,
        True,
        True,
        False,
    ]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Petition)) == 3
