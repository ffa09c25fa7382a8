"""Confirmation mail throughput against signing throughput (run by `make bench`).

On loopback only, in about a minute and a half:

1. a fresh PostgreSQL database (as ``benchmarks/signing.py``), a ``redis-server`` of its own on a
   free port, a real SMTP server (aiosmtpd) in this process, gunicorn serving the app;
2. ``WORKERS`` ``flask worker`` processes are started and paused (RQ's suspension), ``SIGNATURES``
   signatures are taken through ``POST /api/v1/petitions/<id>/signatures`` by ``CLIENTS``
   threads (signatures/s), then the workers are resumed and deliver the confirmation mails
   (mails/s, from the resume to the last mail the SMTP server accepted);
3. steady load: ``STEADY_RATE`` signatures/s for ``STEADY_SECONDS`` with the workers running;
   the time from each signature's 202 to its mail being accepted gives the 50th/95th percentile.

Targets (issue 12): mails/s >= 1.0 x signatures/s with 2 workers; p95 <= 30 s at 100/s.
``BENCH_FORK=1`` runs the workers with ``--fork`` (a work horse per job, RQ's default) to compare.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import signing as bench  # noqa: E402  (benchmarks/signing.py: database, seeding, HTTP helpers)
import sqlalchemy as sa  # noqa: E402
from aiosmtpd.controller import Controller  # noqa: E402
from redis import Redis  # noqa: E402

# 3,000: at 600 each burst lasted about 1.4 s on this machine, so the workers' resume and the
# scheduler's noise weighed as much as the sending itself (runs ranged 0.99-1.44 at 3,000).
SIGNATURES = int(os.environ.get("BENCH_SIGNATURES", "3000"))
WORKERS = int(os.environ.get("BENCH_MAIL_WORKERS", "2"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
STEADY_RATE = float(os.environ.get("BENCH_STEADY_RATE", "100"))
STEADY_SECONDS = float(os.environ.get("BENCH_STEADY_SECONDS", "60"))
FORK = os.environ.get("BENCH_FORK") == "1"
QUEUE = "recall"


class Mailbox:
    """The SMTP server's handler: when each recipient's message was accepted."""

    def __init__(self):
        self.accepted: dict[str, float] = {}
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        now = time.perf_counter()
        with self.lock:
            self.count += 1
            for rcpt in envelope.rcpt_tos:
                self.accepted.setdefault(rcpt, now)
        return "250 Message accepted for delivery"


def _start_redis() -> tuple[subprocess.Popen, str]:
    port = bench._free_port()
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(100):
        try:
            Redis.from_url(url).ping()
            return proc, url
        except Exception:
            time.sleep(0.1)
    raise SystemExit("redis-server did not start")


def _stop(proc: subprocess.Popen | None, group: bool = False) -> None:
    if proc is None or proc.poll() is not None:
        return
    if group:
        os.killpg(proc.pid, signal.SIGTERM)
    else:
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise SystemExit(f"timed out waiting for {what}")


def _sign_request(petitions, iins, email: str):
    target = petitions[hash(email) % len(petitions)]
    return (
        "POST",
        f"/api/v1/petitions/{target['id']}/signatures",
        {
            "full_name": "Әлия Қасымова",
            "iin": iins.next(),
            "email": email,
            "district_id": target["district_id"],
            "consent": True,
        },
    )


def _burst(port: int, petitions, iins, emails: list[str]) -> float:
    """Sign once per address with CLIENTS threads; return the elapsed seconds."""
    pending = list(emails)
    lock = threading.Lock()
    failures = []

    def client():
        while True:
            with lock:
                if not pending:
                    return
                email = pending.pop()
            status = bench._request(port, *_sign_request(petitions, iins, email))
            if status != 202:
                failures.append(status)

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise SystemExit(f"{len(failures)} signing requests failed: {sorted(set(failures))}")
    return time.perf_counter() - started


def _steady(port: int, petitions, iins, mailbox: Mailbox) -> tuple[int, list[float]]:
    """STEADY_RATE signatures/s for STEADY_SECONDS; return (count, latencies to the mail)."""
    total = int(STEADY_RATE * STEADY_SECONDS)
    signed: dict[str, float] = {}
    lock = threading.Lock()
    next_index = [0]
    start = time.perf_counter() + 0.2

    def client():
        while True:
            with lock:
                index = next_index[0]
                next_index[0] += 1
            if index >= total:
                return
            delay = start + index / STEADY_RATE - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            email = f"steady-{index}@example.org"
            if bench._request(port, *_sign_request(petitions, iins, email)) == 202:
                signed[email] = time.perf_counter()

    threads = [threading.Thread(target=client) for _ in range(max(CLIENTS, 16))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    _wait(lambda: all(e in mailbox.accepted for e in signed), 300, "the steady-load mails")
    return len(signed), sorted(mailbox.accepted[e] - t for e, t in signed.items())


def _cpu_seconds(procs: list[subprocess.Popen]) -> tuple[float, float]:
    """(user, system) CPU seconds the processes have used so far (all threads), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    user = system = 0
    for proc in procs:
        with open(f"/proc/{proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        user, system = user + int(fields[11]), system + int(fields[12])
    return user / ticks, system / ticks


def backend_pids(db_name: str) -> list[int]:
    """The PostgreSQL backends connected to ``db_name`` now."""
    engine = sa.create_engine(f"{bench.PG}/postgres", poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        pids = conn.execute(
            sa.text("SELECT pid FROM pg_stat_activity WHERE datname = :n"), {"n": db_name}
        )
        found = list(pids.scalars())
    engine.dispose()
    return found


class _CpuShares:
    """CPU of what else the mail phase runs on, by part, from /proc: the PostgreSQL backends of
    the benchmark's database (by pid), every PostgreSQL process (its WAL writer too, but also
    anyone else's work on the shared server), this benchmark's Redis, gunicorn (idle in this
    phase) and the SMTP server's thread in this process."""

    def __init__(self, db_name: str, redis_proc, gunicorn, smtp_thread: threading.Thread):
        self.db_name = db_name
        self.fixed = {
            "Redis": [redis_proc.pid],
            "gunicorn": [gunicorn.pid, *bench._children(gunicorn.pid)],
            "SMTP server (aiosmtpd thread)": [smtp_thread.native_id],  # /proc/<tid> is the thread
        }

    def snapshot(self) -> dict[str, dict[int, int]]:
        parts = {
            **self.fixed,
            "PostgreSQL backends": backend_pids(self.db_name),
            "PostgreSQL, all processes": bench.processes_named("postgres"),
        }
        return {part: bench._cpu_ticks(pids) for part, pids in parts.items()}

    @staticmethod
    def seconds(before, after) -> dict[str, float]:
        # A process started during the phase counts from zero; one that ended is not seen.
        tick = os.sysconf("SC_CLK_TCK")
        return {
            part: sum(t - before[part].get(pid, 0) for pid, t in after[part].items()) / tick
            for part in after
        }


def seed(env: dict[str, str]) -> list[dict]:
    """``signing``'s petitions, and the notification rules (a signer's confirmation mail)."""
    petitions = bench._seed(env)
    from recall import create_app
    from recall.extensions import db
    from recall.notifications.rules import ensure_default_rules

    app = create_app()
    with app.app_context():
        ensure_default_rules()
        db.session.commit()
        db.engine.dispose()
    return petitions


def _percentile(values: list[float], p: float) -> float:
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def main() -> int:
    from rq.suspension import resume, suspend

    db_name = f"recall_bench_mail_{os.getpid()}"
    db_url = f"{bench.PG}/{db_name}"
    bench._admin(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
    bench._admin(f'CREATE DATABASE "{db_name}"')
    redis_proc, redis_url = _start_redis()
    mailbox = Mailbox()
    smtp_port = bench._free_port()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    gunicorn, workers = None, []
    try:
        bench.REDIS = redis_url
        env = bench._environment(db_url, use_redis=True)
        env.update(
            {
                "REDIS_URL": redis_url,
                "RQ_QUEUE_NAME": QUEUE,
                "MAIL_SERVER": "127.0.0.1",
                "MAIL_PORT": str(smtp_port),
                "MAIL_USE_TLS": "0",
                "RECALL_BENCHMARK_ENDPOINTS": "0",
            }
        )
        petitions = seed(env)

        port = bench._free_port()
        gunicorn = subprocess.Popen(
            [
                *(str(ROOT / ".venv/bin/gunicorn"), "--workers", str(bench.WORKERS)),
                "--no-control-socket",
                *("--bind", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"),
            ],
            cwd=ROOT,
            env=env,
        )
        bench._wait_ready(port, gunicorn)
        connection = Redis.from_url(redis_url)
        suspend(connection)
        worker_args = ["--fork"] if FORK else []
        for n in range(WORKERS):
            log = open(f"/tmp/recall-bench-worker-{os.getpid()}-{n}.log", "wb")  # noqa: SIM115
            workers.append(
                subprocess.Popen(
                    [str(ROOT / ".venv/bin/flask"), "--app", "wsgi", "worker", *worker_args],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        from rq import Worker

        _wait(lambda: len(Worker.all(connection=connection)) >= WORKERS, 60, "the workers")
        print(
            f"recall notification benchmark: gunicorn {bench.WORKERS} sync workers, {CLIENTS} "
            f"clients, {WORKERS} flask worker{'s' if WORKERS > 1 else ''}"
            f"{' --fork' if FORK else ''}, SMTP on loopback"
        )
        iins = bench._Iins()
        _burst(port, petitions, iins, [f"warm-{n}@example.org" for n in range(20)])
        emails = [f"burst-{n}@example.org" for n in range(SIGNATURES)]
        sign_seconds = _burst(port, petitions, iins, emails)
        sign_rate = SIGNATURES / sign_seconds
        shares = _CpuShares(db_name, redis_proc, gunicorn, smtp._thread)
        shares_before = shares.snapshot()
        cpu_before = _cpu_seconds(workers)
        resumed = time.perf_counter()
        resume(connection)
        _wait(lambda: all(e in mailbox.accepted for e in emails), 600, "the confirmation mails")
        cpu_after = _cpu_seconds(workers)
        shares_after = shares.snapshot()
        user, system = cpu_after[0] - cpu_before[0], cpu_after[1] - cpu_before[1]
        worker_cpu = user + system
        mail_seconds = max(mailbox.accepted[e] for e in emails) - resumed
        mail_rate = SIGNATURES / mail_seconds
        ratio = mail_rate / sign_rate
        print(f"  signing   {SIGNATURES} signatures in {sign_seconds:5.1f} s  {sign_rate:7.1f} /s")
        print(f"  mail      {SIGNATURES} mails      in {mail_seconds:5.1f} s  {mail_rate:7.1f} /s")
        print(
            f"  workers' CPU {worker_cpu:5.1f} s (user {user:.1f}, system {system:.1f}): "
            f"{1000 * worker_cpu / SIGNATURES:.2f} ms per mail"
            f"{'' if not FORK else ' (work horses not counted)'}"
        )
        for part, seconds in _CpuShares.seconds(shares_before, shares_after).items():
            print(f"    {part:32} {seconds:5.1f} s  {1000 * seconds / SIGNATURES:.2f} ms per mail")
        print(
            f"  mails/s / signatures/s  {ratio:5.2f}  (>= 1.0)  {'ok' if ratio >= 1 else 'BELOW TARGET'}"
        )
        ok = ratio >= 1.0
        if STEADY_SECONDS > 0:
            count, latencies = _steady(port, petitions, iins, mailbox)
            p50, p95 = _percentile(latencies, 50), _percentile(latencies, 95)
            print(
                f"  steady    {count} signatures at {STEADY_RATE:g}/s for {STEADY_SECONDS:g} s: "
                f"signature -> mail accepted p50 {p50:.2f} s, p95 {p95:.2f} s, max {latencies[-1]:.2f} s"
                f"  (p95 <= 30 s)  {'ok' if p95 <= 30 else 'BELOW TARGET'}"
            )
            ok = ok and p95 <= 30
        duplicates = mailbox.count - len(mailbox.accepted)
        print(
            f"  messages {mailbox.count}, distinct recipients {len(mailbox.accepted)}, repeats {duplicates}"
        )
        return 0 if ok and duplicates == 0 else 1
    finally:
        for worker in workers:
            _stop(worker, group=True)
        _stop(gunicorn)
        smtp.stop()
        _stop(redis_proc)
        bench._admin(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
