"""The voter roll over time (issue 10): rolls kept, judged by the roll in force on the signing day,
partial rolls with a preview, persons under 18 left out."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from recall.extensions import db
from recall.i18n import format_day
from recall.models import District, ImportStatus, Role, VoterRollEntry, VoterRollImport
from recall.models.signature import CheckStatus, Signature
from recall.services.signing import counting
from recall.services.verification import checks, export, roll_lookup
from tests import factories
from tests.verification.conftest import SIGNED_IN_MARCH

MARCH_10 = datetime(2026, 3, 10, 6, 0, tzinfo=UTC)
MARCH_20 = datetime(2026, 3, 20, 6, 0, tzinfo=UTC)


def _voters(body_id):
    return [
        (d.number, d.registered_voters, d.voters_as_of)
        for d in db.session.scalars(
            sa.select(District).where(District.body_id == body_id).order_by(District.number)
        )
    ]


@pytest.mark.parametrize("backend", ["app", "sqlite_app"])
def test_a_signature_is_judged_by_the_roll_in_force_on_its_signing_day(request, backend, tmp_path):
    """Two rolls: 1 February and 15 March. Voters who moved to district 2 on the second roll are
    valid when they signed before it, ``other_district`` after; voters added by it are
    ``not_registered`` before, valid after."""
    request.getfixturevalue(backend)
    body = factories.body()
    d1 = factories.district(body, number=1)
    factories.district(body, number=2)
    petition = factories.petition(
        factories.deputy(d1), initiator=factories.user(), **SIGNED_IN_MARCH
    )
    commissioner = factories.user(role=Role.COMMISSIONER, commission_body=body)
    moved_early, moved_late, added_early, added_late, stays = (
        factories.iin(date(1970 + i, 1, 1)) for i in range(5)
    )
    factories.load_roll(
        body,
        tmp_path / "feb.csv",
        [
            (moved_early, "Moved Early", 1, "A"),
            (moved_late, "Moved Late", 1, "A"),
            (stays, "Stays Put", 1, "A"),
        ],
        as_of=date(2026, 2, 1),
    )
    factories.load_roll(
        body,
        tmp_path / "mar.csv",
        [
            (moved_early, "Moved Early", 2, "B"),
            (moved_late, "Moved Late", 2, "B"),
            (added_early, "Added Early", 1, "A"),
            (added_late, "Added Late", 1, "A"),
            (stays, "Stays Put", 1, "A"),
        ],
        as_of=date(2026, 3, 15),
    )
    sigs = {
        "moved_early": factories.signature(petition, moved_early, "Moved Early", at=MARCH_10),
        "moved_late": factories.signature(petition, moved_late, "Moved Late", at=MARCH_20),
        "added_early": factories.signature(petition, added_early, "Added Early", at=MARCH_10),
        "added_late": factories.signature(petition, added_late, "Added Late", at=MARCH_20),
        "stays": factories.signature(petition, stays, "Stays Put", at=MARCH_20),
    }
    counting.recount(petition.id)
    db.session.commit()
    checks.run_checks(commissioner, petition.id)
    db.session.commit()
    db.session.expire_all()
    verdicts = {
        k: (
            db.session.get(Signature, s.id).check_status,
            db.session.get(Signature, s.id).reason_code,
        )
        for k, s in sigs.items()
    }
    assert verdicts == {
        "moved_early": (CheckStatus.VALID, None),
        "moved_late": (CheckStatus.INVALID, "other_district"),
        "added_early": (CheckStatus.INVALID, "not_registered"),
        "added_late": (CheckStatus.VALID, None),
        "stays": (CheckStatus.VALID, None),
    }
    # The export's roll_match reads the same roll as the checks: the one in force on the day.
    column = export.EXPORT_HEADER.index("roll_match")
    by_id = {row[0]: row[column] for row in export.export_signatures(commissioner, petition.id)}
    expected = {
        "moved_early": "in_district",
        "moved_late": "other_district",
        "added_early": "not_on_roll",
        "added_late": "in_district",
        "stays": "in_district",
    }
    assert {k: by_id[s.id] for k, s in sigs.items()} == expected
    lines = "".join(export.export_csv(commissioner, petition.id)).splitlines()[1:]
    by_line = {int(line.split(",")[0]): line.split(",")[column] for line in lines}
    assert {k: by_line[s.id] for k, s in sigs.items()} == expected
    # The earlier roll is still there; the electorate on a date is the count of its roll.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VoterRollEntry)) == 8
    district = db.session.get(District, d1.id)
    assert roll_lookup.electorate_on(district, date(2026, 3, 1)).voters == 3
    assert roll_lookup.electorate_on(district, date(2026, 3, 15)).voters == 3  # 1 stays + 2 added
    assert roll_lookup.electorate_on(district, date(2026, 1, 1)).source == "district"
    # The review screen reads the same roll.
    entry = roll_lookup.find_roll_entry(
        body.id, db.session.get(Signature, sigs["moved_early"].id).iin_hash, date(2026, 3, 10)
    )
    assert entry.district_number == 1


def test_a_roll_of_some_districts_is_refused_with_a_preview(world, runner, tmp_path):
    """A 25-row roll of district 1 must not set district 2's registered voters to 0 unasked."""
    full = [
        factories.roll_entry(district_number=1 + i % 2, born=date(1970, 1, 1)) for i in range(6)
    ]
    factories.load_roll(world.body, tmp_path / "full.csv", full, as_of=date(2026, 2, 1))
    db.session.commit()
    assert _voters(world.body.id) == [(1, 3, date(2026, 2, 1)), (2, 3, date(2026, 2, 1))]
    some = factories.write_roll(
        tmp_path / "some.csv", [factories.roll_entry(district_number=1) for _ in range(25)]
    )
    args = ["voters", "import", str(some), "--body", world.body.slug, "--as-of", "2026-03-01"]
    refused = runner.invoke(args=args)
    assert refused.exit_code == 1, refused.output
    assert "covers 1 of the body's 2 districts" in refused.output
    assert "--partial" in refused.output and "--replace" in refused.output
    # The preview: district, rows, voters before, after ("?" until a mode is chosen).
    assert "       1    25              3            25" in refused.output
    assert "       2     0              3             ?" in refused.output
    db.session.expire_all()
    assert _voters(world.body.id) == [(1, 3, date(2026, 2, 1)), (2, 3, date(2026, 2, 1))]
    failed = db.session.scalars(
        sa.select(VoterRollImport).order_by(VoterRollImport.id.desc())
    ).first()
    assert failed.status == ImportStatus.FAILED and failed.preview[1]["after"] is None
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(VoterRollEntry)
            .where(VoterRollEntry.import_id == failed.id)
        )
        == 0
    )

    partial = runner.invoke(args=[*args, "--partial"])
    assert partial.exit_code == 0, partial.output
    assert "Partial roll: 1 district(s) updated" in partial.output
    assert "       2     0              3             3" in partial.output
    db.session.expire_all()
    assert _voters(world.body.id) == [(1, 25, date(2026, 3, 1)), (2, 3, date(2026, 2, 1))]
    # District 2's roll in force is still February's: its voters stay registered.
    periods = {(p.district_number, p.start) for p in roll_lookup.rolls_in_force(world.body.id)}
    assert periods == {(1, None), (1, date(2026, 3, 1)), (2, None)}

    replace = runner.invoke(args=[*args, "--replace"])
    assert replace.exit_code == 0, replace.output
    db.session.expire_all()
    assert _voters(world.body.id) == [(1, 25, date(2026, 3, 1)), (2, 0, date(2026, 3, 1))]


