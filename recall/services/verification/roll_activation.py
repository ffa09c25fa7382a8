"""After a load: an import's voters per district, the preview a commissioner confirms (rows,
voters before and after per district), and activation, which puts the roll in force in one
transaction and moves the covered districts' registered-voter numbers."""

from __future__ import annotations

import sqlalchemy as sa

from recall.extensions import db
from recall.models.base import utcnow
from recall.models.body import Body, District
from recall.models.verification import (
    ImportStatus,
    VoterRollDistrict,
    VoterRollEntry,
    VoterRollImport,
)
from recall.services.verification.roll_lookup import electorate_on


def voters_per_district(import_id: int) -> dict[int, int]:
    """Voters (lines without a removal reason) per district."""
    return entry_counts(import_id)[0]


def entry_counts(import_id: int) -> tuple[dict[int, int], int, int]:
    """Voters per district, removed lines, deceased lines: one pass over the import's entries."""
    voters: dict[int, int] = {}
    removed = deceased = 0
    for number, reason, n in db.session.execute(
        sa.select(VoterRollEntry.district_number, VoterRollEntry.removal_reason, sa.func.count())
        .where(VoterRollEntry.import_id == import_id)
        .group_by(VoterRollEntry.district_number, VoterRollEntry.removal_reason)
    ):
        if reason is None:
            voters[number] = n
        else:
            removed += n
            deceased += n if reason == "deceased" else 0
    return voters, removed, deceased


def district_preview(imp: VoterRollImport, rows: dict[int, int] | None = None) -> list[dict]:
    """Per district of the body: rows in the file, registered voters before and after.

    ``after`` of a district the file lacks: kept (partial), 0 (replace), None (no mode yet).
    ``rows`` (district -> entries) when the caller has counted them already.
    """
    if rows is None:
        rows = voters_per_district(imp.id)
    preview = []
    for district in db.session.scalars(
        sa.select(District)
        .where(District.body_id == imp.body_id)
        .order_by(District.number.nulls_last(), District.code)
    ):
        before = district.registered_voters or 0
        n = rows.get(district.roll_key, 0)
        missing = {"partial": before, "replace": 0}.get(imp.mode)
        after = n if n else missing
        # The district as pages name it: its number, else its code.
        label = district.number if district.number is not None else district.code
        preview.append({"district": label, "rows": n, "before": before, "after": after})
    return preview


def activate(
    imp: VoterRollImport, *, recount: bool = True, rows: dict[int, int] | None = None
) -> None:
    """Record ``imp`` as accepted: its per-district counts, the body's latest import, and the
    covered districts' registered-voter numbers (one transaction). Earlier rolls stay.

    A full replace covers every district of the body (those without rows get 0 voters), a
    partial roll the districts in the file. Another import of a covered district on the same date
    is superseded (its count row goes; its entries stay as history). ``recount=False`` only for
    the demo's sample roll: its counts are not recorded and the districts keep their official
    numbers.
    """
    # One activation per body at a time: a second one waits here for the first to commit.
    db.session.get(Body, imp.body_id, with_for_update=True)
    if rows is None:
        rows = voters_per_district(imp.id)
    numbers = list(
        db.session.scalars(
            sa.select(District.roll_key)
            .where(District.body_id == imp.body_id)
            .order_by(District.roll_key)
        )
    )
    covered = [n for n in numbers if imp.mode != "partial" or n in rows]
    previous = db.session.scalar(
        sa.select(VoterRollImport)
        .where(VoterRollImport.body_id == imp.body_id, VoterRollImport.is_active)
        .with_for_update()
    )
    if previous is not None and previous.id != imp.id:
        previous.is_active = False
        if imp.mode != "partial":
            previous.status = ImportStatus.REPLACED
    db.session.flush()  # the one-active index: clear the old flag before setting the new
    db.session.execute(
        sa.delete(VoterRollDistrict)
        .where(
            VoterRollDistrict.body_id == imp.body_id,
            VoterRollDistrict.as_of == imp.as_of,
            VoterRollDistrict.district_number.in_(covered),
        )
        .execution_options(synchronize_session=False)
    )
    if covered:
        db.session.execute(
            sa.insert(VoterRollDistrict),
            [
                {
                    "import_id": imp.id,
                    "body_id": imp.body_id,
                    "district_number": n,
                    "as_of": imp.as_of,
                    "voters": rows.get(n, 0) if recount else None,
                }
                for n in covered
            ],
        )
    imp.status = ImportStatus.ACTIVE
    imp.is_active = True
    db.session.flush()
    if recount:
        _recount_districts(imp.body_id, covered)


def _recount_districts(body_id: int, numbers: list[int]) -> None:
    """Set each district whose roll key is in ``numbers`` to the count of its roll in force today
    (latest date)."""
    for district in db.session.scalars(
        sa.select(District).where(District.body_id == body_id, District.roll_key.in_(numbers))
    ):
        figure = electorate_on(district, utcnow().date())
        if figure.source == "roll":
            district.registered_voters, district.voters_as_of = figure.voters, figure.as_of
    db.session.flush()
