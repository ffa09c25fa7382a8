"""Fixtures for the petitions tests: a petition in any state without going through the services."""
from __future__ import annotations

import pytest

from recall.extensions import db
from recall.models import Petition, PetitionState, RecallRuleVersion
from recall.rules.recall_rules import PRESETS


def _preset_version(key: str = "kz_mazhilis_single_mandate") -> RecallRuleVersion:
    existing = db.session.scalar(db.select(RecallRuleVersion).filter_by(key=key, version=1))
    if existing is not None:
        return existing
    rule = PRESETS[key]
    version = RecallRuleVersion(key=key, version=1, name=rule.name, data=rule.to_dict(), is_preset=True)
    db.session.add(version)
    db.session.flush()
    return version


@pytest.fixture
def raw_petition(app, make):
    """Build a petition row directly in ``state`` (for state-machine tests)."""

    def _make(state: PetitionState = PetitionState.GATHERING_GROUP, deputy=None, initiator=None, **overrides):
        deputy = deputy or make.deputy()
        initiator = initiator or make.user()
        values = {"deputy": deputy, "district": deputy.district, "body": deputy.body,
                  "rule_version": _preset_version(), "state": state, "grounds": "x" * 60, "initiator": initiator}
        values.update(overrides)
        petition = Petition(**values)
        db.session.add(petition)
        db.session.flush()
        return petition

    return _make
