"""CPU of confirmation mail per message, by process, without RQ or a second run of signing (issue 12).

``benchmarks/notifications.py`` times mail against signing on a shared machine; its rates follow
the other processes' load. This one counts CPU instead. It takes ``BENCH_SIGNATURES`` signatures
through gunicorn once (as the benchmark does: the API, Redis for the hand-over, no worker), stops
gunicorn, starts the benchmark's SMTP server (aiosmtpd, a sink) in a process of its own, and then,
``BENCH_ROUNDS`` times: puts the outbox back as signing left it (no delivery, no event fanned
out) and drains it in this process the way a ``flask worker`` does (``MAIL_SENDERS`` kept SMTP
connections, ``batch.drain``). It prints, per mail, this process's CPU (all threads), the
PostgreSQL backends' (by pid, from ``pg_stat_activity``) and the SMTP server's.

``BENCH_PROFILE=1`` also prints a cProfile (CPU clock) of the last round: the draining thread
and the sending threads, merged, sorted by internal time (``BENCH_PROFILE_LINES`` lines).

``PYTHONPATH=$PWD .venv/bin/python benchmarks/mail_profile.py``
"""

from __future__ import annotations

import cProfile
import io
import logging
import os
import pstats
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Appended, not prepended: ``PYTHONPATH=<a checkout>`` chooses whose ``recall`` is measured.
sys.path.append(str(ROOT))
sys.path.append(str(ROOT / "benchmarks"))

import signing as bench  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from notifications import _burst, _start_redis, _stop, backend_pids, seed  # noqa: E402

SIGNATURES = int(os.environ.get("BENCH_SIGNATURES", "3000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
PROFILE = os.environ.get("BENCH_PROFILE") == "1"


def _start_smtp() -> tuple[subprocess.Popen, int]:
    port = bench._free_port()
    proc = subprocess.Popen(
        [
            *(str(ROOT / ".venv/bin/python"), "-m", "aiosmtpd", "-n"),
            *("-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import smtplib

    for _ in range(200):
        try:
            smtplib.SMTP("127.0.0.1", port, timeout=2).quit()
            return proc, port
        except OSError:
            time.sleep(0.05)
    raise SystemExit("aiosmtpd did not start")


def _sign(env: dict[str, str], petitions, count: int) -> None:
    gunicorn, port = bench._serve("wsgi:app", env)
    try:
        bench._wait_ready(port, gunicorn)
        _burst(port, petitions, bench._Iins(), [f"burst-{n}@example.org" for n in range(count)])
    finally:
        _stop(gunicorn)


def _reset(db) -> int:
    """The outbox as signing left it; returns the number of events to drain."""
    with db.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM deliveries"))
        return conn.execute(sa.text("UPDATE events SET fanned_out_at = NULL")).rowcount


class _ThreadProfiles:
    """One cProfile per sending thread, enabled around each message it sends."""

    def __init__(self):
        self.local = threading.local()
        self.profiles: list[cProfile.Profile] = []
        self.lock = threading.Lock()

    def wrap(self, send):
        def profiled(*args, **kwargs):
            profile = getattr(self.local, "profile", None)
            if profile is None:
                profile = self.local.profile = cProfile.Profile(time.thread_time)
                with self.lock:
                    self.profiles.append(profile)
            profile.enable()
            try:
                return send(*args, **kwargs)
            finally:
                profile.disable()

        return profiled


def main() -> int:
    db_name = f"recall_mailprof_{os.getpid()}"
    db_url = f"{bench.PG}/{db_name}"
    bench._admin(f'CREATE DATABASE "{db_name}"')
    redis_proc, redis_url = _start_redis()
    smtp = None
    try:
        bench.REDIS = redis_url
        env = bench._environment(db_url, use_redis=True)
        env.update({"RQ_QUEUE_NAME": "recall", "RECALL_BENCHMARK_ENDPOINTS": "0"})
        petitions = seed(env)
        _sign(env, petitions, SIGNATURES)
        smtp, smtp_port = _start_smtp()
        from recall import create_app
        from recall.extensions import db

        os.environ.update({"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_port)})
        os.environ.update({"MAIL_USE_TLS": "0"})
        app = create_app()
        sa.orm.configure_mappers()
        logging.getLogger("recall").setLevel(logging.INFO)  # as ``flask worker`` sets it
        from recall.notifications import mail
        from recall.notifications.batch import drain

        tick = os.sysconf("SC_CLK_TCK")
        print(
            f"{Path(mail.__file__).parent.parent.parent}: {SIGNATURES} confirmation mails a round, "
            f"MAIL_SENDERS {app.config['MAIL_SENDERS']}"
        )
        for n in range(1, ROUNDS + 1):
            profiling = PROFILE and n == ROUNDS
            with app.app_context():
                events = _reset(db)
                db.engine.dispose()
            threads = _ThreadProfiles()
            original_send = mail.send_email_in
            if profiling:
                mail.send_email_in = threads.wrap(original_send)
            main_profile = cProfile.Profile(time.thread_time) if profiling else None
            load = os.getloadavg()[0]
            with app.app_context(), mail.reused_smtp_connection(app.config["MAIL_SENDERS"]):
                db.session.execute(sa.text("SELECT 1"))  # a backend of the pool, started now
                db.session.commit()
                backends = backend_pids(db_name)
                pg_before = bench._cpu_ticks(backends)
                smtp_before = bench._cpu_ticks([smtp.pid])
                cpu_before, started = time.process_time(), time.perf_counter()
                if main_profile:
                    main_profile.enable()
                result = drain(budget_seconds=3600)
                if main_profile:
                    main_profile.disable()
                cpu = time.process_time() - cpu_before
                elapsed = time.perf_counter() - started
                backends = set(backends) | set(backend_pids(db_name))
                pg_after, smtp_after = bench._cpu_ticks(backends), bench._cpu_ticks([smtp.pid])
                db.session.remove()
                db.engine.dispose()
            mail.send_email_in = original_send
            if result.sent != events:
                raise SystemExit(f"{events} events, {result.sent} sent")
            pg = sum(t - pg_before.get(pid, 0) for pid, t in pg_after.items()) / tick
            server = (smtp_after[smtp.pid] - smtp_before[smtp.pid]) / tick
            per = 1000 / events
            print(
                f"  round {n}{' (profiled)' if profiling else ''}: {events} mails in "
                f"{elapsed:.1f} s; CPU per mail: this process {cpu * per:.2f} ms, PostgreSQL "
                f"backends {pg * per:.2f} ms, SMTP server {server * per:.2f} ms; "
                f"load {load:.2f} -> {os.getloadavg()[0]:.2f}"
            )
            if profiling:
                out = io.StringIO()
                stats = pstats.Stats(main_profile, stream=out)
                for profile in threads.profiles:
                    stats.add(profile)
                stats.sort_stats(os.environ.get("BENCH_PROFILE_SORT", "tottime"))
                stats.print_stats(int(os.environ.get("BENCH_PROFILE_LINES", "60")))
                print(out.getvalue())
        return 0
    finally:
        _stop(smtp)
        _stop(redis_proc)
        bench._admin(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
