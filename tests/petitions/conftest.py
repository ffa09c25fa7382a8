"""Fixtures for the petitions tests: a petition in any state without going through the services."""

from __future__ import annotations

import pytest

from recall.extensions import db
from recall.models import PetitionState


@pytest.fixture
def raw_petition(app, make):
    """Build a petition row directly in ``state`` (for state-machine tests)."""

    def _make(state: PetitionState = PetitionState.GATHERING_GROUP, deputy=None, **overrides):
        return make.petition(deputy, state=state, grounds="x" * 60, **overrides)

    return _make


GROUNDS = (
    "The deputy promised to build a school in the district and has not started it in two years; "
    "voters have lost trust."
)


@pytest.fixture
def flow(app, make):
    """Drive petitions through the real services: ``flow.open()``, ``flow.fill_group(p)``, ``flow.submitted()``..."""
    from recall.models import Role
    from recall.services.petitions import lifecycle as petitions

    class Flow:
        def __init__(self):
            self.deputy = make.deputy()
            self.initiator = make.user()
            self.commissioner = make.user(role=Role.COMMISSIONER, commission_body=self.deputy.body)

        def open(self, **kwargs):
            """Open a petition; the initiator gives their IIN (an adult's, as every member)."""
            actor = kwargs.pop("actor", self.initiator)
            petition = petitions.open_petition(
                actor,
                kwargs.pop("deputy_id", self.deputy.id),
                kwargs.pop("grounds", GROUNDS),
                **kwargs,
            )
            petitions.confirm_membership(actor, petition.id, make.iin())
            return petition

        def fill_group(self, petition, size=None):
            size = (
                size if size is not None else petition.rule_version.to_rule().min_initiative_group
            )
            while len(petitions.confirmed_members(petition)) < size:
                member = make.user()
                petitions.invite_member(self.initiator, petition.id, member.email)
                petitions.confirm_membership(member, petition.id, make.iin())
            return petition

        def submitted(self):
            petition = self.fill_group(self.open())
            return petitions.submit_petition(self.initiator, petition.id)

        def collecting(self):
            petition = self.submitted()
            return petitions.register_petition(self.commissioner, petition.id)

    return Flow()


@pytest.fixture
def make_promise(app):
    """A minimal tracked promise of ``deputy`` (the promises area owns the real workflow)."""
    from datetime import date

    from recall.models import Promise, Topic
    from recall.models.promise import PromiseLevel

    def _make(deputy, title="Build a school"):
        topic = db.session.scalar(db.select(Topic).filter_by(slug="education"))
        if topic is None:
            topic = Topic(slug="education", name="Education")
            db.session.add(topic)
        promise = Promise(
            deputy=deputy,
            title=title,
            statement=title,
            made_on=date(2023, 2, 1),
            source_url="https://example.org/p",
            topic=topic,
            level=PromiseLevel.LOCAL,
        )
        db.session.add(promise)
        db.session.flush()
        return promise

    return _make
