"""Fixtures for the commission's verification tests: a body with districts, a roll, a petition, signatures."""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from recall.extensions import db
from recall.models import (
    Petition,
    PetitionState,
    RecallRuleVersion,
    Role,
    Signature,
    SignatureSource,
    SignatureStatus,
)
from recall.rules.iin import make_iin
from recall.rules.recall_rules import PRESETS
from recall.services.iin_hash import hash_iin

OPENS = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
CLOSES = datetime(2026, 3, 31, 18, 0, tzinfo=UTC)
_serial = itertools.count(100)


def iin_for(born: date, sex: str = "female") -> str:
    """A valid, unique IIN for someone born on ``born``."""
    return make_iin(born, sex, next(_serial) % 10_000)


def write_roll(path: Path, rows, header=("iin", "full_name", "district_number", "address")) -> Path:
    """Write a roll CSV: rows are (iin, name, district number, address) tuples or raw strings."""
    lines = [",".join(header)]
    for row in rows:
        lines.append(row if isinstance(row, str) else ",".join(str(c) for c in row))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


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


def make_rule_version(key: str = "kz_mazhilis_single_mandate", **changes) -> RecallRuleVersion:
    data = PRESETS[key].to_dict()
    data.update(changes)
    version = RecallRuleVersion(
        key=f"{key}-{secrets.token_hex(3)}",
        version=1,
        name=data["name"],
        data=data,
        is_preset=False,
    )
    db.session.add(version)
    db.session.flush()
    return version


def make_petition(
    deputy, initiator, *, state=PetitionState.CLOSED, rule_version=None, required=3, registered=10
) -> Petition:
    rule_version = rule_version or make_rule_version()
    petition = Petition(
        deputy_id=deputy.id,
        district_id=deputy.district_id,
        body_id=deputy.body_id,
        rule_version_id=rule_version.id,
        state=state,
        grounds="Broken promises",
        initiator_id=initiator.id,
        opens_at=OPENS,
        closes_at=CLOSES,
        registered_voters=registered,
        required_signatures=required,
        confirmed_count=0,
        closed_at=CLOSES if state != PetitionState.COLLECTING else None,
    )
    db.session.add(petition)
    db.session.flush()
    return petition


def make_signature(
    petition,
    iin: str,
    name: str,
    *,
    status=SignatureStatus.CONFIRMED,
    at: datetime | None = None,
    source=SignatureSource.ONLINE,
    duplicate_of=None,
    email="signer@example.org",
    birth_date: date | None = None,
    sheet=None,
    line=None,
) -> Signature:
    from recall.rules.iin import parse_iin

    info = parse_iin(iin)
    at = at or OPENS + timedelta(days=1)
    if source == SignatureSource.PAPER:
        sheet = sheet or 1
        line = line or next(_serial)
    sig = Signature(
        petition_id=petition.id,
        iin_hash=hash_iin(iin),
        iin_last4=info.last4,
        birth_date=birth_date or info.birth_date,
        full_name=name,
        email=email,
        district_id=petition.district_id,
        source=source,
        paper_sheet=sheet,
        paper_line=line,
        status=status,
        confirmed_at=at if status == SignatureStatus.CONFIRMED else None,
        withdrawn_at=at + timedelta(hours=1) if status == SignatureStatus.WITHDRAWN else None,
        receipt_hash=secrets.token_hex(32),
        created_at=at,
        duplicate_of_id=duplicate_of.id if duplicate_of is not None else None,
    )
    db.session.add(sig)
    db.session.flush()
    if status == SignatureStatus.CONFIRMED:
        petition.confirmed_count += 1
    return sig


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
    petition = make_petition(deputy, initiator)
    db.session.commit()
    return World(body, district, other, deputy, petition, commissioner, commissioner2, outsider)


@pytest.fixture
def reviewed(world, tmp_path):
    """Checks run: one valid signature and one in review (name differs)."""
    from recall.services.signing import counting
    from recall.services.verification import checks as verification
    from recall.services.verification import voter_roll

    a, b = iin_for(date(1970, 1, 1)), iin_for(date(1971, 1, 1))
    path = write_roll(
        tmp_path / "roll.csv",
        [(a, "Aigerim Bekova", 1, "Street 1"), (b, "Marat Omarov", 1, "Street 2")],
    )
    assert voter_roll.import_file(None, world.body.id, date(2026, 2, 1), str(path)).accepted
    world.ok = make_signature(world.petition, a, "Aigerim Bekova")
    world.odd = make_signature(world.petition, b, "Marat Umarov")
    world.iins = (a, b)
    counting.recount(world.petition.id)
    verification.run_checks(world.commissioner, world.petition.id)
    db.session.commit()
    return world
