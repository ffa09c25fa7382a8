"""Voter roll import: good file, refused bad rows, --skip-invalid, atomic replacement, districts, COPY and SQLite."""

from __future__ import annotations

import csv
from datetime import date

import sqlalchemy as sa

from recall.extensions import db
from recall.i18n import format_day
from recall.models import (
    AuditEntry,
    District,
    ImportStatus,
    Petition,
    VoterRollEntry,
    VoterRollImport,
)
from recall.rules.iin import InvalidIIN, parse_iin
from recall.services.iin_hash import hash_iin
from recall.services.verification import roll_loader, roll_lookup, voter_roll
from tests import factories


def _entries(import_id=None):
    stmt = sa.select(sa.func.count()).select_from(VoterRollEntry)
    if import_id is not None:
        stmt = stmt.where(VoterRollEntry.import_id == import_id)
    return db.session.scalar(stmt)


def _import_cli(runner, path, body: str, *options: str, as_of: str = "2026-02-01"):
    """``flask voters import PATH --body BODY --as-of AS_OF OPTIONS...`` through ``runner``."""
    return runner.invoke(
        args=["voters", "import", str(path), "--body", body, "--as-of", as_of, *options]
    )


def _roll(n_first=3, n_second=2):
    """``n_first`` voters in district 1, then ``n_second`` in district 2."""
    return [
        factories.roll_entry(
            full_name=f"Voter {i}",
            district_number=1 if i < n_first else 2,
            address=f"Street {i}",
            born=date(1970 + i, 1, 1),
        )
        for i in range(n_first + n_second)
    ]


def test_cli_good_file(world, runner, tmp_path):
    rows = _roll()
    path = factories.write_roll(tmp_path / "roll.csv", rows)
    result = _import_cli(runner, path, world.body.slug)
    assert result.exit_code == 0, result.output
    assert f"Loaded 5 voters for {format_day(date(2026, 2, 1))}." in result.output
    imp = db.session.scalars(sa.select(VoterRollImport)).one()
    assert (imp.status, imp.is_active, imp.rows_loaded, imp.rows_skipped) == (
        ImportStatus.ACTIVE,
        True,
        5,
        0,
    )
    entry = db.session.scalars(
        sa.select(VoterRollEntry).where(VoterRollEntry.line_number == 2)
    ).one()
    iin = rows[0][0]
    assert (
        entry.iin_hash,
        entry.full_name,
        entry.district_number,
        entry.birth_date,
    ) == (hash_iin(iin), "Voter 0", 1, date(1970, 1, 1))
    # The IIN itself is stored nowhere.
    raw = db.session.execute(sa.text("SELECT * FROM voter_roll_entries")).all()
    assert not any(iin in str(row) for row in raw)
    # District numbers follow the roll; the petition keeps its frozen number.
    db.session.expire_all()
    assert [
        (d.number, d.registered_voters, d.voters_as_of)
        for d in db.session.scalars(
            sa.select(District).where(District.body_id == world.body.id).order_by(District.number)
        )
    ] == [(1, 3, date(2026, 2, 1)), (2, 2, date(2026, 2, 1))]
    assert db.session.get(Petition, world.petition.id).registered_voters == 10
    assert db.session.scalars(sa.select(AuditEntry.action)).all() == ["voter_roll.import"]


