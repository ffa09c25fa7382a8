"""Voter-roll import: time and memory for a generated roll (not a unit test; run it by hand).

    .venv/bin/python benchmarks/voter_roll.py [ROWS ...]        # default: 50000

By default each size runs ``flask voters import`` as its own process against ``psql \\copy``
of the same file into a bare table (the issue's baseline), printing both times, their ratio, the
command's own CPU, the server's CPU for each (the PostgreSQL processes serving the benchmark's
database, sampled from ``/proc``: PostgreSQL must run on this machine) and the command's peak
RSS (``100000 1000000`` compares the memory of two sizes).
``BENCH_IN_PROCESS=1`` runs the older in-process measurement described next.

For each size it creates a fresh PostgreSQL database (``recall_bench_roll_<pid>`` on ``BENCH_PG``,
default ``postgresql+psycopg://postgres@127.0.0.1:5432``) with one body of 29 districts, writes a
CSV of ROWS valid voters, imports it twice through ``recall.services.verification.voter_roll.import_file`` (the
second import replaces the first, as a re-upload for the same date does) and prints rows/second
of the first, the peak Python heap (tracemalloc) of the second and the process's peak RSS. The Python heap stays flat as
the file grows: the file is read line by line and loaded in chunks of ``CHUNK_ROWS`` through COPY.
Set ``BENCH_SQLITE=1`` to measure the SQLite path (batched INSERT) instead.
"""

from __future__ import annotations

import contextlib
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
import uuid
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
import sqlalchemy as sa  # noqa: E402

