"""CPU of one signing request in this process, without HTTP or a client (issue 12).

``benchmarks/signing.py`` measures signing through gunicorn and wrk; on a shared machine its rates
follow the other processes' load. This one counts CPU instead: it seeds the same petitions (a
fresh PostgreSQL database, the benchmark's settings, Redis for the rate limits and the events'
hand-over), builds ``BENCH_REQUESTS`` signing requests' WSGI environments beforehand, and runs
them through ``app.wsgi_app`` after ``BENCH_WARMUP`` unmeasured ones. It prints the app's
``process_time`` per request and the PostgreSQL backend's CPU per request (from ``/proc``);
``BENCH_PROFILE=1`` also prints a cProfile (CPU clock) of the measured requests, sorted by
cumulative time (``BENCH_PROFILE_LINES`` lines; ``BENCH_PROFILE_DUMP=<file>`` also saves it for
``pstats``). Instructions per request, repeatable whatever the machine's load:
``valgrind --tool=callgrind --collect-atstart=no --toggle-collect=_PyEval_CallTracing
.venv/bin/python benchmarks/signing_profile.py`` (then ``callgrind_annotate``; divide by
``BENCH_REQUESTS``).

``PYTHONPATH=$PWD .venv/bin/python benchmarks/signing_profile.py``; ``BENCH_REDIS`` is the Redis URL (default
``redis://127.0.0.1:6379/9``; the database is flushed at the start).
"""

from __future__ import annotations

import cProfile
import io
import json
import logging
import os
import pstats
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Appended, not prepended: ``PYTHONPATH=<a checkout>`` chooses whose ``recall`` is measured.
sys.path.append(str(ROOT))

from benchmarks.signing import (  # noqa: E402
    PG,
    REDIS,
    _admin,
    _cpu_ticks,
    _environment,
    _Iins,
    _seed,
)

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "600"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "100"))


def _environs(app, petitions: list[dict], count: int) -> list[dict]:
    from flask.testing import EnvironBuilder

    iins, made = _Iins(), []
    for n in range(count):
        petition = petitions[n % len(petitions)]
        body = {
            "full_name": "Әлия Қасымова",
            "iin": iins.next(),
            "email": "signer@example.org",
            "district_id": petition["district_id"],
            "consent": True,
        }
        builder = EnvironBuilder(
            app,
            path=f"/api/v1/petitions/{petition['id']}/signatures",
            method="POST",
            data=json.dumps(body),
            headers={"Accept": "application/json", "User-Agent": "wrk"},
            content_type="application/json",
            # As gunicorn gives it: without one, signing skips the address's hashes and block.
            environ_base={"REMOTE_ADDR": "127.0.0.1"},
        )
        made.append(builder.get_environ())
    return made


class _Warnings(logging.Handler):
    """Warnings and errors logged while the requests run: a Redis fallback or a failed hand-over
    would make the numbers those of another path, so the run fails instead."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


def _run(app, environs: list[dict]) -> None:
    statuses = []

    def start_response(status, headers, exc_info=None):
        statuses.append(status)

    for environ in environs:
        body = app.wsgi_app(environ, start_response)
        for _chunk in body:
            pass
        getattr(body, "close", lambda: None)()
    wrong = [s for s in statuses if not s.startswith("202")]
    if wrong:
        raise SystemExit(f"{len(wrong)} responses not 202, e.g. {wrong[0]}")


def _hold_drain_flag(app) -> None:
    """Mark a drain job as queued for the whole run, as it is under load. No worker runs here, so
    the flag would expire every ``DRAIN_FLAG_SECONDS`` and the next request enqueue a job: one
    in a few hundred requests, but under callgrind enough to move the count by several percent."""
    from recall.notifications.queue import drain_flag, get_queue

    with app.app_context():
        queue = get_queue()
        queue.connection.set(drain_flag(queue), 1)


def _backend_pids(db_url: str, db_name: str) -> list[int]:
    import sqlalchemy as sa

    engine = sa.create_engine(db_url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        pids = conn.execute(
            sa.text(
                "SELECT pid FROM pg_stat_activity WHERE datname = :n AND pid <> pg_backend_pid()"
            ),
            {"n": db_name},
        )
        found = list(pids.scalars())
    engine.dispose()
    return found


def main() -> int:
    db_name = f"recall_sprof_{os.getpid()}"
    db_url = f"{PG}/{db_name}"
    _admin(f'CREATE DATABASE "{db_name}"')
    try:
        from redis import Redis

        Redis.from_url(REDIS).flushdb()
        env = _environment(db_url, use_redis=True)
        env.update(
            {
                "RATELIMIT_ENABLED": "true",
                "SIGNING_RATE_LIMIT": "100000000 per minute;1000000000 per day",
                "RECALL_BENCHMARK_ENDPOINTS": "0",
                "SECRET_KEY": uuid.uuid4().hex,
            }
        )
        petitions = _seed(env)
        from recall import create_app

        app = create_app()
        _hold_drain_flag(app)
        # A process reads each petition's signing window once per WINDOW_CACHE_SECONDS: nothing
        # per request at hundreds a second, but a run under callgrind outlasts 30 s and would
        # count fifteen petition reads (an ORM session and a query each) in its requests.
        # The fraud settings (the budgets' limits) likewise, every SETTINGS_CACHE_SECONDS: under
        # callgrind that was dozens of ORM queries, a count that moved with the machine's load.
        from recall.services.fraud import settings
        from recall.services.signing import online

        online.WINDOW_CACHE_SECONDS = settings.SETTINGS_CACHE_SECONDS = 24 * 3600
        environs = _environs(app, petitions[1:], WARMUP + REQUESTS)
        warnings = _Warnings()
        logging.getLogger().addHandler(warnings)
        _run(app, environs[:WARMUP])
        backends = _backend_pids(db_url, db_name)
        measured = environs[WARMUP:]
        pg_before = _cpu_ticks(backends)
        profiler = cProfile.Profile(time.process_time) if os.environ.get("BENCH_PROFILE") else None
        started = time.process_time()
        if profiler:
            profiler.enable()
        # Through sys.call_tracing (which changes nothing here) so that callgrind can count the
        # measured requests alone: --collect-atstart=no --toggle-collect=_PyEval_CallTracing.
        sys.call_tracing(_run, (app, measured))
        if profiler:
            profiler.disable()
        used = time.process_time() - started
        if warnings.records:
            raise SystemExit(f"logged during the run: {warnings.records[0].getMessage()}")
        pg_after = _cpu_ticks(backends)
        tick = os.sysconf("SC_CLK_TCK")
        pg = sum(t - pg_before.get(pid, 0) for pid, t in pg_after.items()) / tick
        import recall

        print(
            f"{Path(recall.__file__).parent.parent}: "
            f"{REQUESTS} signing requests through app.wsgi_app: app CPU "
            f"{1000 * used / REQUESTS:.3f} ms per request, PostgreSQL "
            f"{1000 * pg / REQUESTS:.2f} ms per request{' (profiled)' if profiler else ''}; "
            f"load (1 min) {os.getloadavg()[0]:.2f}"
        )
        if profiler:
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
            stats.print_stats(int(os.environ.get("BENCH_PROFILE_LINES", "60")))
            if os.environ.get("BENCH_PROFILE_DUMP"):  # for pstats' callers/callees views
                stats.dump_stats(os.environ["BENCH_PROFILE_DUMP"])
            print(out.getvalue())
        from recall.extensions import db

        with app.app_context():
            db.engine.dispose()
        return 0
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