def test_bad_rows_refused_with_line_numbers(world, runner, tmp_path):
    rows = _roll()
    good_iin = rows[0][0]
    bad_checksum = good_iin[:11] + str((int(good_iin[11]) + 1) % 10)
    lines = [
        ",".join(map(str, rows[0])),
        f"{bad_checksum},Bad Sum,1,Street",
        f"{rows[1][0]},,1,Street",
        f"{rows[2][0]},Name,9,Street",
        f"{rows[3][0]},Name,one,Street",
        "too,few",
        f"{good_iin},Again,1,Street",
    ]
    path = factories.write_roll(tmp_path / "bad.csv", lines)
    result = _import_cli(runner, path, str(world.body.id))
    assert result.exit_code == 1
    out = result.output
    for expected in (
        "line 3: iin:",
        "line 4: full_name: The name is empty.",
        "line 5: district_number: The body has no district 9.",
        "line 6: district_number: Not a whole number.",
        "line 7: row: 2 column(s), expected 4.",
        "line 8: iin: The IIN repeats line 2.",
    ):
        assert expected in out, (expected, out, repr(result.exception))
    assert "Refused: 6 malformed row(s); nothing was loaded." in out
    imp = db.session.scalars(sa.select(VoterRollImport)).one()
    assert (imp.status, imp.is_active, _entries()) == (ImportStatus.FAILED, False, 0)
    assert [e["line"] for e in imp.errors] == [3, 4, 5, 6, 7, 8]
    db.session.expire_all()
    assert db.session.get(District, world.district.id).registered_voters == 100_000  # untouched


def test_skip_invalid_writes_report(world, runner, tmp_path):
    rows = _roll()
    lines = [",".join(map(str, r)) for r in rows] + [f"{rows[0][0][:11]}x,Bad,1,Street"]
    path = factories.write_roll(tmp_path / "mixed.csv", lines)
    report = tmp_path / "skipped.csv"
    result = _import_cli(runner, path, world.body.slug, "--skip-invalid", "--report", str(report))
    assert result.exit_code == 0, result.output
    assert "Loaded 5 voters" in result.output and "Skipped 1 malformed row(s)" in result.output
    with open(report, encoding="utf-8") as handle:
        assert list(csv.reader(handle)) == [
            ["line", "field", "reason"],
            ["7", "iin", "An IIN must be exactly 12 digits."],
        ]
    assert _entries() == 5


def test_unusable_file_refused(world, runner, tmp_path):
    path = tmp_path / "nohdr.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    result = _import_cli(runner, path, world.body.slug, "--skip-invalid")
    assert result.exit_code == 1
    assert (
        "the header lacks the column(s) iin, full_name, district_number/district_code, address"
        in result.output
    )
    bad_date = _import_cli(runner, path, world.body.slug, as_of="2026-13-01")
    assert bad_date.exit_code == 2 and "--as-of" in bad_date.output


def test_replacement_is_atomic(world, app, tmp_path):
    """Readers (another connection) see the whole old roll while the new one loads, then the whole new one."""
    old_rows = _roll(3, 2)
    first = voter_roll.import_file(
        None,
        world.body.id,
        date(2026, 2, 1),
        str(factories.write_roll(tmp_path / "a.csv", old_rows)),
    )
    db.session.commit()
    new_rows = _roll(4, 4)
    reader = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    seen = []

    def read_active():
        with reader.connect() as conn:
            seen.append(
                conn.execute(
                    sa.text(
                        "SELECT i.id, count(e.id) FROM voter_roll_imports i LEFT JOIN voter_roll_entries e "
                        "ON e.import_id = i.id WHERE i.body_id = :b AND i.is_active GROUP BY i.id"
                    ),
                    {"b": world.body.id},
                ).all()
            )

    def checkpoint():
        db.session.commit()
        read_active()

    second = voter_roll.import_file(
        None,
        world.body.id,
        date(2026, 2, 1),
        str(factories.write_roll(tmp_path / "b.csv", new_rows)),
        checkpoint=checkpoint,
        chunk_rows=3,
    )
    read_active()  # not committed yet: still the old roll
    db.session.commit()
    read_active()
    reader.dispose()
    old_id, new_id = first.roll_import.id, second.roll_import.id
    assert (
        seen[:-1] == [[(old_id, 5)]] * (len(seen) - 1) and len(seen) >= 4
    )  # several chunks, old roll whole
    assert seen[-1] == [(new_id, 8)]
    assert _entries(old_id) == 5  # kept as history; superseded (same date): never in force
    assert db.session.get(VoterRollImport, old_id).status == ImportStatus.REPLACED
    assert {p.import_id for p in roll_lookup.rolls_in_force(world.body.id)} == {new_id}
    assert roll_lookup.active_import_id(world.body.id) == new_id


