"""National scale: the benchmark data generator, and the query plans of the heavy verification queries."""

from __future__ import annotations

import importlib.util
import re
import sys
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from recall.extensions import db
from recall.rules.iin import parse_iin
from recall.services.signing import counting
from recall.services.verification import checks, export, review, voter_roll

ROOT = Path(__file__).resolve().parents[2]


def _generate():
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "benchmarks/generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_generator_is_reproducible_and_valid():
    gen = _generate()
    a = gen.Country(seed=5, voters=3000, minors=0.05)
    b = gen.Country(seed=5, voters=3000, minors=0.05)
    c = gen.Country(seed=6, voters=3000)
    voters = [a.voter(i) for i in range(3000)]
    assert voters == [b.voter(i) for i in range(3000)]
    assert [v.iin for v in voters] != [c.voter(i).iin for i in range(3000)]
    assert len({v.iin for v in voters}) == 3000
    for v in voters:
        assert parse_iin(v.iin).birth_date == v.birth_date
    assert 50 < sum(v.minor for v in voters) < 250
    assert 900 < sum(v.district_number == 1 for v in voters) < 1500  # home share 0.4
    # The importer leaves minors off the roll, so a minor of another district is not_registered:
    # the generator must never mean one as other_district (it did, 1% of them, at 1M voters).
    picked = a.pick_signers(300, gen.Mix(other_district=0.3))
    away = [v for kind, v in picked if kind == "other_district"]
    assert len(away) == 90 and not any(v.minor for v in away)


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_generated_signatures_get_the_intended_verdicts(backend, request, tmp_path):
    """Roll CSV through the importer, signatures straight into the database, then the checks."""
    request.getfixturevalue("app" if backend == "postgresql" else "sqlite_app")
    gen = _generate()
    country = gen.Country(seed=11, voters=600, minors=0.03)
    roll = tmp_path / "roll.csv"
    assert country.write_roll(roll, invalid_rows=3) == 603
    world = country.create_world()
    db.session.commit()
    result = voter_roll.import_file(
        None, world.body_id, date(2026, 2, 1), str(roll), skip_invalid=True
    )
    minors = sum(country.voter(i).minor for i in range(600))
    assert minors > 0 and len(result.minors) == result.roll_import.rows_minor == minors
    assert result.accepted and (result.rows_loaded, result.error_count) == (600 - minors, 3)
    expected = country.load_signatures(world, 200, gen.Mix())
    db.session.commit()
    run = checks.run_checks(None, world.petition_id)
    db.session.commit()
    review_reasons = {"name_mismatch"}
    assert run.by_reason == {k: n for k, n in expected.items() if k != "valid" and n}
    assert run.by_status == {
        "valid": expected["valid"],
        "review": sum(n for k, n in expected.items() if k in review_reasons),
        "invalid": sum(n for k, n in expected.items() if k not in review_reasons | {"valid"}),
    }
    assert expected["duplicate"] == 6 and "under_age" not in expected  # minors: not on the roll


# The roll is partitioned by import on PostgreSQL: a scan of any of its partitions counts.
_SCANNED = re.compile(r"Seq Scan on (signatures|voter_roll_entries(_\w+)?)\b")
_SIGNATURES = re.compile(r" on signatures\b")


def _per_row_signature_scans(plan: str) -> list[str]:
    """Correlated subplans (run once per outer row) that read signatures: the quadratic shape."""
    lines = plan.splitlines()
    found = []
    for n, line in enumerate(lines):
        head = line.strip()
        if not head.startswith("SubPlan"):
            continue
        depth = len(line) - len(line.lstrip())
        for inner in lines[n + 1 :]:
            if len(inner) - len(inner.lstrip()) <= depth:
                break
            if _SIGNATURES.search(inner):
                found.append(f"{head}: {inner.strip()}")
    return found


_HEAVY = re.compile(r"\b(signatures|voter_roll_entries)\b")


def _explain_each_statement(plans: list[tuple[str, str]]):
    """A listener that EXPLAINs (without running) every DML statement on signatures or the roll."""

    def explain(conn, cursor, statement, parameters, context, executemany):
        verb = statement.lstrip().split(None, 1)[0].upper()
        if executemany or verb not in {"SELECT", "INSERT", "UPDATE", "DELETE", "WITH"}:
            return
        if not _HEAVY.search(statement):
            return
        with conn.connection.dbapi_connection.cursor() as raw:
            raw.execute("EXPLAIN " + statement, parameters)
            plans.append((statement, "\n".join(row[0] for row in raw.fetchall())))

    return explain


