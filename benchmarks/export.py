"""The commission's signature export at 1,000,000 signatures against COPY (issue 17).

    .venv/bin/python benchmarks/export.py [SIGNATURES]      # default 1,000,000; in make bench

A fresh PostgreSQL database gets a generated world (``benchmarks/generate.py``): SIGNATURES
signatures of one petition and an active roll holding 90% of their signers (80% in the
petition's district), made inside PostgreSQL. Then, ROUNDS times in alternating order:

* **export**: ``export.export_csv`` (what ``flask verification export`` and the commission page
  send), every chunk written to ``/dev/null``;
* **baseline**: ``COPY (the same columns, the same join) TO STDOUT (FORMAT csv)`` read through
  psycopg and written to ``/dev/null``;

and once ``flask verification export PETITION -o /dev/null`` as its own process, whose peak RSS
(``ru_maxrss`` of the child) is the memory figure. Targets: export / baseline <= 2, peak < 150 MB.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import sqlalchemy as sa  # noqa: E402

PG = os.environ.get("BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))

SIGNATURES_SQL = """
INSERT INTO signatures (petition_id, iin_hash, birth_date, full_name, email,
    district_id, source, paper_sheet, paper_line, status, confirmed_at, receipt_hash,
    confirm_nonce, email_count, check_status, reason_code, created_at)
SELECT :petition, md5('v' || i) || md5(i || 'v'),
    date '1960-01-01' + (i % 15000), 'Voter ' || i, 's' || i || '@example.org', :district,
    CASE WHEN i % 10 = 0 THEN 'paper' ELSE 'online' END,
    CASE WHEN i % 10 = 0 THEN i / 200 + 1 END, CASE WHEN i % 10 = 0 THEN (i / 10) % 20 + 1 END,
    'confirmed', :opens + i * interval '1 second', md5('r' || i) || md5(i || 'r'), md5('n' || i),
    1, CASE WHEN i % 10 = 1 THEN 'invalid' ELSE 'valid' END,
    CASE WHEN i % 10 = 1 THEN 'not_registered' END, :opens + i * interval '1 second'
FROM generate_series(1, :n) AS i
"""
ROLL_SQL = """
INSERT INTO voter_roll_entries (import_id, line_number, iin_hash, full_name, district_number,
    address, birth_date)
SELECT :import, i + 1, md5('v' || i) || md5(i || 'v'), 'Voter ' || i,
    CASE WHEN i % 10 = 2 THEN :other ELSE :home END, 'Street ' || i % 500,
    date '1960-01-01' + (i % 15000)
FROM generate_series(1, :n) AS i WHERE i % 10 <> 1
"""


def _admin(sql: str) -> None:
    engine = sa.create_engine(f"{PG}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(sql))
    engine.dispose()


def _load() -> str:
    return " ".join(open("/proc/loadavg").read().split()[:3])


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    import generate

    from recall import create_app
    from recall.extensions import db
    from recall.models import Petition
    from recall.models.verification import ImportStatus, VoterRollDistrict, VoterRollImport
    from recall.services.verification import export

    name = f"recall_bench_export_{os.getpid()}"
    url = f"{PG}/{name}"
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{name}"')
    secrets = {"SECRET_KEY": uuid.uuid4().hex * 2, "IIN_HASH_KEY": uuid.uuid4().hex * 2}
    app = create_app(
        {
            "SKIP_ENV_CONFIG": True,
            **secrets,
            "SQLALCHEMY_DATABASE_URI": url,
            "RATELIMIT_STORAGE_URI": "memory://",
            "REDIS_URL": None,
            "LANGUAGES": ("en",),
            "BABEL_DEFAULT_LOCALE": "en",
            "BABEL_DEFAULT_TIMEZONE": "Asia/Almaty",
        }
    )
    try:
        with app.app_context():
            db.create_all()
            print(f"load before: {_load()}")
            world = generate.Country(seed=17, voters=1000).create_world(slug="export")
            petition = db.session.get(Petition, world.petition_id)
            imp = VoterRollImport(
                body_id=world.body_id,
                as_of=generate.OPENS.date(),
                status=ImportStatus.ACTIVE,
                is_active=True,
            )
            db.session.add(imp)
            db.session.flush()
            # The import is in force for both districts its entries name (issue 10: the export
            # judges each signature by the roll in force on its signing day).
            db.session.add_all(
                VoterRollDistrict(
                    import_id=imp.id,
                    body_id=world.body_id,
                    district_number=number,
                    as_of=imp.as_of,
                    voters=None,
                )
                for number in sorted({world.home_district, 2})
            )
            db.session.commit()
            t0 = time.perf_counter()
            params = {"petition": petition.id, "district": petition.district_id, "n": n}
            db.session.execute(sa.text(SIGNATURES_SQL), {**params, "opens": generate.OPENS})
            db.session.execute(
                sa.text(ROLL_SQL),
                {"import": imp.id, "n": n, "home": world.home_district, "other": 2},
            )
            db.session.commit()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE"))
            print(f"{n:,} signatures and their roll made in {time.perf_counter() - t0:.1f}s")
            query = export._query(petition.id, *export._roll_of(petition))
            sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))

            def app_run() -> float:
                t = time.perf_counter()
                with open(os.devnull, "w", encoding="utf-8") as sink:
                    for chunk in export.export_csv(None, petition.id):
                        sink.write(chunk)
                db.session.rollback()
                return time.perf_counter() - t

            def copy_run() -> float:
                t = time.perf_counter()
                raw = db.engine.raw_connection()
                try:
                    copy_sql = f"COPY ({sql}) TO STDOUT (FORMAT csv)"
                    with (
                        raw.cursor() as cur,
                        open(os.devnull, "wb") as sink,
                        cur.copy(copy_sql) as copy,
                    ):
                        for data in copy:
                            sink.write(data)
                    raw.rollback()
                finally:
                    raw.close()
                return time.perf_counter() - t

            lines = sum(c.count("\n") for c in export.export_csv(None, petition.id)) - 1
            db.session.rollback()
            assert lines == n, (lines, n)
            print("| round | load | export | COPY TO STDOUT | export / COPY |")
            print("|---|---|---|---|---|")
            for r in range(1, ROUNDS + 1):
                load = _load()
                if r % 2:
                    a, b = app_run(), copy_run()
                else:
                    b, a = copy_run(), app_run()
                print(f"| {r} | {load} | {a:.2f} s | {b:.2f} s | **{a / b:.2f}** |")
        env = {
            **os.environ,
            "RECALL_ENV": "benchmark",
            **secrets,
            "DATABASE_URL": url,
            "PYTHONPATH": str(ROOT),
        }
        env.pop("REDIS_URL", None)
        t = time.perf_counter()
        subprocess.run(
            [
                *(sys.executable, "-m", "flask", "--app", "wsgi", "verification", "export"),
                *(str(world.petition_id), "-o", os.devnull),
            ],
            cwd=ROOT,
            env=env,
            check=True,
        )
        took = time.perf_counter() - t
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(
            f"flask verification export of {n:,} signatures as its own process: {took:.1f}s, "
            f"peak RSS {peak:.0f} MB (target < 150 MB); load after: {_load()}"
        )
    finally:
        with app.app_context():
            db.engine.dispose()
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