def test_sqlite_path(sqlite_app, make, tmp_path):
    body = make.body()
    make.district(body, number=1)
    rows = [
        (factories.iin(date(1980, 1, 1)), "Один", 1, "Улица 1"),
        (factories.iin(date(1981, 1, 1)), "Два", 1, "Улица 2"),
    ]
    rows.append((rows[0][0], "Один снова", 1, "Улица 3"))  # a repeated IIN, skipped
    result = voter_roll.import_file(
        None,
        body.id,
        date(2026, 2, 1),
        str(factories.write_roll(tmp_path / "r.csv", rows)),
        chunk_rows=1,
        skip_invalid=True,
    )
    db.session.commit()
    assert (
        result.accepted
        and _entries() == 2
        and [str(e) for e in result.errors] == ["line 4: iin: The IIN repeats line 2."]
    )
    assert db.session.scalars(sa.select(District.registered_voters)).all() == [2]


def _copy_rows(import_id: int, rows: list[tuple]) -> None:
    """Entry tuples written through the importer's loader (COPY on PostgreSQL), in the session's
    transaction."""
    loader = roll_loader.Loader(import_id, use_copy=True)
    for row in rows:
        loader.add(row)
    loader.end_chunk()


def test_copy_path_on_postgresql(world, tmp_path):
    """On PostgreSQL chunks go through COPY on the session's own connection, inside its transaction."""
    assert (
        db.session.get_bind().dialect.name == "postgresql"
    )  # import_file takes the COPY branch here
    imp = voter_roll.create_import(None, world.body.id, date(2026, 2, 1))
    iin = factories.iin(date(1990, 5, 5))
    _copy_rows(imp.id, [(2, hash_iin(iin), "Copy Row", 1, "Street, 1", date(1990, 5, 5), None)])
    row = db.session.execute(
        sa.select(VoterRollEntry.full_name, VoterRollEntry.address).where(
            VoterRollEntry.import_id == imp.id
        )
    ).one()
    assert tuple(row) == ("Copy Row", "Street, 1")
    db.session.rollback()  # the COPY was part of the session's transaction
    assert _entries() == 0


def _bytes_roll(path, rows: list[str]) -> None:
    path.write_bytes(
        b"iin,full_name,district_number,address\n"
        + b"\n".join(r.encode("utf-8") for r in rows)
        + b"\n"
    )


def test_a_non_utf8_line_is_one_malformed_row(world, runner, tmp_path):
    """A stray Windows-1251/Latin-1 byte deep in the file names its own line; the rows after it still load.

    (Decoding is done in 8 KiB blocks: a strict decoder would fail lines before the bad one and drop
    the rest of the file.)
    """
    rows = [
        f"{factories.iin(date(1930 + i % 70, 1 + i % 12, 1))},Voter {i},1,Street {i}"
        for i in range(600)
    ]
    path = tmp_path / "mixed.csv"
    _bytes_roll(path, rows)
    content = path.read_bytes().replace(
        b"Voter 400,", b"V\xf6ter 400,"
    )  # line 402 (the header is line 1)
    path.write_bytes(content)
    refused = _import_cli(runner, path, world.body.slug)
    assert refused.exit_code == 1
    assert "line 402: row: Not UTF-8 text" in refused.output
    assert "Refused: 1 malformed row(s)" in refused.output
    report = tmp_path / "skipped.csv"
    loaded = _import_cli(
        runner,
        path,
        world.body.slug,
        "--skip-invalid",
        "--report",
        str(report),
        "--partial",  # district 1 of 2
    )
    assert loaded.exit_code == 0, loaded.output
    assert "Loaded 599 voters" in loaded.output
    with open(report, encoding="utf-8") as handle:
        assert [row[:2] for row in csv.reader(handle)] == [["line", "field"], ["402", "row"]]
    assert _entries(roll_lookup.active_import_id(world.body.id)) == 599


def test_a_non_utf8_header_refuses_even_with_skip_invalid(world, runner, tmp_path):
    path = tmp_path / "cp1251.csv"
    path.write_bytes(
        "iin,full_name,district_number,address,примечание\n".encode("cp1251") + b"1,2,3,4,5\n"
    )
    result = _import_cli(runner, path, world.body.slug, "--skip-invalid")
    assert result.exit_code == 1 and "The file is not UTF-8 text." in result.output
    assert _entries() == 0


