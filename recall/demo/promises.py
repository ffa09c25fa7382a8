"""Demo promises: every status, histories with evidence, one open dispute and one correction.

Runs as a step of ``recall.demo.loader.load_demo`` (after the demo deputies and accounts exist)
and goes through the same services a monitor uses, so the demo shows real histories and events.
All deputies are fictional; all links point at example.org.
"""

from __future__ import annotations

import secrets
from datetime import date

import sqlalchemy as sa

from recall.extensions import db
from recall.models import Deputy, MandateType, Role, User
from recall.services.accounts import users as user_service
from recall.services.promises import recording as service

SECOND_MONITOR_EMAIL = "monitor2@demo.recall.kz"
SECOND_ORGANIZATION = "Open Budget Watch (demo)"

# (title, statement, topic, level, made_on, [(status, changed_on, explanation, broken_reason)])
DEMO_PROMISES: tuple = (
    (
        "Build a school in Zhanaarka",
        "I will get a new 600-place school built in Zhanaarka by 2025.",
        "education",
        "local",
        date(2023, 2, 10),
        [
            (
                "in_the_works",
                date(2023, 9, 1),
                "Construction money is in the regional budget.",
                None,
            ),
            ("kept", date(2025, 9, 1), "The school opened on 1 September 2025.", None),
        ],
    ),
    (
        "Repair the Temirtau–Karaganda road",
        "The road between Temirtau and Karaganda will be repaired.",
        "roads",
        "regional",
        date(2023, 2, 14),
        [
            ("in_the_works", date(2023, 10, 5), "A tender for the repair was announced.", None),
            (
                "stalled",
                date(2024, 8, 20),
                "The tender was cancelled and no new one was announced.",
                None,
            ),
        ],
    ),
    (
        "Cap utility tariffs",
        "I will vote against any rise of utility tariffs.",
        "housing",
        "national",
        date(2023, 2, 20),
        [
            (
                "broken",
                date(2024, 1, 15),
                "The deputy voted for the tariff increase.",
                "changed_position",
            )
        ],
    ),
    (
        "Publish the district budget online",
        "Every tenge of the district budget will be published online.",
        "budget",
        "local",
        date(2023, 3, 1),
        [("compromise", date(2024, 3, 1), "Totals are published; line items are not.", None)],
    ),
    (
        "New clinic in Saran",
        "Saran will get a new outpatient clinic.",
        "health",
        "regional",
        date(2023, 3, 3),
        [("in_the_works", date(2024, 5, 12), "Design documents were approved.", None)],
    ),
    (
        "Close the Nura river dump",
        "The illegal dump on the Nura river bank will be closed and cleaned.",
        "ecology",
        "local",
        date(2023, 3, 5),
        [],
    ),
    (
        "Audit of road contracts",
        "I will demand a public audit of all road contracts since 2020.",
        "corruption",
        "national",
        date(2023, 2, 25),
        [("broken", date(2024, 6, 1), "The audit request never reached a vote.", "no_majority")],
    ),
    (
        "Free school meals for grades 1–4",
        "Children in grades 1 to 4 will get free school meals.",
        "education",
        "national",
        date(2023, 2, 28),
        [("kept", date(2024, 9, 2), "Free meals started in the 2024/25 school year.", None)],
    ),
    (
        "Gas to every village of the district",
        "Every village of the district will be connected to gas.",
        "housing",
        "local",
        date(2023, 3, 8),
        [
            (
                "broken",
                date(2024, 11, 1),
                "Gas supply is decided by the national operator, not the maslikhat.",
                "outside_powers",
            )
        ],
    ),
    (
        "Street lighting in Botakara",
        "Every street of Botakara will be lit.",
        "roads",
        "local",
        date(2023, 3, 10),
        [("kept", date(2024, 4, 20), "Lights were installed on all streets.", None)],
    ),
)


def _second_monitor(password: str) -> User:
    """A monitor of another organization: only they may resolve a dispute about the first one's rating."""
    user_service.create_account(None, SECOND_MONITOR_EMAIL, password, "Demo Monitor 2", locale="ru")
    return user_service.grant_role(
        None, SECOND_MONITOR_EMAIL, Role.MONITOR, organization=SECOND_ORGANIZATION
    )


def _demo_deputies() -> list[Deputy]:
    return list(
        db.session.scalars(
            sa.select(Deputy)
            .where(Deputy.is_demo.is_(True), Deputy.mandate_type == MandateType.SINGLE_MANDATE)
            .order_by(Deputy.body_id, Deputy.id)
            .limit(40)
        )
    )


def load_demo_promises(result) -> None:
    """Demo step: promises for demo deputies in every status, with one dispute and one correction."""
    service.ensure_default_topics()
    monitor = db.session.scalar(sa.select(User).where(User.email == result.accounts["monitor"][0]))
    password = secrets.token_urlsafe(12)
    other = _second_monitor(password)
    deputies = _demo_deputies()
    # Spread the promises: two for the first deputies, so a deputy page shows a real scorecard.
    targets = [
        deputies[0],
        deputies[0],
        deputies[0],
        deputies[1],
        deputies[1],
        deputies[2],
        deputies[3],
        deputies[4],
        deputies[-1],
        deputies[-1],
    ]
    promises = []
    for deputy, (title, statement, topic, level, made_on, steps) in zip(
        targets, DEMO_PROMISES, strict=False
    ):
        promise = service.record_promise(
            monitor,
            service.PromiseInput(
                deputy_id=deputy.id,
                title=title,
                statement=statement,
                made_on=made_on,
                source_url=f"https://example.org/demo/speeches/{made_on.isoformat()}",
                topic=topic,
                level=level,
                quotation=statement,
            ),
            confirm_distinct=True,
            is_demo=True,
        )
        for status, changed_on, explanation, reason in steps:
            service.change_status(
                monitor,
                promise.id,
                status=status,
                changed_on=changed_on,
                explanation=explanation,
                evidence=[f"https://example.org/demo/evidence/{promise.id}/{status}"],
                broken_reason=reason,
            )
        promises.append(promise)
    # A correction: the first rating of the tariff promise is replaced as wrong, by the other group.
    service.change_status(
        other,
        promises[2].id,
        status="broken",
        changed_on=date(2024, 1, 15),
        explanation="The vote record shows the deputy abstained and then voted for the rise; "
        "the reason was not a changed position but party discipline.",
        evidence=["https://example.org/demo/evidence/vote-record"],
        broken_reason="other",
        corrects=True,
    )
    # A wording revision (also in the corrections log).
    service.edit_promise(
        monitor,
        promises[4].id,
        title="New outpatient clinic in Saran",
        statement=promises[4].statement,
        reason="The source speaks of an outpatient clinic.",
    )
    # One open dispute, shown beside the rating.
    service.raise_dispute(
        other,
        promises[0].id,
        reason="The school opened with 450 places, not 600: a compromise, not kept.",
        evidence=["https://example.org/demo/evidence/school-capacity"],
    )
    result.accounts["monitor-2"] = (SECOND_MONITOR_EMAIL, password)
