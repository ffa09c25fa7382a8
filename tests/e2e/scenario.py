"""Demo-like data for the browser tests, built with tests/factories.py and the services.

One body with three districts; a deputy in each (one with an account), a list deputy; promises
rated kept and broken with a dispute; a petition collecting signatures, one closed and checked
against a small roll (with a signature waiting in review), one submitted for registration; an
appeal; and an account for every role. Small on purpose: the accessibility walk visits every
page several times, and the cost is in the browser, not in rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from recall.extensions import db
from recall.models import MandateType, PetitionState, Role, User
from recall.models.base import utcnow
from recall.services.promises import recording as promises
from recall.services.reference_data import ensure_reference_data
from tests import factories

ROLES = ("citizen", "monitor", "commissioner", "admin", "moderator", "deputy")
# The closed petition signed in March 2026; 3 of 10 voters required.
CLOSED = {
    "state": PetitionState.CLOSED,
    "opens_at": datetime(2026, 3, 1, 6, 0, tzinfo=UTC),
    "closes_at": datetime(2026, 3, 31, 18, 0, tzinfo=UTC),
    "closed_at": datetime(2026, 3, 31, 18, 0, tzinfo=UTC),
    "registered": 10,
    "required": 3,
}


@dataclass
class Scenario:
    users: dict[str, User]  # role -> the account signing in as that role
    ids: dict[str, int | str] = field(default_factory=dict)  # URL argument -> an id that exists
    # Endpoint prefix -> argument values for that area, where one id does not suit every page.
    overrides: dict[str, dict[str, int]] = field(default_factory=dict)
    queries: dict[str, str] = field(default_factory=dict)  # endpoint -> query string
    commissioner2: User | None = None
    roll_rows: list[tuple] = field(default_factory=list)


def build(tmp_path: Path) -> Scenario:
    """Write the scenario and commit; the passwords are ``factories.PASSWORD``."""
    from recall.services.fraud import invalidation
    from recall.services.signing import counting
    from recall.services.verification import checks

    ensure_reference_data()
    body = factories.body(slug="mazhilis", name="Mazhilis of the Parliament")
    districts = [
        factories.district(body, number=n, name=f"Single-mandate district No. {n}")
        for n in (1, 2, 3)
    ]
    party = factories.party()
    deputies = [
        factories.deputy(d, full_name=name, party=party)
        for d, name in zip(
            districts, ("Akhmetov Nurlan", "Omarova Dana", "Bekov Marat"), strict=True
        )
    ]
    factories.deputy(mandate_type=MandateType.PARTY_LIST, body=body, party=party)
    users = {
        "citizen": factories.user(display_name="Aliya Citizen"),
        "monitor": factories.user(Role.MONITOR, display_name="Marat Monitor"),
        "commissioner": factories.user(
            Role.COMMISSIONER, commission_body=body, display_name="Saule Commissioner"
        ),
        "admin": factories.user(Role.ADMIN, display_name="Askar Admin"),
        "moderator": factories.user(Role.MODERATOR, display_name="Gulnara Moderator"),
        "deputy": factories.user(
            Role.DEPUTY, deputy_id=deputies[0].id, display_name="Nurlan Deputy"
        ),
    }
    commissioner2 = factories.user(
        Role.COMMISSIONER, commission_body=body, display_name="Timur Commissioner"
    )
    other_monitor = factories.user(Role.MONITOR, display_name="Zhanar Monitor")

    kept, broken = (
        promises.record_promise(
            users["monitor"],
            promises.PromiseInput(
                deputy_id=deputies[0].id,
                title=title,
                statement=f"I will {title.lower()}.",
                made_on=date(2023, 2, 1),
                source_url="https://example.org/speech/2023-02-01",
                topic="education",
                level="local",
            ),
            confirm_distinct=True,
        )
        for title in ("Build a school in Zhanaarka", "Repair the road to Saran")
    )
    rating = promises.change_status(
        users["monitor"],
        kept.id,
        status="kept",
        changed_on=date(2024, 9, 1),
        explanation="The school opened on 1 September.",
        evidence=["https://example.org/evidence/a-very-long-path/that/wraps/school-opening-2024"],
        broken_reason=None,
    )
    promises.change_status(
        users["monitor"],
        broken.id,
        status="broken",
        changed_on=date(2024, 1, 10),
        explanation="The budget line was removed.",
        evidence=["https://example.org/budget-2024"],
        broken_reason="no_majority",
    )
    dispute = promises.raise_dispute(
        other_monitor,
        kept.id,
        reason="The school opened with 450 places, not 600.",
        evidence=["https://example.org/evidence/capacity"],
    )

    collecting = factories.petition(deputies[0], initiator=users["citizen"])
    for n in range(3):
        factories.signature(collecting, full_name=f"Signer {n}")
    counting.recount(collecting.id)
    closed = factories.petition(deputies[1], initiator=users["citizen"], **CLOSED)
    submitted = factories.petition(
        deputies[2],
        initiator=users["citizen"],
        state=PetitionState.SUBMITTED,
        submitted_at=utcnow(),
    )
    a, b = factories.iin(date(1970, 1, 1)), factories.iin(date(1971, 1, 1))
    roll_rows = [(a, "Aigerim Bekova", 2, "Street 1"), (b, "Marat Omarov", 2, "Street 2")]
    roll = factories.load_roll(body, tmp_path / "roll.csv", roll_rows)
    factories.signature(closed, a, "Aigerim Bekova")
    factories.signature(closed, b, "Marat Umarov")  # the roll spells it otherwise: review
    factories.signature(closed, full_name="Not On The Roll")
    counting.recount(closed.id)
    checks.run_checks(users["commissioner"], closed.id)

    flood = invalidation.start_invalidation(
        users["commissioner"], closed.id, {"domain": "flood.kz"}, "Sign-ups from one domain."
    )
    invalidation.run_batch(flood.id)  # done: a page following a running job reloads itself
    appeal = factories.appeal(deputies[0], author=users["citizen"])
    db.session.commit()
    return Scenario(
        users=users,
        ids={
            "deputy_id": deputies[0].id,
            "district_id": districts[0].id,
            "body_id": body.id,
            "kind_id": body.kind_id,
            "promise_id": kept.id,
            "dispute_id": dispute.id,
            "change_id": rating.id,
            "petition_id": collecting.id,
            "appeal_id": appeal.id,
            "version_id": collecting.rule_version_id,
            "import_id": roll.roll_import.id,
            "subject_id": collecting.id,
            "subject_type": "petition",
            "invalidation_id": flood.id,
            "user_id": users["monitor"].id,
            "role": "monitor",
        },
        overrides={
            "commission.": {"petition_id": closed.id},
            "fraud.": {"petition_id": closed.id},
            "petitions.register_petition": {"petition_id": submitted.id},
        },
        queries={
            "fraud.preview_invalidation": "domain=flood.kz",
            "promises.pick_deputy": f"deputy={deputies[0].id}",
        },
        commissioner2=commissioner2,
        roll_rows=roll_rows,
    )