def test_import_file_loads_through_copy_and_reports_progress(world, tmp_path):
    """On PostgreSQL the rows arrive by COPY: no INSERT into the entries table goes through SQLAlchemy.

    The progress callback adds up to the file's size (what the console bar and the page show).
    """
    rows = [
        (factories.iin(date(1930 + i % 70, 1 + i % 12, 1)), f"Voter {i}", 1 + i % 2, f"Street {i}")
        for i in range(1200)
    ]
    path = factories.write_roll(tmp_path / "roll.csv", rows)
    statements, progress = [], []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        result = voter_roll.import_file(
            None,
            world.body.id,
            date(2026, 2, 1),
            str(path),
            progress=progress.append,
            chunk_rows=500,
        )
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", seen)
    assert result.accepted and _entries(result.roll_import.id) == 1200
    assert not [s for s in statements if "INSERT INTO voter_roll_entries" in s]
    assert sum(progress) == path.stat().st_size
    assert result.roll_import.bytes_read == result.roll_import.bytes_total == path.stat().st_size


def test_console_progress_only_when_asked_outside_a_terminal(world, runner, tmp_path):
    """Quiet in scripts (tests/verification/test_progress.py runs it on a real terminal)."""
    path = factories.write_roll(tmp_path / "roll.csv", _roll())
    quiet = _import_cli(runner, path, world.body.slug)
    assert quiet.exit_code == 0 and "Loading voter roll" not in quiet.output
    shown = _import_cli(runner, path, world.body.slug, "--progress", as_of="2026-03-01")
    assert shown.exit_code == 0 and "Loading voter roll: 5 rows" in shown.output


def test_registration_freezes_the_roll_number(world, make, tmp_path):
    """Registering takes the district's number from the active roll; a later roll changes the district, not the petition."""
    from recall.models import PetitionState
    from recall.services.petitions.lifecycle import register_petition

    submitted = make.petition(
        make.deputy(world.district), initiator=world.commissioner, state=PetitionState.SUBMITTED
    )
    voter_roll.import_file(
        None,
        world.body.id,
        date(2026, 2, 1),
        str(factories.write_roll(tmp_path / "a.csv", _roll(4, 1))),
    )
    db.session.commit()
    register_petition(world.commissioner, submitted.id)
    db.session.commit()
    frozen = (
        db.session.get(Petition, submitted.id).registered_voters,
        db.session.get(Petition, submitted.id).required_signatures,
    )
    assert frozen[0] == 4 and frozen[1] > 0
    voter_roll.import_file(
        None,
        world.body.id,
        date(2026, 3, 1),
        str(factories.write_roll(tmp_path / "b.csv", _roll(7, 2))),
    )
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(District, world.district.id).registered_voters == 7
    petition = db.session.get(Petition, submitted.id)
    assert (petition.registered_voters, petition.required_signatures) == frozen


def test_skip_invalid_keeps_the_first_line_of_a_repeated_iin(world, tmp_path):
    rows = _roll(3, 1)
    twice, thrice = rows[0][0], rows[2][0]
    lines = [",".join(map(str, r)) for r in rows] + [
        f"{thrice},Third Again,1,Street",
        f"{twice},Twice,2,Street",
        f"{thrice},Third Thrice,1,Street",
    ]
    report = tmp_path / "skipped.csv"
    result = voter_roll.import_file(
        None,
        world.body.id,
        date(2026, 2, 1),
        str(factories.write_roll(tmp_path / "rep.csv", lines)),
        skip_invalid=True,
        report_path=str(report),
        chunk_rows=2,
    )
    db.session.commit()
    assert (result.accepted, result.rows_loaded, result.error_count) == (True, 4, 3)
    kept = db.session.execute(
        sa.select(VoterRollEntry.line_number, VoterRollEntry.full_name)
        .where(VoterRollEntry.import_id == result.roll_import.id)
        .order_by(VoterRollEntry.line_number)
    ).all()
    assert [tuple(k) for k in kept] == [
        (2, "Voter 0"),
        (3, "Voter 1"),
        (4, "Voter 2"),
        (5, "Voter 3"),
    ]
    with open(report, encoding="utf-8") as handle:
        assert list(csv.reader(handle))[1:] == [
            ["6", "iin", "The IIN repeats line 4."],
            ["7", "iin", "The IIN repeats line 2."],
            ["8", "iin", "The IIN repeats line 4."],
        ]
    assert db.session.get(VoterRollImport, result.roll_import.id).rows_loaded == 4


