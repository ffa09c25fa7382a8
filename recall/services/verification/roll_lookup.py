"""The voter rolls as the rest of the app reads them: which import is in force for which
district on which day, a voter's entry on it, and a district's registered voters on a date.

Earlier imports keep their entries: a signature is judged against the roll in force on its
signing day (:func:`rolls_in_force`), an electorate is counted from the roll dated on or before
the day asked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from recall.extensions import db
from recall.models.base import utcnow
from recall.models.body import District
from recall.models.verification import VoterRollDistrict, VoterRollEntry, VoterRollImport


def active_import_id(body_id: int) -> int | None:
    """The id of the body's active roll, or None when none was loaded."""
    return db.session.scalar(
        sa.select(VoterRollImport.id).where(
            VoterRollImport.body_id == body_id, VoterRollImport.is_active
        )
    )


@dataclass(frozen=True)
class RollPeriod:
    """The import in force for one district from ``start`` (None: always before) to ``end`` (excl.)."""

    import_id: int
    district_number: int
    start: date | None
    end: date | None

    def covers(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)


def rolls_in_force(body_id: int) -> list[RollPeriod]:
    """For each district of the body, which import is in force over which days (small: imports x
    districts). An import is in force for a district from its as-of date until the next covering
    import's; the first covering import also before its date (the best evidence there is)."""
    rows = db.session.execute(
        sa.select(
            VoterRollDistrict.import_id, VoterRollDistrict.district_number, VoterRollDistrict.as_of
        )
        .where(VoterRollDistrict.body_id == body_id)
        .order_by(VoterRollDistrict.district_number, VoterRollDistrict.as_of)
    ).all()
    periods = []
    for i, (import_id, number, as_of) in enumerate(rows):
        first = i == 0 or rows[i - 1][1] != number
        last = i + 1 == len(rows) or rows[i + 1][1] != number
        periods.append(
            RollPeriod(
                import_id, number, None if first else as_of, None if last else rows[i + 1][2]
            )
        )
    return periods


def has_roll(body_id: int) -> bool:
    """True once an import of the body was accepted."""
    return (
        db.session.scalar(
            sa.select(VoterRollDistrict.id).where(VoterRollDistrict.body_id == body_id).limit(1)
        )
        is not None
    )


def find_roll_entry(body_id: int, iin_hash: str, day: date | None = None) -> VoterRollEntry | None:
    """The entry for a hashed IIN on the roll in force on ``day`` (None: today), for the review
    screen)."""
    return find_roll_entries(body_id, [iin_hash], day).get(iin_hash)


def find_roll_entries(
    body_id: int, iin_hashes, day: date | None = None
) -> dict[str, VoterRollEntry]:
    """The entries of hashed IINs on the roll in force on ``day`` (None: today), by hash, in one
    query (an initiative group's members). A hash on no roll in force is absent, and so is one
    the roll lists only as removed (``removal_reason``: deceased, moved...): not a voter."""
    day = day or utcnow().date()
    hashes = set(iin_hashes)
    periods = [p for p in rolls_in_force(body_id) if p.covers(day)]
    if not periods or not hashes:
        return {}
    in_force = {(p.import_id, p.district_number) for p in periods}
    candidates = db.session.scalars(
        sa.select(VoterRollEntry)
        .where(
            VoterRollEntry.import_id.in_({p.import_id for p in periods}),
            VoterRollEntry.iin_hash.in_(hashes),
            VoterRollEntry.removal_reason.is_(None),
        )
        .order_by(VoterRollEntry.id)
    ).all()
    found: dict[str, VoterRollEntry] = {}
    for entry in candidates:
        if (entry.import_id, entry.district_number) in in_force:
            found.setdefault(entry.iin_hash, entry)
    return found


def district_has_roll(body_id: int, district_number: int, day: date) -> bool:
    """True when some roll of the body covering the district (by its ``District.roll_key``) is in
    force on ``day``."""
    return any(
        p.district_number == district_number and p.covers(day) for p in rolls_in_force(body_id)
    )


def roll_district_label(roll_key: int) -> str:
    """How pages name the district a roll line is filed under (its ``District.roll_key``): the
    number, or the code of a district that has none."""
    if roll_key > 0:
        return str(roll_key)
    district = db.session.get(District, -roll_key)
    return district.code if district is not None else str(roll_key)


@dataclass(frozen=True)
class Electorate:
    """A district's registered voters on a date, and where the figure comes from."""

    voters: int
    as_of: date | None
    source: str  # "roll" (the roll in force) or "district" (the district's recorded figure)
    import_id: int | None = None


def electorate_on(district: District, day: date) -> Electorate:
    """The district's registered voters on ``day``: the count of the roll in force on that day
    (the latest covering import dated on or before it), else the district's recorded figure."""
    row = db.session.execute(
        sa.select(VoterRollDistrict.voters, VoterRollDistrict.as_of, VoterRollDistrict.import_id)
        .where(
            VoterRollDistrict.body_id == district.body_id,
            VoterRollDistrict.district_number == district.roll_key,
            VoterRollDistrict.as_of <= day,
            VoterRollDistrict.voters.is_not(None),
        )
        .order_by(VoterRollDistrict.as_of.desc())
        .limit(1)
    ).first()
    if row is not None:
        return Electorate(row.voters, row.as_of, "roll", row.import_id)
    return Electorate(district.registered_voters or 0, district.voters_as_of, "district")
