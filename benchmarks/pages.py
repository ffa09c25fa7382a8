"""Public read pages at a million signatures (issue 17): the petition page under load, and the count.

    .venv/bin/python benchmarks/pages.py [SIGNATURES]        # default 1,000,000; also in make bench

1. A fresh PostgreSQL database gets two generated worlds (``benchmarks/generate.py``): petition
   *big* with SIGNATURES confirmed signatures and petition *small* with 1,000, both collecting
   under a rule that publishes the running count. The signatures are made inside PostgreSQL
   (``generate_series``; what they say does not matter to these pages), then each petition is
   recounted through ``counting.recount`` as the nightly job does, and the tables analysed.
2. **Count**: ``counting.count_and_days`` (what the page and the API read) of big vs small,
   ``COUNT_READS`` reads each, interleaved, in this process: ratio of the mean times.
3. **Page under load**: gunicorn (``BENCH_WORKERS`` sync workers, default 4 as in the README)
   serves the app; ``wrk`` with ``BENCH_CONNECTIONS`` (50) connections loads ``/healthz`` and
   ``/petitions/<big>`` in turn, ``BENCH_ROUNDS`` rounds of ``BENCH_SECONDS`` each, and reports
   each phase's p95 latency (a Lua ``done`` hook). Ratio: page p95 / healthz p95, per round.
   The server runs as in production (``PAGE_CACHE_SECONDS=5``: anonymous visitors share a page
   rendered at most once per 5 s per process); one more round with the cache off shows the
   cost of rendering every request (diagnostic).

Targets: count at 1M / at 1k <= 1.5; page p95 / healthz p95 <= 3. Prints the machine's load
(``/proc/loadavg``) before and after each phase. Needs ``wrk`` (Debian package ``wrk``).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import sqlalchemy as sa  # noqa: E402

PG = os.environ.get("BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "50"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
COUNT_READS = int(os.environ.get("BENCH_COUNT_READS", "2000"))
PAGE_CACHE = int(os.environ.get("BENCH_PAGE_CACHE", "5"))  # PAGE_CACHE_SECONDS, as in production
SMALL = 1_000
DAYS = 10

WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("P95 %d\\nP50 %d\\nREQS %d\\nERRS %d\\n", latency:percentile(95),
    latency:percentile(50), summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.status + summary.errors.timeout))
end
"""

# Confirmed online signatures spread over the petition's first DAYS days; hashes from md5 so the
# unique (petition, IIN hash) and receipt indexes hold.
SIGNATURES_SQL = """
INSERT INTO signatures (petition_id, iin_hash, birth_date, full_name, email,
    district_id, source, status, confirmed_at, receipt_hash, confirm_nonce, email_count,
    check_status, created_at)
SELECT :petition, md5(:petition || '-' || i) || md5(i || '-' || :petition),
    date '1970-01-01' + (i % 15000),
    'Voter ' || i, 's' || i || '@example.org', :district, 'online', 'confirmed',
    :opens + (i % (:days * 86400)) * interval '1 second',
    md5('r' || :petition || '-' || i) || md5(i || '-r' || :petition), md5('n' || :petition || '-' || i), 1,
    'unchecked', :opens + (i % (:days * 86400)) * interval '1 second'
FROM generate_series(1, :n) AS i
"""


def _admin(sql: str) -> None:
    engine = sa.create_engine(f"{PG}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(sql))
    engine.dispose()


def _load() -> str:
    return " ".join(open("/proc/loadavg").read().split()[:3])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _seed(app, signatures: int) -> dict[str, int]:
    import generate

    from recall.extensions import db
    from recall.models import Petition, PetitionState, RecallRuleVersion
    from recall.models.base import utcnow
    from recall.services.signing import counting

    ids = {}
    opens = utcnow() - timedelta(days=DAYS)
    with app.app_context():
        db.create_all()
        for label, n in (("big", signatures), ("small", SMALL)):
            country = generate.Country(seed=17, voters=1000)
            world = country.create_world(slug=f"pages-{label}")
            petition = db.session.get(Petition, world.petition_id)
            rule = db.session.get(RecallRuleVersion, petition.rule_version_id)
            rule.data = {**rule.data, "running_count_public": True}
            petition.state = PetitionState.COLLECTING
            petition.opens_at, petition.closes_at, petition.closed_at = (
                opens,
                opens + timedelta(days=30),
                None,
            )
            petition.grounds = "Generated grounds: the promised school was never built. " * 4
            petition.required_signatures = max(signatures, SMALL) // 2
            db.session.commit()
            t0 = time.perf_counter()
            db.session.execute(
                sa.text(SIGNATURES_SQL),
                {
                    "petition": petition.id,
                    "district": petition.district_id,
                    "opens": opens,
                    "days": DAYS,
                    "n": n,
                },
            )
            counting.recount(petition.id)
            db.session.commit()
            print(
                f"{label}: {n:,} signatures made and recounted in {time.perf_counter() - t0:.1f}s"
            )
            ids[label] = petition.id
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))
    return ids


