"""Automatic checks at national scale: ``run_checks`` against one hand-written SQL join.

    .venv/bin/python benchmarks/checks.py [SIGNATURES [VOTERS]] [--rounds R]
    BENCH_SIGNATURES=20000 BENCH_VOTERS=200000 .venv/bin/python benchmarks/checks.py   # quick run

Defaults: 100,000 signatures against a 1,000,000-voter roll. A fresh PostgreSQL database
(``recall_bench_checks_<pid>`` on ``BENCH_PG``) gets a synthetic country from
``benchmarks/generate.py`` (seed ``BENCH_SEED``, default 17): 29 districts, the petition's district
holding 40% of the roll, 1% minors; the roll goes through the real importer
(``voter_roll.import_file``), the signatures straight into the table (valid, other district, not
registered, duplicates half of them signed earlier on paper, under age, another name).

Each round times, a few seconds apart and in alternating order:

* **checks**: ``recall.services.verification.checks.run_checks`` and its commit;
* **baseline**: one hand-written ``UPDATE signatures ... FROM (SELECT ... window function ...
  LEFT JOIN voter_roll_entries ...)`` that classifies and writes the same verdicts, knowing what
  the generated data allows it to ignore (no manual decisions, no misuse reports, one roll row
  per voter, no withdrawals).

Before each timed run the verdicts are reset and the table vacuumed, so both write the same rows
into the same table. After both, the verdicts (status, reason, duplicate link) are compared row
for row, and against the verdicts the generator intended. Prints a Markdown table row per round
with the ratio checks / baseline (target: at most 3).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import sqlalchemy as sa  # noqa: E402

PG = os.environ.get("BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")

BASELINE = r"""
UPDATE signatures AS s
SET check_status = v.check_status, reason_code = v.reason, checked_at = now(),
    duplicate_of_id = v.dup
FROM (
  SELECT c.id, c.reason,
         CASE WHEN c.reason IS NULL THEN 'valid'
              WHEN c.reason = 'name_mismatch' THEN 'review' ELSE 'invalid' END AS check_status,
         CASE WHEN c.kept = c.id THEN NULL ELSE c.kept END AS dup
  FROM (
    SELECT b.id, b.kept,
      CASE
        WHEN b.created_at < :opens OR b.created_at > :closes THEN 'signed_outside_period'
        WHEN b.kept <> b.id THEN 'duplicate'
        WHEN e.id IS NULL THEN 'not_registered'
        WHEN e.district_number <> :district THEN 'other_district'
        WHEN to_char(coalesce(b.birth_date, e.birth_date), 'YYYYMMDD')::int + 180000
             > to_char(timezone(:zone, b.created_at), 'YYYYMMDD')::int THEN 'under_age'
        WHEN regexp_replace(translate(lower(btrim(e.full_name)), 'ё', 'е'), '\s+', ' ', 'g')
             <> regexp_replace(translate(lower(btrim(b.full_name)), 'ё', 'е'), '\s+', ' ', 'g')
             THEN 'name_mismatch'
      END AS reason
    FROM (
      SELECT id, created_at, birth_date, full_name, iin_hash,
             first_value(id) OVER (PARTITION BY iin_hash ORDER BY created_at, id) AS kept
      FROM signatures WHERE petition_id = :petition AND status = 'confirmed'
    ) b
    LEFT JOIN voter_roll_entries e ON e.import_id = :import AND e.iin_hash = b.iin_hash
  ) c
) v
WHERE s.id = v.id
"""


def _admin(sql: str) -> None:
    engine = sa.create_engine(f"{PG}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(sql))
    engine.dispose()


def _vacuum(db, *tables: str) -> None:
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in tables:
            conn.execute(sa.text(f"VACUUM ANALYZE {table}"))


def _reset(db, petition_id: int) -> None:
    db.session.execute(
        sa.text(
            "UPDATE signatures SET check_status = 'unchecked', reason_code = NULL,"
            " checked_at = NULL WHERE petition_id = :p"
        ),
        {"p": petition_id},
    )
    db.session.commit()
    _vacuum(db, "signatures")


def _verdicts(db, petition_id: int) -> dict[int, tuple]:
    return {
        row[0]: tuple(row[1:])
        for row in db.session.execute(
            sa.text(
                "SELECT id, check_status, reason_code, duplicate_of_id FROM signatures"
                " WHERE petition_id = :p"
            ),
            {"p": petition_id},
        )
    }


EXPORT_COPY = """
COPY (
  SELECT s.id, s.created_at, s.source, s.paper_sheet, s.paper_line, s.status, s.check_status,
         s.reason_code, s.duplicate_of_id,
         CASE WHEN e.id IS NULL THEN 'not_on_roll' WHEN e.district_number = {district}
              THEN 'in_district' ELSE 'other_district' END,
         e.line_number, e.district_number, substr(s.iin_hash, 1, 8), s.full_name, e.full_name
  FROM signatures s
  LEFT JOIN voter_roll_entries e ON e.import_id = {import_id} AND e.iin_hash = s.iin_hash
  WHERE s.petition_id = {petition} ORDER BY s.id
) TO STDOUT WITH (FORMAT csv, HEADER)
"""


def _export(db, petition_id: int, import_id: int, district: int) -> None:
    """The commission's CSV export against COPY ... TO STDOUT of the same columns (the 1M-row
    measurement with the process's peak memory is benchmarks/export.py)."""
    import tracemalloc

    from recall.services.verification import export

    def app_export() -> int:
        with open(os.devnull, "w", encoding="utf-8") as out:
            n = -1  # the header
            for chunk in export.export_csv(None, petition_id):  # as the page and the CLI send it
                out.write(chunk)
                n += chunk.count("\n")
        db.session.commit()
        return n

    def copy_export() -> None:
        sql = EXPORT_COPY.format(district=district, import_id=import_id, petition=petition_id)
        cursor = db.session.connection().connection.dbapi_connection.cursor()
        with open(os.devnull, "wb") as out, cursor.copy(sql) as copy:
            for data in copy:
                out.write(data)
        db.session.commit()

    print("\n| export | rows | app export | COPY TO STDOUT | ratio |")
    print("|---|---|---|---|---|")
    for n in (1, 2):
        t = time.perf_counter()
        rows = app_export()
        t_app = time.perf_counter() - t
        t = time.perf_counter()
        copy_export()
        t_copy = time.perf_counter() - t
        print(f"| {n} | {rows:,} | {t_app:.2f} s | {t_copy:.2f} s | **{t_app / t_copy:.2f}** |")
    tracemalloc.start()
    app_export()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"peak Python heap of the export {peak / 2**20:.1f} MiB (tracemalloc)")