def test_query_plans_use_indexes(app, make):
    """With tens of thousands of rows (and statistics), no heavy query reads a whole table.

    Four petitions share 40,000 signatures (the one checked has 2,000); three roll imports share
    60,000 entries. The checks' statements, the review queue and the export must reach signatures and the
    roll through indexes, and no statement may read signatures again for each signature (a
    correlated subplan over signatures is what made the checks quadratic, issue 17).
    """
    from recall.models import Body, Role, VoterRollDistrict, VoterRollImport
    from recall.models.verification import ImportStatus

    gen = _generate()
    worlds = [gen.Country(seed=s, districts=3).create_world(slug=f"plan-{s}") for s in range(4)]
    target = worlds[0]
    imports = []
    for world in worlds[:3]:
        imp = VoterRollImport(
            body_id=world.body_id,
            as_of=date(2026, 2, 1),
            status=ImportStatus.ACTIVE,
            is_active=True,
        )
        db.session.add(imp)
        db.session.flush()
        db.session.add_all(
            VoterRollDistrict(
                import_id=imp.id,
                body_id=world.body_id,
                district_number=n,
                as_of=imp.as_of,
                voters=20000 // 3,
            )
            for n in (1, 2, 3)
        )
        imports.append(imp.id)
    db.session.execute(
        sa.text(
            "INSERT INTO voter_roll_entries (import_id, line_number, iin_hash, full_name,"
            " district_number, address, birth_date)"
            " SELECT (ARRAY[:a, :b, :c])[1 + i % 3], i, md5(i::text), 'Voter ' || i,"
            " 1 + (i / 3) % 3, 'Street', date '1960-01-01' + i % 15000"
            " FROM generate_series(1, 60000) AS i"
        ),
        dict(zip("abc", imports, strict=True)),
    )
    others = [w.petition_id for w in worlds[1:]]
    db.session.execute(
        sa.text(
            "INSERT INTO signatures (petition_id, iin_hash, birth_date, full_name, email,"
            " district_id, source, status, receipt_hash, email_count, check_status, created_at,"
            " confirmed_at, confirm_nonce)"
            " SELECT CASE WHEN i <= 2000 THEN :target ELSE (ARRAY[:x, :y, :z])[1 + i % 3] END,"
            " md5((i * 3 + (i % 40 = 0)::int)::text), date '1960-01-01' + (i * 3) % 15000,"
            " 'Voter ' || (i * 3) || CASE WHEN i % 50 = 0 THEN ' Other' ELSE '' END, NULL,"
            " (SELECT district_id FROM petitions WHERE id = :target), 'online', 'confirmed',"
            " md5('receipt' || i), 1, 'unchecked', timestamptz '2026-03-02 10:00+00' + i * interval '1 s',"
            " timestamptz '2026-03-02 10:00+00' + i * interval '1 s', md5('nonce' || i)"
            " FROM generate_series(1, 40000) AS i"
        ),
        {"target": target.petition_id, **dict(zip("xyz", others, strict=True))},
    )
    commissioner = make.user(
        role=Role.COMMISSIONER, commission_body=db.session.get(Body, target.body_id)
    )
    counting.recount(target.petition_id)
    db.session.commit()
    for table in ("signatures", "voter_roll_entries", "misuse_reports", "voter_roll_imports"):
        db.session.execute(sa.text(f"ANALYZE {table}"))

    plans: list[tuple[str, str]] = []
    listener = _explain_each_statement(plans)
    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        result = checks.run_checks(commissioner, target.petition_id)
        queue = review.review_queue(commissioner, target.petition_id)
        # The export's query (COPY runs the same SELECT; here through the cursor, to be seen).
        exported = sum(1 for _row in export.export_signatures(commissioner, target.petition_id))
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
        db.session.rollback()
        # Emptied here in one go: the fixture's row-by-row DELETE is slow for this many rows.
        db.session.execute(sa.text("TRUNCATE signatures, voter_roll_entries CASCADE"))
        db.session.commit()
    assert result.checked == 2000 and result.by_status["review"] == len(queue) > 0
    assert result.by_reason.keys() >= {"not_registered", "other_district", "name_mismatch"}
    assert any("INSERT INTO verif_verdicts" in s for s, _p in plans)
    assert any("FROM signatures LEFT OUTER JOIN review_claims" in s for s, _p in plans)
    assert exported == 2000
    assert any("LEFT OUTER JOIN LATERAL" in s for s, _p in plans)  # the export (issue 10)
    scans = [(s.split("\n", 1)[0][:120], p) for s, p in plans if _SCANNED.search(p)]
    assert not scans, "\n\n".join(f"{s}\n{p}" for s, p in scans)
    per_row = [found for _s, p in plans for found in _per_row_signature_scans(p)]
    assert not per_row, per_row