def _count_ratio(app, ids: dict[str, int]) -> tuple[float, float]:
    from recall.extensions import db
    from recall.services.signing import counting

    spent = {"big": 0.0, "small": 0.0}
    with app.app_context():
        for label in ("big", "small") * 50:  # warm up
            counting.count_and_days(ids[label])
        for _ in range(COUNT_READS):
            for label in ("big", "small"):
                t = time.perf_counter()
                counting.count_and_days(ids[label])
                spent[label] += time.perf_counter() - t
        db.session.rollback()
    return spent["big"] / COUNT_READS * 1000, spent["small"] / COUNT_READS * 1000


def _wrk(url: str, script: Path) -> dict[str, float]:
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{CONNECTIONS}",
            f"-d{SECONDS}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    values = dict(re.findall(r"^(P95|P50|REQS|ERRS) (\d+)$", out, re.M))
    return {
        "p95_ms": int(values["P95"]) / 1000,
        "p50_ms": int(values["P50"]) / 1000,
        "rps": int(values["REQS"]) / SECONDS,
        "errors": int(values["ERRS"]),
    }


def _serve(url: str, secrets: dict, cache: int) -> subprocess.Popen:
    port = _free_port()
    env = {
        **os.environ,
        "RECALL_ENV": "benchmark",
        **secrets,
        "DATABASE_URL": url,
        "RATELIMIT_ENABLED": "0",
        "RECALL_DEMO": "0",
        "PAGE_CACHE_SECONDS": str(cache),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("REDIS_URL", None)
    proc = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
    )
    proc.base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{proc.base}/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    return proc


def _load_phases(base: str, ids: dict, signatures: int, script: Path, cache: int, rounds: int):
    page = f"{base}/petitions/{ids['big']}"
    # Asked in English: the default language (Russian) groups digits with spaces, not commas.
    english = urllib.request.Request(page, headers={"Accept-Language": "en"})
    html = urllib.request.urlopen(english).read().decode()
    assert f"{signatures:,}" in html, "the page does not show the count"
    for path in (page, f"{base}/healthz"):  # warm every worker
        subprocess.run(["wrk", "-t1", "-c8", "-d2s", path], capture_output=True, check=True)
    print(
        f"\nwrk: {CONNECTIONS} connections, {SECONDS}s per phase, gunicorn {WORKERS} sync workers,"
        f" PAGE_CACHE_SECONDS={cache}{' (diagnostic: every request renders)' if not cache else ''}"
    )
    print("| round | load | /healthz p50 / p95 | petition page p50 / p95 | page rps | p95 ratio |")
    print("|---|---|---|---|---|---|")
    for n in range(1, rounds + 1):
        order = ("healthz", "page") if n % 2 else ("page", "healthz")
        got = {}
        load = _load()
        for phase in order:
            got[phase] = _wrk(page if phase == "page" else f"{base}/healthz", script)
            if got[phase]["errors"]:
                print(f"  {phase}: {got[phase]['errors']} errors")
        h, p = got["healthz"], got["page"]
        print(
            f"| {n} | {load} | {h['p50_ms']:.1f} / {h['p95_ms']:.1f} ms "
            f"| {p['p50_ms']:.1f} / {p['p95_ms']:.1f} ms | {p['rps']:.0f} "
            f"| **{p['p95_ms'] / h['p95_ms']:.2f}** |"
        )


def main() -> int:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    signatures = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    from recall import create_app

    name = f"recall_bench_pages_{os.getpid()}"
    url = f"{PG}/{name}"
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{name}"')
    secrets = {
        "SECRET_KEY": uuid.uuid4().hex * 2,
        "IIN_HASH_KEY": uuid.uuid4().hex * 2,
        "AUDIT_KEY": uuid.uuid4().hex * 2,
    }
    app = create_app(
        {
            "SKIP_ENV_CONFIG": True,
            **secrets,
            "SQLALCHEMY_DATABASE_URI": url,
            "RATELIMIT_STORAGE_URI": "memory://",
            "REDIS_URL": None,
            "BABEL_DEFAULT_TIMEZONE": "Asia/Almaty",
        }
    )
    proc = None
    workdir = Path(tempfile.mkdtemp(prefix="pages-bench-"))
    try:
        print(f"load before: {_load()}")
        ids = _seed(app, signatures)
        big_ms, small_ms = _count_ratio(app, ids)
        print(
            f"count read: {signatures:,} signatures {big_ms:.3f} ms, {SMALL:,} signatures "
            f"{small_ms:.3f} ms: ratio {big_ms / small_ms:.2f} (target <= 1.5) load {_load()}"
        )
        script = workdir / "p95.lua"
        script.write_text(WRK_SCRIPT)
        for cache, rounds in ((PAGE_CACHE, ROUNDS), (0, 1)):
            proc = _serve(url, secrets, cache)
            _load_phases(proc.base, ids, signatures, script, cache, rounds)
            proc.terminate()
            proc.wait(timeout=30)
            proc = None
        print(f"load after: {_load()}")
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
        with app.app_context():
            from recall.extensions import db

            db.engine.dispose()
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
