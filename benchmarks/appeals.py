"""Appeal counts are read in constant time (issue 15).

    .venv/bin/python benchmarks/appeals.py [SIGNATURES]      # default 1,000,000

A fresh PostgreSQL database gets a body of 16 districts and two open body-wide appeals: *big*
with SIGNATURES confirmed signatures spread over the districts (made inside PostgreSQL with
``generate_series``) and *small* with 1,000. The counts are then set as the confirmations keep
them (the appeal's columns and one row per district). Measured, interleaved, in this process:

1. what the appeal page reads about counts (the appeal row and ``signing.district_counts``),
   ``READS`` times each: ratio of the mean times, big / small;
2. ``GET /api/v1/appeals/<id>/districts`` and ``GET /api/v1/appeals/<id>`` through the test
   client, ``REQUESTS`` times each: ratio of the means.

Target: both ratios <= 1.5. Prints the machine's load before and after.
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
READS = int(os.environ.get("BENCH_COUNT_READS", "2000"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "300"))
SMALL = 1_000
DISTRICTS = 16

SIGNATURES_SQL = """
INSERT INTO appeal_signatures (appeal_id, iin_hash, birth_date, full_name, email, district_id,
    is_constituent, status, receipt_hash, confirm_nonce, expires_at, confirmed_at, created_at)
SELECT :appeal, md5(:appeal || '-' || i) || md5(i || '-' || :appeal), date '1970-01-01' + (i % 15000),
    'Voter ' || i, 's' || i || '@example.org', (:districts)[1 + i % :n_districts], true,
    'confirmed', md5('r' || :appeal || '-' || i) || md5(i || '-r' || :appeal),
    substr(md5('n' || :appeal || '-' || i), 1, 32), now() + interval '3 days', now(), now()
FROM generate_series(1, :n) AS i
"""
# The counts as confirmations leave them: spread over the 16 shards (per district and in total).
COUNTS_SQL = (
    """INSERT INTO appeal_district_counts (appeal_id, district_id, shard, confirmed)
    SELECT appeal_id, district_id, id % 16, count(*) FROM appeal_signatures
    WHERE appeal_id = :appeal GROUP BY appeal_id, district_id, id % 16""",
    """INSERT INTO appeal_count_shards (appeal_id, shard, constituents, supporters)
    SELECT appeal_id, shard, sum(confirmed), 0 FROM appeal_district_counts
    WHERE appeal_id = :appeal GROUP BY appeal_id, shard""",
)


def _admin(sql: str) -> None:
    engine = sa.create_engine(f"{PG}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(sql))
    engine.dispose()


def _load() -> str:
    return " ".join(open("/proc/loadavg").read().split()[:3])


def _seed(app, signatures: int) -> dict[str, int]:
    from recall.extensions import db
    from recall.models import Body, BodyLevel, District, User
    from recall.models.appeal import Appeal, AppealState
    from recall.models.base import utcnow
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
            District(
                body_id=body.id,
                number=n,
                name=f"No. {n}",
                region="Bench",
                registered_voters=100_000,
            )
            for n in range(1, DISTRICTS + 1)
        ]
        author = User(email="a@example.org", display_name="A", password_hash="!")
        db.session.add_all([*districts, author])
        db.session.flush()
        ids = {}
        now = utcnow()
        for name, n in (("big", signatures), ("small", SMALL)):
            appeal = Appeal(
                author_id=author.id,
                body_id=body.id,
                state=AppealState.OPEN,
                title=name,
                text="x" * 60,
                ask="x" * 20,
                opens_at=now,
                closes_at=now.replace(year=now.year + 1),
                threshold=10**9,
                response_days=30,
                constituent_count=n,
            )
            db.session.add(appeal)
            db.session.flush()
            params = {
                "appeal": appeal.id,
                "districts": [d.id for d in districts],
                "n_districts": DISTRICTS,
                "n": n,
            }
            db.session.execute(sa.text(SIGNATURES_SQL), params)
            for sql in COUNTS_SQL:
                db.session.execute(sa.text(sql), {"appeal": appeal.id})
            ids[name] = appeal.id
        db.session.commit()
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
    return ids


def _ratio(measure, ids) -> tuple[float, float]:
    times = {"big": [], "small": []}
    for _ in range(measure.rounds):
        for name in ("big", "small"):
            start = time.perf_counter()
            measure(ids[name])
            times[name].append(time.perf_counter() - start)
    return statistics.mean(times["big"]) * 1000, statistics.mean(times["small"]) * 1000


def main() -> int:
    signatures = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    from recall import create_app
    from recall.extensions import db
    from recall.models.appeal import Appeal
    from recall.services.appeals import signing

    name = f"recall_bench_appeals_{os.getpid()}"
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
            "BABEL_DEFAULT_LOCALE": "en",
            "BABEL_DEFAULT_TIMEZONE": "Asia/Almaty",
        }
    )
    try:
        print(f"load before: {_load()}")
        started = time.perf_counter()
        ids = _seed(app, signatures)
        print(
            f"seeded {signatures:,} + {SMALL:,} signatures in {time.perf_counter() - started:.0f} s"
        )
        with app.app_context():

            def read(appeal_id):
                db.session.expire_all()
                appeal = db.session.get(Appeal, appeal_id)
                signing.district_counts(appeal)
                return signing.appeal_counts([appeal_id])[appeal_id].constituents

            read.rounds = READS
            big, small = _ratio(read, ids)
            print(
                f"count read: {signatures:,} {big:.3f} ms, {SMALL:,} {small:.3f} ms: "
                f"ratio {big / small:.2f} (target <= 1.5) load {_load()}"
            )
        client = app.test_client()
        for path in ("/api/v1/appeals/{}/districts", "/api/v1/appeals/{}"):

            def get(appeal_id, path=path):
                assert client.get(path.format(appeal_id)).status_code == 200

            get.rounds = REQUESTS
            big, small = _ratio(get, ids)
            print(
                f"GET {path}: {big:.2f} ms vs {small:.2f} ms: ratio {big / small:.2f} "
                f"(target <= 1.5) load {_load()}"
            )
        print(f"load after: {_load()}")
    finally:
        with app.app_context():
            db.engine.dispose()
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
