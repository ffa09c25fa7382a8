"""What each part of a voter-roll import costs, alone (issue 17: the floor under `flask voters import`).

    .venv/bin/python benchmarks/roll_floor.py [ROWS]        # default 1,000,000

Not in ``make bench``: it explains ``benchmarks/voter_roll.py``'s figure instead of adding one.
Prints a Markdown table of CPU seconds per part: the command's start-up (``flask ... voters
import --help`` as its own process, median of three), the keyed hash alone, the importer's whole
Python pass (``roll_file.records`` into COPY text), then, on a fresh PostgreSQL database
(``recall_bench_floor_<pid>`` on ``BENCH_PG``; PostgreSQL must run on this machine, its backend's
CPU is read from ``/proc``), the same rows copied into each table layout and each index and
statement after the load. The CPU of parallel index-build workers is not counted (see the wall).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import psycopg  # noqa: E402
from voter_roll import PG, _admin, add_body_with_districts, write_roll  # noqa: E402

COLUMNS = (
    "import_id, line_number, iin_hash, full_name, district_number, address, birth_date,"
    " removal_reason"
)


def backend_cpu(conn: psycopg.Connection) -> float:
    """CPU seconds so far of the connection's PostgreSQL backend (not of its parallel workers)."""
    fields = Path(f"/proc/{conn.info.backend_pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def row(part: str, wall: float | str, cpu: float, who: str) -> None:
    wall = f"{wall:.2f} s" if isinstance(wall, float) else wall
    print(f"| {part} | {who} | {cpu:.2f} s | {wall} |", flush=True)


def startup(env: dict) -> None:
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "voters", "import", "--help"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        _pid, _status, usage = os.wait4(proc.pid, 0)
        runs.append((usage.ru_utime + usage.ru_stime, time.perf_counter() - t0))
    cpu, wall = sorted(runs)[1]
    row("start-up: `flask --app wsgi voters import --help`", wall, cpu, "command")


def python_pass(app, body_id: int, csv_path: Path, copy_path: Path, rows: int) -> None:
    from recall.services.iin_hash import iin_hasher
    from recall.services.verification.roll_file import (
        Block,
        PlainRows,
        SeenHashes,
        _Validator,
        records,
    )
    from recall.services.verification.voter_roll import _district_keys, latest_minor_birth

    as_of = date(2026, 2, 1)
    with app.app_context():
        with open(csv_path, encoding="utf-8") as handle:
            iins = [line.split(",", 1)[0] for line in handle if line[0].isdigit()]
        hash_one = iin_hasher()
        t0 = time.process_time()
        for iin in iins:
            hash_one(iin)
        row(f"HMAC-SHA256 of {len(iins):,} IINs alone", "", time.process_time() - t0, "command")
        del iins
        validator = _Validator(as_of, _district_keys(body_id))
        plain = PlainRows(validator, 1, latest_minor_birth(as_of), SeenHashes())
        loaded = 0
        t0 = time.process_time()
        with open(csv_path, "rb") as stream, open(copy_path, "w", encoding="utf-8") as out:
            for item in records(stream, lambda n: None, validator, plain):
                if item.__class__ is Block:
                    out.write(item.text)
                    loaded += item.rows
        row(
            "Python pass: read, match, check, hash, COPY text",
            "",
            time.process_time() - t0,
            "command",
        )
        assert loaded == rows, loaded


def server_parts(url: str, csv_path: Path, copy_path: Path) -> None:
    with psycopg.connect(url, autocommit=True) as conn:

        def timed(part: str, *statements: str, copy: str | None = None, path=None) -> None:
            cpu0, t0 = backend_cpu(conn), time.perf_counter()
            if copy is not None:
                with conn.cursor() as cursor, cursor.copy(copy) as target, open(path, "rb") as f:
                    while chunk := f.read(1 << 20):
                        target.write(chunk)
            for statement in statements:
                conn.execute(statement)
            wall = time.perf_counter() - t0
            row(part, wall, backend_cpu(conn) - cpu0, "server")

        conn.execute(
            "CREATE TABLE bare_roll (iin text, full_name text, district_number int, address text)"
        )
        timed(
            "baseline: COPY CSV into a bare table",
            copy="COPY bare_roll FROM STDIN CSV HEADER",
            path=csv_path,
        )
        # The layout before migration 0048: one table, every index maintained row by row.
        conn.execute(
            "CREATE TABLE one_table (LIKE voter_roll_entries INCLUDING DEFAULTS, PRIMARY KEY (id))"
        )
        conn.execute("CREATE INDEX ON one_table (import_id, iin_hash)")
        conn.execute("CREATE INDEX ON one_table USING brin (import_id)")
        one = f"COPY one_table ({COLUMNS}) FROM STDIN"
        timed("COPY into one table with its indexes (before 0048)", copy=one, path=copy_path)
        timed("  the same again: the second import in that table", copy=one, path=copy_path)
        conn.execute("DROP TABLE one_table")
        # Now: the import's own table, indexed after the load, attached.
        loose = "voter_roll_entries_1"
        conn.execute(
            f"CREATE TABLE {loose} (LIKE voter_roll_entries INCLUDING DEFAULTS,"
            f" CHECK (import_id = 1))"
        )
        timed(
            "COPY into the import's own table, no index",
            copy=f"COPY {loose} ({COLUMNS}) FROM STDIN",
            path=copy_path,
        )
        timed(
            "  its primary key (import_id, id)",
            f"ALTER TABLE {loose} ADD PRIMARY KEY (import_id, id)",
        )
        timed("  its (import_id, iin_hash) index", f"CREATE INDEX ON {loose} (import_id, iin_hash)")
        timed("  ANALYZE", f"ANALYZE {loose}")
        timed(
            "  ATTACH PARTITION",
            f"ALTER TABLE voter_roll_entries ATTACH PARTITION {loose} FOR VALUES IN (1)",
        )
        timed(
            "voters per district (one pass over the import)",
            "SELECT district_number, removal_reason, count(*) FROM voter_roll_entries"
            " WHERE import_id = 1 GROUP BY 1, 2",
        )


def main() -> None:
    from recall import create_app
    from recall.extensions import db

    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    work = Path(tempfile.mkdtemp(prefix="roll-floor-"))
    csv_path, copy_path = work / "roll.csv", work / "roll.copy"
    name = f"recall_bench_floor_{os.getpid()}"
    url = f"{PG}/{name}"
    secrets = {"SECRET_KEY": uuid.uuid4().hex * 2, "IIN_HASH_KEY": uuid.uuid4().hex * 2}
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{name}"')
    try:
        write_roll(csv_path, rows)
        app = create_app({"SKIP_ENV_CONFIG": True, **secrets, "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            db.create_all()
            body = add_body_with_districts("floor", "Floor")
            db.session.commit()
            body_id = body.id
            db.engine.dispose()
        print(f"{rows:,} rows, {csv_path.stat().st_size / 1e6:.0f} MB")
        print("| part | who | CPU | wall |\n|---|---|---|---|")
        env = {**os.environ, "RECALL_ENV": "benchmark", **secrets, "DATABASE_URL": url}
        env["PYTHONPATH"] = str(ROOT)
        startup(env)
        python_pass(app, body_id, csv_path, copy_path, rows)
        server_parts(url.replace("+psycopg", ""), csv_path, copy_path)
        print("load", " ".join(Path("/proc/loadavg").read_text().split()[:3]))
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        csv_path.unlink(missing_ok=True)
        copy_path.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
