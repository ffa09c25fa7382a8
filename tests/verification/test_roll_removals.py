"""A roll that lists people removed from it (issue 18: a deceased list): the optional column
``removal_reason`` is loaded hashed, never counted as voters; the checks reject a signature with a
deceased person's IIN as ``deceased`` (another removal: ``not_registered``); the per-collector report
counts the deceased lines; the export names the match."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from recall.extensions import db
from recall.i18n import format_day
from recall.models import District, ImportStatus, Signature, SignatureSource, VoterRollEntry
from recall.services.fraud import collectors
from recall.services.signing import counting
from recall.services.verification import checks, export, voter_roll
from tests import factories

HEADER = (*factories.ROLL_HEADER, "removal_reason")


def _people(n, year):
    return [(factories.iin(date(year + i, 2, 2)), f"Person {year + i}") for i in range(n)]


def _write(tmp_path, rows, name="roll.csv"):
    return str(factories.write_roll(tmp_path / name, rows, header=HEADER))


def test_cli_loads_removed_lines_apart_from_voters(world, runner, tmp_path):
    voters, dead, moved = _people(3, 1960), _people(2, 1930), _people(1, 1950)
    rows = [(i, n, 1, "Street", "") for i, n in voters]
    rows += [(i, n, 1, "Street", "Deceased") for i, n in dead]  # case is folded
    rows += [(i, n, 2, "Street", "moved") for i, n in moved]
    path = _write(tmp_path, rows)
    result = runner.invoke(
        args=[
            "voters",
            "import",
            path,
            "--body",
            world.body.slug,
            "--as-of",
            "2026-02-01",
            "--replace",
        ]
    )
    assert result.exit_code == 0, result.output
    assert f"Loaded 3 voters for {format_day(date(2026, 2, 1))}." in result.output
    assert "3 line(s) removed from the roll (2 deceased)" in result.output
    imp = db.session.scalars(sa.select(voter_roll.VoterRollImport)).one()
    assert (imp.status, imp.rows_loaded, imp.rows_removed, imp.rows_deceased) == (
        ImportStatus.ACTIVE,
        3,
        3,
        2,
    )
    reasons = sorted(
        db.session.scalars(sa.select(VoterRollEntry.removal_reason)), key=lambda r: r or ""
    )
    assert reasons == [None, None, None, "deceased", "deceased", "moved"]
    db.session.expire_all()
    # Only voters count: district 2 has just a moved person, so 0 voters.
    assert [
        (d.number, d.registered_voters)
        for d in db.session.scalars(
            sa.select(District).where(District.body_id == world.body.id).order_by(District.number)
        )
    ] == [(1, 3), (2, 0)]


def test_an_unknown_removal_reason_refuses_the_import_by_line(world, tmp_path):
    (voter,), (other,) = _people(1, 1960), _people(1, 1961)
    path = _write(tmp_path, [(*voter, 1, "Street", ""), (*other, 1, "Street", "emigrated")])
    result = voter_roll.import_file(None, world.body.id, date(2026, 2, 1), path)
    assert not result.accepted
    assert [(e.line, e.field) for e in result.errors] == [(3, "removal_reason")]
    assert "emigrated" in result.errors[0].reason
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VoterRollEntry)) == 0


def test_a_removed_minor_is_kept_and_a_file_of_removed_lines_only_has_no_voters(world, tmp_path):
    child = factories.iin(date(2015, 5, 5))
    path = _write(tmp_path, [(child, "Child", 1, "Street", "deceased")])
    result = voter_roll.import_file(None, world.body.id, date(2026, 2, 1), path)
    assert not result.accepted  # nobody on it is a voter
    assert [e.reason for e in result.errors] == ["The file has no voters."]


def test_checks_reject_the_deceased_and_the_collector_report_counts_them(world, tmp_path):
    voters, dead, moved = _people(4, 1960), _people(3, 1930), _people(1, 1950)
    rows = [(i, n, 1, "Street", "") for i, n in voters]
    rows += [(i, n, 1, "Street", "deceased") for i, n in dead]
    rows += [(i, n, 1, "Street", "other") for i, n in moved]
    result = voter_roll.import_file(
        None, world.body.id, date(2026, 2, 1), _write(tmp_path, rows), mode="replace"
    )
    assert result.accepted, result.errors
    for line, (iin, name) in enumerate(voters[:2] + dead + moved, start=1):
        factories.signature(
            world.petition,
            iin,
            name,
            source=SignatureSource.PAPER,
            sheet=1,
            line=line,
            email=None,
            paper_collector="Collector C.",
        )
    counting.recount(world.petition.id)
    outcome = checks.run_checks(world.commissioner, world.petition.id)
    db.session.commit()
    assert outcome.by_reason == {"deceased": 3, "not_registered": 1}
    by_name = dict(db.session.execute(sa.select(Signature.full_name, Signature.reason_code)).all())
    assert [by_name[n] for _i, n in dead] == ["deceased"] * 3
    assert counting.confirmed_count(world.petition.id) == 2

    (stats,) = collectors.collector_stats(world.commissioner, world.petition.id)
    assert (stats.lines, stats.invalid) == (6, 4)
    assert stats.by_reason == {"deceased": 3, "not_registered": 1}

    matches = {row[-3]: row[9] for row in export.export_signatures(None, world.petition.id)}
    assert sorted(matches.values()) == ["deceased"] * 3 + ["in_district"] * 2 + ["removed"]


def test_a_later_roll_listing_a_voter_as_deceased_judges_by_signing_day(world, tmp_path):
    """History: signed while on the roll (valid), the next roll lists them deceased; a signature
    dated after that roll is rejected, one dated before it stays valid."""
    (early,), (late,) = _people(1, 1940), _people(1, 1941)
    rows = [(*early, 1, "Street", ""), (*late, 1, "Street", "")]
    voter_roll.import_file(
        None, world.body.id, date(2026, 2, 1), _write(tmp_path, rows), mode="replace"
    )
    dead_rows = [(*early, 1, "Street", "deceased"), (*late, 1, "Street", "deceased")]
    dead_rows.append((*_people(1, 1970)[0], 1, "Street", ""))
    voter_roll.import_file(
        None,
        world.body.id,
        date(2026, 3, 15),
        _write(tmp_path, dead_rows, "r2.csv"),
        mode="replace",
    )
    factories.signature(world.petition, *early, at=checks_day(3, 5))
    factories.signature(world.petition, *late, at=checks_day(3, 20))
    counting.recount(world.petition.id)
    checks.run_checks(world.commissioner, world.petition.id)
    db.session.commit()
    verdicts = dict(db.session.execute(sa.select(Signature.full_name, Signature.reason_code)).all())
    assert verdicts == {early[1]: None, late[1]: "deceased"}


def checks_day(month, day):
    from datetime import UTC, datetime

    return datetime(2026, month, day, 9, 0, tzinfo=UTC)