def run(signatures: int, voters: int, rounds: int, seed: int) -> None:
    import generate

    from recall import create_app
    from recall.extensions import db
    from recall.services.verification import checks, roll_lookup, voter_roll

    workdir = Path(tempfile.mkdtemp(prefix="checks-bench-"))
    name = f"recall_bench_checks_{os.getpid()}"
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{name}"')
    app = create_app(
        {
            "SKIP_ENV_CONFIG": True,
            "SECRET_KEY": uuid.uuid4().hex,
            "IIN_HASH_KEY": uuid.uuid4().hex,
            "AUDIT_KEY": uuid.uuid4().hex,
            "SQLALCHEMY_DATABASE_URI": f"{PG}/{name}",
            "RATELIMIT_STORAGE_URI": "memory://",
            "REDIS_URL": None,
            "LANGUAGES": ("en",),
            "BABEL_DEFAULT_LOCALE": "en",
            "BABEL_DEFAULT_TIMEZONE": "Asia/Almaty",
        }
    )
    country = generate.Country(seed=seed, voters=voters, minors=0.01, home_share=0.4)
    roll = workdir / "roll.csv"
    try:
        with app.app_context():
            db.create_all()
            t0 = time.perf_counter()
            country.write_roll(roll)
            print(f"roll of {voters:,} voters written in {time.perf_counter() - t0:.1f}s")
            world = country.create_world()
            db.session.commit()
            t0 = time.perf_counter()
            result = voter_roll.import_file(
                None, world.body_id, date(2026, 2, 1), str(roll), checkpoint=db.session.commit
            )
            db.session.commit()
            assert result.accepted and result.rows_loaded + len(result.minors) == voters, (
                result.summary()
            )
            print(f"roll imported in {time.perf_counter() - t0:.1f}s")
            import_id = roll_lookup.active_import_id(world.body_id)
            t0 = time.perf_counter()
            expected = country.load_signatures(world, signatures, generate.Mix())
            db.session.commit()
            print(
                f"{signatures:,} signatures loaded in {time.perf_counter() - t0:.1f}s: {expected}"
            )
            _vacuum(db, "signatures", "voter_roll_entries")
            params = {
                "petition": world.petition_id,
                "import": import_id,
                "district": world.home_district,
                "opens": generate.OPENS,
                "closes": generate.CLOSES,
                "zone": app.config["BABEL_DEFAULT_TIMEZONE"],
            }

            def app_run() -> float:
                t = time.perf_counter()
                checks.run_checks(None, world.petition_id)
                db.session.commit()
                return time.perf_counter() - t

            def baseline_run() -> float:
                t = time.perf_counter()
                db.session.execute(sa.text(BASELINE), params)
                db.session.commit()
                return time.perf_counter() - t

            print()
            print(
                "| round | signatures | roll | checks | baseline | checks / baseline | verdicts |"
            )
            print("|---|---|---|---|---|---|---|")
            for n in range(1, rounds + 1):
                order = ("checks", "baseline") if n % 2 else ("baseline", "checks")
                times, verdicts = {}, {}
                for what in order:
                    _reset(db, world.petition_id)
                    times[what] = app_run() if what == "checks" else baseline_run()
                    verdicts[what] = _verdicts(db, world.petition_id)
                same = sum(verdicts["checks"][k] == v for k, v in verdicts["baseline"].items())
                tally: dict[str, int] = {}
                for status, reason, _dup in verdicts["checks"].values():
                    key = reason or status
                    tally[key] = tally.get(key, 0) + 1
                intended = tally == expected
                print(
                    f"| {n} | {signatures:,} | {voters:,} | {times['checks']:.2f} s "
                    f"| {times['baseline']:.2f} s "
                    f"| **{times['checks'] / times['baseline']:.2f}** "
                    f"| {same:,} of {len(verdicts['baseline']):,} equal"
                    f"{', as generated' if intended else f', NOT as generated: {tally}'} |",
                    flush=True,
                )
            _export(db, world.petition_id, import_id, world.home_district)
            db.session.remove()
            db.engine.dispose()
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        roll.unlink(missing_ok=True)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS of the benchmark process {rss:.0f} MiB; load: {os.getloadavg()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "signatures", nargs="?", type=int, default=int(os.environ.get("BENCH_SIGNATURES", 100_000))
    )
    parser.add_argument(
        "voters", nargs="?", type=int, default=int(os.environ.get("BENCH_VOTERS", 1_000_000))
    )
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", 3)))
    parser.add_argument("--seed", type=int, default=int(os.environ.get("BENCH_SEED", 17)))
    args = parser.parse_args()
    run(args.signatures, args.voters, args.rounds, args.seed)


if __name__ == "__main__":
    main()