PG = os.environ.get("BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
DISTRICTS = 29


def _admin(sql: str) -> None:
    engine = sa.create_engine(f"{PG}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(sql))
    engine.dispose()


def write_roll(path: Path, rows: int) -> None:
    """A roll of ``rows`` distinct valid IINs (generated, not real people), streamed to disk."""
    from recall.rules.iin import make_iin

    with open(path, "w", encoding="utf-8") as handle:
        handle.write("iin,full_name,district_number,address\n")
        made = 0
        day = 0
        while made < rows:
            born = date(1940 + day % 60, 1 + day // 60 % 12, 1 + day // 720 % 28)
            for serial in range(0, 10_000, 7):
                if made >= rows:
                    break
                iin = make_iin(born, "female" if serial % 2 else "male", serial)
                handle.write(
                    f'{iin},Voter {made},{1 + made % DISTRICTS},"Street {made % 500}, {made}"\n'
                )
                made += 1
            day += 1


def add_body_with_districts(slug: str, name: str):
    """A Mazhilis-like body with ``DISTRICTS`` numbered districts, flushed (inside an app context)."""
    from recall.extensions import db
    from recall.models import Body, BodyLevel, District
    from recall.services.deputies.body_kinds import get_kind

    body = Body(slug=slug, name=name, kind=get_kind(BodyLevel.MAZHILIS), seats_total=98)
    body.seats_party_list = 69
    db.session.add(body)
    db.session.flush()
    for n in range(1, DISTRICTS + 1):
        db.session.add(District(body_id=body.id, number=n, name=f"D {n}", region="B"))
    return body


def run(rows: int, sqlite: bool) -> None:
    from recall import create_app
    from recall.extensions import db
    from recall.models import Body, BodyLevel, District
    from recall.services.deputies.body_kinds import get_kind
    from recall.services.verification import voter_roll

    workdir = Path(tempfile.mkdtemp(prefix="roll-bench-"))
    name = f"recall_bench_roll_{os.getpid()}"
    url = f"sqlite:///{workdir / 'bench.db'}" if sqlite else f"{PG}/{name}"
    if not sqlite:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _admin(f'CREATE DATABASE "{name}"')
    app = create_app(
        {
            "SKIP_ENV_CONFIG": True,
            "SECRET_KEY": uuid.uuid4().hex,
            "IIN_HASH_KEY": uuid.uuid4().hex,
            "AUDIT_KEY": uuid.uuid4().hex,
            "SQLALCHEMY_DATABASE_URI": url,
            "RATELIMIT_STORAGE_URI": "memory://",
            "REDIS_URL": None,
            "PRIVACY_PURGE_DAYS": 180,
            "LANGUAGES": ("en",),
            "BABEL_DEFAULT_LOCALE": "en",
        }
    )
    csv_path = workdir / "roll.csv"
    started = time.perf_counter()
    write_roll(csv_path, rows)
    size = csv_path.stat().st_size
    print(
        f"{rows:,} rows, {size / 1e6:.1f} MB written in {time.perf_counter() - started:.1f}s "
        f"({'SQLite' if sqlite else 'PostgreSQL'})"
    )
    try:
        with app.app_context():
            db.create_all()
            body = Body(
                slug="bench",
                name="Bench",
                kind=get_kind(BodyLevel.MAZHILIS),
                seats_total=98,
                seats_party_list=69,
            )
            db.session.add(body)
            db.session.flush()
            for n in range(1, DISTRICTS + 1):
                db.session.add(
                    District(body_id=body.id, number=n, name=f"District {n}", region="Bench")
                )
            db.session.commit()
            # The first import is timed as is; the replacement runs under tracemalloc (several
            # times slower) to measure the peak Python heap.
            for attempt, traced in (("first import", False), ("replacement", True)):
                if traced:
                    tracemalloc.start()
                t0 = time.perf_counter()
                result = voter_roll.import_file(
                    None, body.id, date(2026, 2, 1), str(csv_path), checkpoint=db.session.commit
                )
                db.session.commit()
                elapsed = time.perf_counter() - t0
                assert result.accepted and result.rows_loaded == rows, result.summary()
                if traced:
                    _current, peak = tracemalloc.get_traced_memory()
                    tracemalloc.stop()
                    print(
                        f"  {attempt:<12} peak Python heap {peak / 2**20:5.1f} MiB (under tracemalloc)"
                    )
                else:
                    print(f"  {attempt:<12} {elapsed:6.1f}s  {rows / elapsed:9,.0f} rows/s")
            total = db.session.scalar(sa.select(sa.func.sum(District.registered_voters)))
            assert total == rows, total
            db.session.remove()
            db.engine.dispose()
    finally:
        if not sqlite:
            _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        csv_path.unlink(missing_ok=True)
    print(
        f"  peak RSS of the process so far {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )


class ServerCPU(threading.Thread):
    """The CPU of the PostgreSQL processes serving database ``name`` (backends and their parallel
    workers, from ``/proc``; PostgreSQL must run on this machine), sampled every 50 ms while a
    client works: on a shared machine a steadier figure than wall time, and the server's share of
    an import, which the client's own CPU leaves out. A process's last 50 ms may be missed."""

    def __init__(self, name: str):
        super().__init__(daemon=True)
        self.name, self.seen, self.done = name, {}, threading.Event()
        self.conn = psycopg.connect(PG.replace("+psycopg", "") + "/postgres", autocommit=True)

    def run(self) -> None:
        while not self.done.wait(0.05):
            for (pid,) in self.conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", (self.name,)
            ):
                with contextlib.suppress(OSError):
                    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                    self.seen[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> float:
        self.done.set()
        self.join()
        self.conn.close()
        return sum(self.seen.values())


def run_command(rows: int) -> dict:
    """``flask voters import`` as its own process against ``psql \\copy`` of the same file into a
    bare table of the same four text/integer columns (the issue's baseline, the median of three
    runs); the command's wall time, its own CPU and peak RSS (``wait4``). Returns the figures."""
    from recall import create_app
    from recall.extensions import db

    workdir = Path(tempfile.mkdtemp(prefix="roll-bench-"))
    name = f"recall_bench_roll_{os.getpid()}"
    url = f"{PG}/{name}"
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{name}"')
    secrets = {"SECRET_KEY": uuid.uuid4().hex * 2, "IIN_HASH_KEY": uuid.uuid4().hex * 2}
    app = create_app({"SKIP_ENV_CONFIG": True, **secrets, "SQLALCHEMY_DATABASE_URI": url})
    csv_path = workdir / "roll.csv"
    write_roll(csv_path, rows)
    try:
        with app.app_context():
            db.create_all()
            add_body_with_districts("bench", "Bench")
            db.session.execute(
                sa.text(
                    "CREATE TABLE bare_roll (iin text, full_name text, district_number int,"
                    " address text)"
                )
            )
            db.session.commit()
            db.engine.dispose()
        plain = url.replace("postgresql+psycopg://", "postgresql://")
        # The median of three: on a machine shared with other work a single \copy of a second
        # or two moved the ratio by half.
        copies = []
        for _ in range(3):
            subprocess.run(["psql", "-q", plain, "-c", "TRUNCATE bare_roll"], check=True)
            server = ServerCPU(name)
            server.start()
            t0 = time.perf_counter()
            subprocess.run(
                ["psql", "-q", plain, "-c", f"\\copy bare_roll FROM '{csv_path}' CSV HEADER"],
                check=True,
            )
            copies.append((time.perf_counter() - t0, server.stop()))
        t_copy, copy_server = sorted(copies)[1]
        env = {**os.environ, "RECALL_ENV": "benchmark", **secrets, "DATABASE_URL": url}
        env["PYTHONPATH"] = str(ROOT)
        args = [sys.executable, "-m", "flask", "--app", "wsgi", "voters", "import", str(csv_path)]
        args += ["--body", "bench", "--as-of", "2026-02-01", "--no-progress"]
        server = ServerCPU(name)
        server.start()
        t0 = time.perf_counter()
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
        _pid, status, usage = os.wait4(proc.pid, 0)
        t_import = time.perf_counter() - t0
        import_server = server.stop()
        assert status == 0, f"flask voters import exited with {status}"
        figures = {
            "rows": rows,
            "mb": csv_path.stat().st_size / 1e6,
            "copy": t_copy,
            "import": t_import,
            "rss": usage.ru_maxrss / 1024,
            # The command's own CPU (Python: start-up, reading, checking, hashing), not the
            # PostgreSQL backend's: on a loaded machine a steadier figure than the wall time.
            "cpu": usage.ru_utime + usage.ru_stime,
            "server": import_server,
            "copy_server": copy_server,
        }
        print(
            f"| {rows:,} | {figures['mb']:.0f} MB | {t_import:.1f} s | {t_copy:.1f} s "
            f"| **{t_import / t_copy:.1f}** | {figures['cpu']:.1f} s "
            f"| {import_server:.1f} s / {copy_server:.1f} s | {figures['rss']:.0f} MB | "
            f"{' '.join(Path('/proc/loadavg').read_text().split()[:3])} |"
        )
        return figures
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        csv_path.unlink(missing_ok=True)


if __name__ == "__main__":
    sizes = [int(a) for a in sys.argv[1:]] or [50_000]
    if os.environ.get("BENCH_IN_PROCESS") == "1" or os.environ.get("BENCH_SQLITE") == "1":
        for size in sizes:
            run(size, sqlite=os.environ.get("BENCH_SQLITE") == "1")
    else:
        print(
            "| rows | file | flask voters import | psql \\copy | ratio | its CPU "
            "| server CPU: import / \\copy | peak RSS | load |"
        )
        print("|---|---|---|---|---|---|---|---|---|")
        results = [run_command(size) for size in sizes]
        if len(results) > 1:
            small, big = results[0], results[-1]
            print(
                f"peak RSS {big['rows']:,} / {small['rows']:,} rows: {big['rss'] / small['rss']:.2f}"
            )
