"""Demo petitions: one collecting signatures, one gathering its initiative group, one closed.

All three are against demo single-mandate Mazhilis deputies (the demo commissioner sits on the
Mazhilis commission, so they can act on them) and run under the Kazakh preset, which forbids a
running count while signing is open. The signing demo step adds signatures to
``result.petitions["collecting"]``.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from recall.extensions import db
from recall.models import Deputy, MandateType, Promise, User
from recall.models.base import utcnow
from recall.rules.iin import make_iin
from recall.services.petitions import lifecycle as petitions
from recall.services.rules import recall_rules

GROUNDS = (
    "During the 2023 campaign the deputy promised voters of this district a new school, a repaired "
    "main road and regular reports to constituents. Two years on, none of it has started and the "
    "deputy has not held a single meeting in the district. We have lost trust in our deputy. (demo)"
)


def _user(email: str, name: str) -> User:
    # Demo members cannot sign in: the hash is not a valid password hash.
    user = User(email=email, display_name=name, locale="ru", password_hash="!demo-member-no-login")
    db.session.add(user)
    db.session.flush()
    return user


def _by_email(email: str) -> User:
    return db.session.scalars(sa.select(User).where(User.email == email)).one()


def _promise_ids(deputy: Deputy) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(Promise.id)
            .where(Promise.deputy_id == deputy.id)
            .order_by(Promise.id)
            .limit(2)
        )
    )


def _member_iin(n: int) -> str:
    """A made-up adult IIN for the ``n``-th demo group member (the same on every petition)."""
    return make_iin(
        date(1970, 1, 1) + timedelta(days=211 * n), "female" if n % 2 else "male", 8000 + n
    )


def demo_step(result) -> None:
    """Store the presets and create the three demo petitions (``result.petitions``)."""
    from recall.demo.loader import DEMO_EMAIL_DOMAIN

    recall_rules.ensure_preset_rules()
    deputies = list(
        db.session.scalars(
            sa.select(Deputy)
            .where(
                Deputy.body_id == result.mazhilis.id,
                Deputy.mandate_type == MandateType.SINGLE_MANDATE,
            )
            .order_by(Deputy.id)
            .limit(3)
        )
    )
    citizen = _by_email(result.accounts["citizen"][0])
    commissioner = _by_email(result.accounts["commissioner"][0])
    members = [
        _user(f"initiative-{n}@{DEMO_EMAIL_DOMAIN}", f"Initiative member {n} (demo)")
        for n in range(1, 21)
    ]

    def gathered(deputy, group: list[User]):
        petition = petitions.open_petition(citizen, deputy.id, GROUNDS, _promise_ids(deputy))
        petitions.confirm_membership(citizen, petition.id, _member_iin(0))
        for member in group:
            petitions.invite_member(citizen, petition.id, member.email)
            petitions.confirm_membership(
                member, petition.id, _member_iin(members.index(member) + 1)
            )
        return petition

    need = recall_rules.rule_version_in_force(result.mazhilis).to_rule().min_initiative_group - 1
    collecting = gathered(deputies[0], members[:need])
    petitions.submit_petition(citizen, collecting.id)
    petitions.register_petition(commissioner, collecting.id)

    closed = gathered(deputies[1], members[:need])
    petitions.submit_petition(citizen, closed.id)
    petitions.register_petition(commissioner, closed.id)
    period = closed.closes_at - closed.opens_at
    closed.closes_at = utcnow() - timedelta(days=1)  # as if registered one period ago
    closed.opens_at = closed.closes_at - period
    petitions.close_due_petitions(utcnow())

    gathering = gathered(deputies[2], members[need : need + 3])
    monitor = result.accounts.get("monitor")
    if monitor:  # an invitation waiting for the demo monitor's confirmation
        petitions.invite_member(citizen, gathering.id, monitor[0])
    result.petitions.update(collecting=collecting, gathering=gathering, closed=closed)
