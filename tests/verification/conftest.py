"""Fixtures for the commission's verification tests: a body with districts, a roll, a petition, signatures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from recall.extensions import db
from recall.models import Petition, PetitionState, Role
from tests import factories

OPENS = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
CLOSES = datetime(2026, 3, 31, 18, 0, tzinfo=UTC)
# The petitions these tests check: signed in March 2026, closed, 3 of 10 voters required.
SIGNED_IN_MARCH = {
    "state": PetitionState.CLOSED,
    "opens_at": OPENS,
    "closes_at": CLOSES,
    "closed_at": CLOSES,
    "registered": 10,
    "required": 3,
}


@dataclass
class World:
    body: object
    district: object
    other_district: object
    deputy: object
    petition: Petition
    commissioner: object
    commissioner2: object
    outsider: object


@pytest.fixture
def world(app, make) -> World:
    body = make.body()
    district = make.district(body, number=1)
    other = make.district(body, number=2)
    deputy = make.deputy(district)
    commissioner = make.user(role=Role.COMMISSIONER, commission_body=body)
    commissioner2 = make.user(role=Role.COMMISSIONER, commission_body=body)
    outsider = make.user(role=Role.COMMISSIONER)
    initiator = make.user()
    petition = make.petition(deputy, initiator=initiator, **SIGNED_IN_MARCH)
    db.session.commit()
    return World(body, district, other, deputy, petition, commissioner, commissioner2, outsider)


@pytest.fixture
def reviewed(world, tmp_path):
    """Checks run: one valid signature and one in review (name differs)."""
    from recall.services.signing import counting
    from recall.services.verification import checks

    a, b = factories.iin(date(1970, 1, 1)), factories.iin(date(1971, 1, 1))
    factories.load_roll(
        world.body,
        tmp_path / "roll.csv",
        [(a, "Aigerim Bekova", 1, "Street 1"), (b, "Marat Omarov", 1, "Street 2")],
    )
    world.ok = factories.signature(world.petition, a, "Aigerim Bekova")
    world.odd = factories.signature(world.petition, b, "Marat Umarov")
    world.iins = (a, b)
    counting.recount(world.petition.id)
    checks.run_checks(world.commissioner, world.petition.id)
    db.session.commit()
    return world