def test_two_imports_finishing_together_both_succeed(world, app, tmp_path):
    """A second import activating while the first has not committed waits for it, then replaces it."""
    import threading
    import time

    first_path = factories.write_roll(tmp_path / "first.csv", _roll(2, 1))
    second_path = factories.write_roll(tmp_path / "second.csv", _roll(1, 3))
    first = voter_roll.import_file(
        None, world.body.id, date(2026, 2, 1), str(first_path)
    )  # active, not committed
    outcome = []

    def second_import():
        try:
            with app.app_context():
                result = voter_roll.import_file(
                    None, world.body.id, date(2026, 2, 2), str(second_path)
                )
                db.session.commit()
                outcome.append(result.roll_import.id)
                db.session.remove()
        except Exception as exc:  # pragma: no cover - reported below
            outcome.append(exc)

    thread = threading.Thread(target=second_import)
    thread.start()
    time.sleep(0.5)  # the second import reaches the activation and waits for this transaction
    db.session.commit()
    thread.join()
    assert len(outcome) == 1 and isinstance(outcome[0], int), outcome
    db.session.expire_all()
    assert roll_lookup.active_import_id(world.body.id) == outcome[0]
    assert db.session.get(VoterRollImport, first.roll_import.id).status == ImportStatus.REPLACED
    assert _entries(first.roll_import.id) == 3 and _entries(outcome[0]) == 4  # history kept


def test_iin_errors_are_those_of_parse_iin_whatever_was_seen_before(world, tmp_path):
    """The import checks IINs inline and remembers valid birth dates; a bad IIN still gets the
    reference's message (``parse_iin``), also when a valid one with the same birth date came first."""
    good = factories.iin(date(1980, 3, 4))
    bad_checksum = good[:11] + str((int(good[11]) + 1) % 10)
    # 801231 with century digit 7 (none), 800231 (no 31 Feb), born after the as-of date, full-width
    # digits (not ASCII), 11 digits: each fails a different check of parse_iin.
    no_century = "8012317" + good[7:]
    no_day = "8002313" + good[7:]
    future = factories.iin(date(2026, 5, 1))
    wide = "".join(chr(ord(c) + 0xFEE0) for c in good)
    samples = [bad_checksum, no_century, no_day, future, wide, good[:11]]
    lines = [f"{good},First,1,Street"] + [f"{s},Name {i},1,Street" for i, s in enumerate(samples)]
    path = factories.write_roll(tmp_path / "iins.csv", lines)
    result = voter_roll.import_file(None, world.body.id, date(2026, 2, 1), str(path))
    expected = []
    for line, value in enumerate(samples, start=3):
        try:
            parse_iin(value, today=date(2026, 2, 1))
        except InvalidIIN as exc:
            expected.append((line, "iin", exc.message))
    assert len(expected) == len(samples)  # every sample is bad
    assert [(e.line, e.field, e.reason) for e in result.errors] == expected
    assert not result.accepted and _entries() == 0