def test_persons_under_18_on_the_roll_date_are_left_out_and_listed(world, runner, tmp_path):
    """A 10-year-old and someone turning 18 the day after the roll date are not voters; someone
    turning 18 on it is."""
    rows = [
        factories.roll_entry(district_number=1, born=date(1970, 1, 1)),
        factories.roll_entry(district_number=1, born=date(2016, 5, 5)),  # line 3: ten years old
        factories.roll_entry(district_number=2, born=date(2008, 2, 1)),  # 18 on the roll date
        factories.roll_entry(district_number=2, born=date(2008, 2, 2)),  # line 5: 18 tomorrow
    ]
    path = factories.write_roll(tmp_path / "roll.csv", rows)
    result = runner.invoke(
        args=["voters", "import", str(path), "--body", world.body.slug, "--as-of", "2026-02-01"]
    )
    assert result.exit_code == 0, result.output
    assert "Loaded 2 voters" in result.output
    assert f"Left out 2 person(s) under 18 on {format_day(date(2026, 2, 1))}" in result.output
    assert f"line 3: birth_date: Under 18 on {format_day(date(2026, 2, 1))}" in result.output
    assert f"line 5: birth_date: Under 18 on {format_day(date(2026, 2, 1))}" in result.output
    db.session.expire_all()
    imp = db.session.scalars(sa.select(VoterRollImport)).one()
    assert (imp.status, imp.rows_loaded, imp.rows_minor, imp.rows_skipped) == (
        ImportStatus.ACTIVE,
        2,
        2,
        0,
    )
    assert [e["line"] for e in imp.errors] == [3, 5]
    assert _voters(world.body.id) == [(1, 1, date(2026, 2, 1)), (2, 1, date(2026, 2, 1))]
    assert sorted(db.session.scalars(sa.select(VoterRollEntry.line_number))) == [2, 4]


def test_upload_page_shows_the_preview_and_asks_for_a_mode(client, login, world, tmp_path):
    import io

    content = factories.write_roll(
        tmp_path / "up.csv", [factories.roll_entry(district_number=2) for _ in range(3)]
    ).read_bytes()
    login(world.commissioner)
    response = client.post(
        "/commission/roll",
        data={"as_of": "2026-02-01", "file": (io.BytesIO(content), "up.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    assert "What changes per district" in page.text and "0 if replaced" in page.text
    assert 'name="mode"' in page.text  # the file lacks district 1: the confirmation asks
    assert roll_lookup.active_import_id(world.body.id) is None
    confirm = response.headers["Location"] + "/confirm"
    unchosen = client.post(confirm)
    assert unchosen.status_code == 422 and "Choose what happens to the districts" in unchosen.text
    assert roll_lookup.active_import_id(world.body.id) is None
    page = client.post(confirm, data={"mode": "partial"}, follow_redirects=True)
    assert "3 voters loaded" in page.text and "partial roll" in page.text
    assert roll_lookup.active_import_id(world.body.id) is not None
