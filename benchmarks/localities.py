"""What "Where do you live?" costs as the localities table grows (issue 11).

    .venv/bin/python benchmarks/localities.py [LOCALITIES]      # default 200,000

A fresh PostgreSQL database gets a body of 100 districts and 1,000 localities (streets of
made-up towns, keys as the import writes them), then LOCALITIES more (a national street-level
table has a few hundred thousand). Measured in this process through the test client:

1. ``GET /api/v1/districts?q=`` for one street, ``REQUESTS`` times, with 1,000 localities and with
   1,000 + LOCALITIES: the ratio of the means says how search grows with the table (a
   substring match on the stored key: the GIN trigram index of migration 0037 keeps it flat);
2. in the same run, ``GET /api/v1/districts/<id>`` (one row by primary key) as the baseline the
   search is printed against.

Prints the machine's load before and after.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

PG = os.environ.get("BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "100"))
SMALL = 1_000
DISTRICTS = 100

# Keys as ``recall.rules.names.search_key`` writes them: folded name, then the folded street.
LOCALITIES_SQL = """
INSERT INTO localities (district_id, name, street, names, search_key, created_at)
SELECT (CAST(:districts AS integer[]))[1 + i % CAST(:n_districts AS integer)], 'Town ' || (i / 50), 'Street ' || i, '{}',
    'town ' || (i / 50) || '|street ' || i, now()
FROM generate_series(CAST(:first AS integer), CAST(:last AS integer)) AS i
"""


def _admin(sql: str) -> None:
    engine = sa.create_engine(f"{PG}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(sql))
    engine.dispose()


def _load() -> str:
    return " ".join(open("/proc/loadavg").read().split()[:3])


def _seed_districts(app) -> list[int]:
    from recall.extensions import db
    from recall.models import Body, BodyLevel, District
    from recall.services.deputies.body_kinds import get_kind

    with app.app_context():
        db.create_all()
        body = Body(
            slug="bench",
            name="Bench Maslikhat",
            kind=get_kind(BodyLevel.DISTRICT_MASLIKHAT),
            seats_total=DISTRICTS,
        )
        db.session.add(body)
        db.session.flush()
        districts = [
            District(body_id=body.id, number=n, name=f"No. {n}", region="Bench")
            for n in range(1, DISTRICTS + 1)
        ]
        db.session.add_all(districts)
        db.session.commit()
        return [d.id for d in districts]


def _add_localities(app, districts: list[int], first: int, last: int) -> None:
    from recall.extensions import db

    with app.app_context():
        db.session.execute(
            sa.text(LOCALITIES_SQL),
            {"districts": districts, "n_districts": len(districts), "first": first, "last": last},
        )
        db.session.commit()
        db.session.execute(sa.text("ANALYZE localities"))
        db.session.commit()


def _mean_ms(client, path: str, params: dict | None = None) -> float:
    times = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        response = client.get(path, query_string=params)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.get_data(as_text=True)
    return statistics.mean(times) * 1000


def main() -> int:
    extra = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    from recall import create_app
    from recall.extensions import db

    name = f"recall_bench_localities_{os.getpid()}"
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{name}"')
    app = create_app(
        {
            "SKIP_ENV_CONFIG": True,
            "SECRET_KEY": uuid.uuid4().hex * 2,
            "IIN_HASH_KEY": uuid.uuid4().hex * 2,
            "AUDIT_KEY": uuid.uuid4().hex * 2,
            "SQLALCHEMY_DATABASE_URI": f"{PG}/{name}",
            "RATELIMIT_STORAGE_URI": "memory://",
            "REDIS_URL": None,
            "LANGUAGES": ("en",),  # names and messages are chosen per reader (issue 11)
        }
    )
    try:
        print(f"load before: {_load()}")
        districts = _seed_districts(app)
        _add_localities(app, districts, 1, SMALL)
        client = app.test_client()
        query = {"q": "Street 777"}  # one street of one district
        lookup = f"/api/v1/districts/{districts[0]}"
        small_search = _mean_ms(client, "/api/v1/districts", query)
        small_lookup = _mean_ms(client, lookup)
        started = time.perf_counter()
        _add_localities(app, districts, SMALL + 1, SMALL + extra)
        print(f"added {extra:,} localities in {time.perf_counter() - started:.1f} s")
        big_search = _mean_ms(client, "/api/v1/districts", query)
        big_lookup = _mean_ms(client, lookup)
        total = SMALL + extra
        print(
            f"search: {SMALL:,} localities {small_search:.2f} ms, {total:,} {big_search:.2f} ms: "
            f"ratio {big_search / small_search:.2f}"
        )
        print(
            f"district by id (baseline): {small_lookup:.2f} ms, {big_lookup:.2f} ms; search / "
            f"baseline at {total:,}: {big_search / big_lookup:.2f}"
        )
        print(f"load after: {_load()}")
    finally:
        with app.app_context():
            db.engine.dispose()
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