def test_names_and_addresses_survive_copy_text_format(world, tmp_path):
    """COPY's text format escapes: a backslash, ``\\N`` (its NULL marker), a tab or an odd space
    in a quoted cell arrive as the file had them (whitespace collapsed to one space)."""
    iins = [factories.iin(date(1970, 1, 1 + i)) for i in range(3)]
    lines = [
        f'{iins[0]},"A\\B\tC",1,"\\N"',
        f'{iins[1]},"Ann\u00a0 Lee\\\\",1," Street\u2003 5 ,\\t"',
        f"{iins[2]},Омар Ж.,2,\\.",
    ]
    path = factories.write_roll(tmp_path / "esc.csv", lines)
    result = voter_roll.import_file(None, world.body.id, date(2026, 2, 1), str(path))
    assert result.accepted, result.summary()
    stored = db.session.execute(
        sa.select(VoterRollEntry.full_name, VoterRollEntry.address).order_by(
            VoterRollEntry.line_number
        )
    ).all()
    assert [tuple(r) for r in stored] == [
        ("A\\B C", "\\N"),
        ("Ann Lee\\\\", "Street 5 ,\\t"),
        ("Омар Ж.", "\\."),
    ]


def test_a_chunk_is_streamed_in_batches_through_one_copy(world, tmp_path):
    """More rows than one COPY batch in a chunk, and more chunks: every row lands once, with its
    line, hash and birth date."""
    rows = [
        (factories.iin(date(1950 + i % 50, 1 + i % 12, 1 + i % 28)), f"V {i}", 1 + i % 2, f"S {i}")
        for i in range(roll_loader.Loader.BATCH_ROWS * 2 + 300)
    ]
    path = factories.write_roll(tmp_path / "many.csv", rows)
    result = voter_roll.import_file(
        None,
        world.body.id,
        date(2026, 2, 1),
        str(path),
        chunk_rows=roll_loader.Loader.BATCH_ROWS * 2 + 100,
    )
    assert result.accepted and result.rows_loaded == len(rows)
    got = db.session.execute(
        sa.select(VoterRollEntry.line_number, VoterRollEntry.iin_hash, VoterRollEntry.birth_date)
        .where(VoterRollEntry.import_id == result.roll_import.id)
        .order_by(VoterRollEntry.line_number)
    ).all()
    assert [tuple(g) for g in got] == [
        (i + 2, hash_iin(r[0]), date(1950 + i % 50, 1 + i % 12, 1 + i % 28))
        for i, r in enumerate(rows)
    ]


def test_the_import_hashes_iins_as_hash_iin_does_for_any_key(app):
    """The import's hasher (HMAC from prepared SHA-256 states) gives ``hash_iin``'s output for
    short keys, 64-byte keys and keys longer than a SHA-256 block (hashed first by HMAC)."""
    from recall.services.iin_hash import iin_hasher

    iins = [factories.iin(date(1950 + i, 1 + i % 12, 1 + i)) for i in range(20)]
    original = app.config["IIN_HASH_KEY"]
    try:
        for key in ("k", "x" * 63, "y" * 64, "z" * 65, "ключ" * 40):
            app.config["IIN_HASH_KEY"] = key
            fast = iin_hasher()
            assert [fast(i) for i in iins] == [hash_iin(i) for i in iins], key
    finally:
        app.config["IIN_HASH_KEY"] = original


def test_repeats_found_among_candidates_are_those_of_grouping_the_import(world):
    """The import probes the hashes its pass saw twice (SeenHashes); grouping every row of the
    import (when there were too many candidates) finds the same lines and first lines."""
    imp = voter_roll.create_import(None, world.body.id, date(2026, 2, 1))
    iins = [factories.iin(date(1990, 5, 5)) for _ in range(4)]
    order = [0, 1, 0, 2, 1, 0, 3]  # lines 2..8
    _copy_rows(
        imp.id,
        [
            (line, hash_iin(iins[k]), "Row", 1, "Street", date(1990, 5, 5), None)
            for line, k in enumerate(order, start=2)
        ],
    )
    grouped = [str(e) for e in voter_roll._repeated_iins(imp.id)]
    probed = voter_roll._repeated_iins(imp.id, {hash_iin(iins[0]), hash_iin(iins[1])})
    assert (
        [str(e) for e in probed]
        == grouped
        == [
            "line 4: iin: The IIN repeats line 2.",
            "line 6: iin: The IIN repeats line 3.",
            "line 7: iin: The IIN repeats line 2.",
        ]
    )
