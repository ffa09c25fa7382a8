"""Demo data shaped like Kazakhstan after the March 2023 elections.

Every deputy here is fictional and marked ``is_demo``; the structure (29 single-mandate Mazhilis
districts by region, 69 list seats by party, a half-list oblast maslikhat, an all-district
district maslikhat) follows ``shared/DOMAIN.md``. Voter numbers are plausible, not official.
Other areas (promises, petitions) add their demo data through ``_area_steps``.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from recall.demo import names as demo_names
from recall.demo.accounts import DEMO_EMAIL_DOMAIN
from recall.demo.localities import load_demo_localities
from recall.errors import Conflict
from recall.extensions import db
from recall.models import (
    Body,
    BodyKind,
    BodyLevel,
    Deputy,
    District,
    MandateType,
    Party,
    Petition,
    Role,
    User,
)
from recall.services.accounts import users as user_service
from recall.services.deputies.body_kinds import get_kind
from recall.services.names import ensure_region
from recall.services.reference_data import ensure_reference_data

MAZHILIS_TERM = (date(2023, 3, 29), date(2028, 3, 28))
MASLIKHAT_TERM = (date(2023, 4, 3), date(2028, 4, 2))
VOTERS_AS_OF = date(2023, 3, 19)

# Region, number of single-mandate Mazhilis districts, rough registered voters per district.
MAZHILIS_DISTRICTS: tuple[tuple[str, int, int], ...] = (
    ("Almaty", 3, 480_000),
    ("Turkestan Region", 3, 420_000),
    ("Astana", 2, 420_000),
    ("Shymkent", 2, 400_000),
    ("Almaty Region", 2, 450_000),
    ("Jambyl Region", 2, 360_000),
    ("Karaganda Region", 2, 400_000),
    ("Abai Region", 1, 430_000),
    ("Akmola Region", 1, 520_000),
    ("Aktobe Region", 1, 590_000),
    ("Atyrau Region", 1, 420_000),
    ("East Kazakhstan Region", 1, 520_000),
    ("Jetisu Region", 1, 460_000),
    ("Kostanay Region", 1, 590_000),
    ("Kyzylorda Region", 1, 500_000),
    ("Mangystau Region", 1, 470_000),
    ("Pavlodar Region", 1, 520_000),
    ("North Kazakhstan Region", 1, 400_000),
    ("Ulytau Region", 1, 150_000),
    ("West Kazakhstan Region", 1, 460_000),
)
# Party-list seats won in 2023 (69 in all).
MAZHILIS_LIST_SEATS: tuple[tuple[str, str, int], ...] = (
    ("Amanat", "AMANAT", 40),
    ("Auyl People's Democratic Patriotic Party", "Auyl", 8),
    ("Respublica", "Respublica", 6),
    ("Ak Zhol Democratic Party", "Ak Zhol", 6),
    ("People's Party of Kazakhstan", "QHP", 6),
    ("National Social Democratic Party", "JSDP", 3),
)
DemoStep = Callable[["DemoResult"], None]


@dataclass
class DemoResult:
    accounts: dict[str, tuple[str, str]] = field(default_factory=dict)  # role -> (email, password)
    mazhilis: Body | None = None
    oblast: Body | None = None
    district_maslikhat: Body | None = None
    rng: random.Random = field(default_factory=lambda: random.Random(2023))
    petitions: dict[str, Petition] = field(
        default_factory=dict
    )  # "collecting", "gathering", "closed"
    appeals: dict = field(default_factory=dict)  # state name -> Appeal (recall/demo/appeals.py)


def database_is_empty() -> bool:
    """True when there are no bodies and no users: demo data may be loaded."""
    return (
        db.session.scalar(sa.select(sa.func.count()).select_from(Body)) == 0
        and db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0
    )


def _add_deputy(
    result: DemoResult,
    body: Body,
    term,
    mandate: MandateType,
    district: District | None,
    party: Party | None,
    external_id: str,
) -> Deputy:
    # Names from a generator seeded by the id: a deputy keeps their name whatever is loaded first.
    names = demo_names.person_names(random.Random(external_id))
    deputy = Deputy(
        external_id=external_id,
        full_name=names["en"],
        names=names,
        body=body,
        mandate_type=mandate,
        district=district,
        party=party,
        term_start=term[0],
        term_end=term[1],
        is_demo=True,
    )
    db.session.add(deputy)
    return deputy


def _load_parties() -> list[tuple[Party, int]]:
    parties = []
    for name, short, seats in MAZHILIS_LIST_SEATS:
        party = Party(name=name, short_name=short, names=demo_names.party_names(name))
        db.session.add(party)
        parties.append((party, seats))
    return parties


def _load_mazhilis(result: DemoResult, parties: list[tuple[Party, int]]) -> None:
    body = Body(
        slug="mazhilis",
        name="Mazhilis of the Parliament",
        names=demo_names.body_names("mazhilis"),
        kind=get_kind(BodyLevel.MAZHILIS),
        seats_total=98,
        seats_party_list=69,
        is_demo=True,
    )
    db.session.add(body)
    number = 0
    for region, count, voters in MAZHILIS_DISTRICTS:
        for index in range(count):
            number += 1
            district = District(
                body=body,
                number=number,
                region=region,
                name=f"Single-mandate territorial district No. {number} ({region}{', ' + str(index + 1) if count > 1 else ''})",
                names=demo_names.mazhilis_district_names(
                    number, region, index + 1 if count > 1 else None
                ),
                registered_voters=voters + result.rng.randint(-40_000, 40_000),
                voters_as_of=VOTERS_AS_OF,
            )
            db.session.add(district)
            party = result.rng.choice([p for p, _ in parties] + [None])
            _add_deputy(
                result,
                body,
                MAZHILIS_TERM,
                MandateType.SINGLE_MANDATE,
                district,
                party,
                f"demo-mazhilis-{number}",
            )
    serial = 0
    for party, seats in parties:
        for _ in range(seats):
            serial += 1
            _add_deputy(
                result,
                body,
                MAZHILIS_TERM,
                MandateType.PARTY_LIST,
                None,
                party,
                f"demo-mazhilis-list-{serial}",
            )
    result.mazhilis = body


def _load_maslikhat(
    result: DemoResult,
    slug: str,
    name: str,
    kind: BodyLevel,
    region: str,
    district_names: list[str],
    list_seats: int,
    voters: int,
    parties: list[tuple[Party, int]],
) -> Body:
    body = Body(
        slug=slug,
        name=name,
        names=demo_names.body_names(slug),
        kind=get_kind(kind),
        region=region,
        seats_total=len(district_names) + list_seats,
        seats_party_list=list_seats,
        is_demo=True,
    )
    db.session.add(body)
    for number, district_name in enumerate(district_names, start=1):
        district = District(
            body=body,
            number=number,
            region=region,
            name=district_name,
            names=demo_names.maslikhat_district_names(slug, number, district_name),
            registered_voters=voters + result.rng.randint(-voters // 5, voters // 5),
            voters_as_of=VOTERS_AS_OF,
        )
        db.session.add(district)
        party = result.rng.choice([p for p, _ in parties] + [None, None])
        _add_deputy(
            result,
            body,
            MASLIKHAT_TERM,
            MandateType.SINGLE_MANDATE,
            district,
            party,
            f"demo-{slug}-{number}",
        )
    big_parties = [p for p, seats in parties if seats >= 6]
    for serial in range(1, list_seats + 1):
        _add_deputy(
            result,
            body,
            MASLIKHAT_TERM,
            MandateType.PARTY_LIST,
            None,
            big_parties[serial % len(big_parties)],
            f"demo-{slug}-list-{serial}",
        )
    return body


def _create_account(result: DemoResult, role: Role, name: str, **grant) -> None:
    email = f"{role.value}@{DEMO_EMAIL_DOMAIN}"
    password = secrets.token_urlsafe(12)
    user_service.create_account(None, email, password, name, locale="ru")
    user_service.grant_role(None, email, role, **grant)
    result.accounts[role.value] = (email, password)


def deputy_with_account() -> Deputy:
    """The demo deputy who answers appeals through an account: the Mazhilis' last district's."""
    return db.session.scalar(
        sa.select(Deputy)
        .join(Deputy.body)
        .join(Body.kind)
        .where(
            BodyKind.code == BodyLevel.MAZHILIS, Deputy.mandate_type == MandateType.SINGLE_MANDATE
        )
        .order_by(Deputy.district_id.desc())
        .limit(1)
    )


def _area_steps() -> list[DemoStep]:
    """Demo steps of the other areas, in dependency order; each area adds one line here."""
    steps: list[DemoStep] = []
    from recall.demo.promises import load_demo_promises

    steps.append(
        load_demo_promises
    )  # promises: every status, histories, a dispute and a correction
    from recall.demo.petitions import demo_step as petitions_step

    steps.append(petitions_step)  # petitions: presets and a petition in each early stage
    from recall.demo.signing import demo_step as signing_step

    steps.append(
        signing_step
    )  # signing: confirmed and pending signatures, paper ones on the closed petition
    from recall.demo.verification import demo_step as verification_step

    steps.append(
        verification_step
    )  # verification: a small active voter roll of the demo petitions' signers
    from recall.demo.appeals import demo_step as appeals_step

    steps.append(appeals_step)  # appeals: every state, one answered by the deputy account
    return steps


def load_demo() -> DemoResult:
    """Fill an empty database with demo data; raises ``Conflict`` if it holds data already.

    Flushes; the caller commits. Passwords of the demo accounts are returned, never stored in clear.
    """
    if not database_is_empty():
        raise Conflict(
            "The database is not empty; demo data is only loaded into an empty database."
        )
    ensure_reference_data()  # presets, topics, reason codes, notification rules: the demo uses them all
    result = DemoResult()
    for region in demo_names.REGIONS:
        ensure_region(region, demo_names.region_names(region))
    parties = _load_parties()
    _load_mazhilis(result, parties)
    result.oblast = _load_maslikhat(
        result,
        "karaganda-oblast-maslikhat",
        "Karaganda Region Maslikhat",
        BodyLevel.OBLAST_MASLIKHAT,
        "Karaganda Region",
        [f"Karaganda Region maslikhat district No. {n}" for n in range(1, 17)],
        16,
        62_000,
        parties,
    )
    result.district_maslikhat = _load_maslikhat(
        result,
        "bukhar-zhyrau-district-maslikhat",
        "Bukhar-Zhyrau District Maslikhat",
        BodyLevel.DISTRICT_MASLIKHAT,
        "Karaganda Region",
        [f"Bukhar-Zhyrau district No. {n}" for n in range(1, 16)],
        0,
        3_600,
        parties,
    )
    db.session.flush()
    load_demo_localities()  # "Where do you live?": towns, villages and streets of every district
    _create_account(result, Role.CITIZEN, "Demo Citizen")
    _create_account(result, Role.MONITOR, "Demo Monitor", organization="Demo Watch (demo)")
    _create_account(result, Role.COMMISSIONER, "Demo Commissioner", body=result.mazhilis.slug)
    _create_account(result, Role.ADMIN, "Demo Admin")
    _create_account(result, Role.MODERATOR, "Demo Moderator")
    _create_account(result, Role.DEPUTY, "Demo Deputy", deputy=deputy_with_account().id)
    for step in _area_steps():
        step(result)
    db.session.flush()
    return result
