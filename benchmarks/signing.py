"""Signing throughput through the real HTTP stack, driven by ``wrk`` (run by `make bench`).

What it does, in about half a minute, on loopback only:

1. creates a fresh PostgreSQL database (``recall_bench_<pid>`` on ``BENCH_PG``, default
   ``postgresql+psycopg://postgres@127.0.0.1:5432``), its tables, and ``PETITIONS`` collecting
   petitions, each in its own district, and starts a ``redis-server`` of its own;
2. serves the app with gunicorn (``WORKERS`` sync workers) on that database and Redis, as in
   production: events handed over after commit, the rate limiter counting in Redis (limits set
   high enough for one client address), and, served the same way, the baseline
   ``benchmarks/minimal_app.py``: Flask + psycopg, one INSERT into the same table, one commit;
3. drives each with ``wrk`` (``CONNECTIONS`` connections, ``benchmarks/signing.lua``: a distinct
   valid IIN per request) for ``PHASE_SECONDS`` per phase, in ``ROUNDS`` rounds that rotate the
   phases so that noise on a shared machine hits each alike:
   * ``plain``: the minimal endpoint, spread over the petitions;
   * ``sign spread`` / ``sign hot``: ``POST /api/v1/petitions/<id>/signatures`` with every check,
     spread over all petitions but one / all on that one;
4. checks that every response was a 202 and that the database holds one row per request, prints
   the rates and the ratios against the targets, and drops the database.

Targets (issue 12): signing >= 0.5 x plain; hot >= 0.8 x spread. ``wrk`` comes from the Debian
package (``make bench`` installs it when missing).
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

PG = os.environ.get("BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/9")
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))  # Python client threads (notifications.py)
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))  # gunicorn sync workers, for both servers
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))  # wrk connections
WRK_THREADS = int(os.environ.get("BENCH_WRK_THREADS", "2"))
WRK = os.environ.get("BENCH_WRK", "wrk")
PHASE_SECONDS = float(os.environ.get("BENCH_PHASE_SECONDS", "6"))  # per phase, split into rounds
ROUNDS = 3
PETITIONS = 16


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _redis_reachable() -> bool:
    try:
        from redis import Redis

        Redis.from_url(REDIS, socket_connect_timeout=1).ping()
        return True
    except Exception:
        return False


def _admin(sql: str) -> None:
    engine = sa.create_engine(f"{PG}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(sql))
    engine.dispose()


def _environment(db_url: str, use_redis: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env.update(
        {
            "DATABASE_URL": db_url,
            "SECRET_KEY": uuid.uuid4().hex,
            "IIN_HASH_KEY": uuid.uuid4().hex,
            "AUDIT_KEY": uuid.uuid4().hex,
            "RATELIMIT_ENABLED": "false",
            "RECALL_BENCHMARK_ENDPOINTS": "1",
            "RECALL_ENV": "benchmark",
            "PUBLIC_BASE_URL": "http://bench.invalid",
            "MAIL_SERVER": "",
        }
    )
    if use_redis:
        env["REDIS_URL"] = REDIS
    return env


def _seed(env: dict[str, str]) -> list[dict]:
    """Create tables and PETITIONS collecting petitions; return what clients need to sign them."""
    os.environ.update(env)
    from recall import create_app
    from recall.extensions import db
    from recall.models import (
        Body,
        BodyLevel,
        Deputy,
        District,
        MandateType,
        Petition,
        PetitionState,
        RecallRuleVersion,
        User,
    )
    from recall.models.base import utcnow
    from recall.rules.rule_presets import PRESETS
    from recall.services.deputies.body_kinds import get_kind

    app = create_app()
    with app.app_context():
        db.create_all()
        # A public running count (milestones while signing), signed online (the preset: paper only).
        rule = {**PRESETS["california_local"].to_dict(), "signing_channels": ["online_email"]}
        version = RecallRuleVersion(key="bench", name=rule["name"], data=rule, is_preset=True)
        body = Body(
            slug="bench",
            name="Bench body",
            kind=get_kind(BodyLevel.MAZHILIS),
            seats_total=98,
            seats_party_list=69,
        )
        user = User(email="initiator@bench.invalid", display_name="Initiator", password_hash="x")
        db.session.add_all([version, body, user])
        now = utcnow()
        petitions = []
        for n in range(1, PETITIONS + 1):
            district = District(
                body=body,
                number=n,
                name=f"District {n}",
                region="Bench",
                registered_voters=5_000_000,
                voters_as_of=date(2023, 3, 19),
            )
            deputy = Deputy(
                full_name=f"Deputy {n}",
                body=body,
                district=district,
                mandate_type=MandateType.SINGLE_MANDATE,
                term_start=date(2023, 3, 29),
                term_end=date(2028, 3, 28),
                external_id=f"bench-{n}",
            )
            petition = Petition(
                deputy=deputy,
                district=district,
                body=body,
                rule_version=version,
                state=PetitionState.COLLECTING,
                grounds="Benchmark.",
                initiator=user,
                opens_at=now - timedelta(days=1),
                closes_at=now + timedelta(days=30),
                registered_voters=5_000_000,
                required_signatures=1_000_000,
            )
            db.session.add(petition)
            petitions.append(petition)
        db.session.commit()
        result = [{"id": p.id, "district_id": p.district_id} for p in petitions]
        db.engine.dispose()
    return result


class _Iins:
    """A thread-safe supply of distinct valid adult IINs."""

    def __init__(self):
        from recall.rules.iin import make_iin

        self._make = make_iin
        self._lock = threading.Lock()
        self._n = 0

    def next(self) -> str:
        with self._lock:
            self._n += 1
            n = self._n
        born = date(1950, 1, 1) + timedelta(days=n // 9000)
        return self._make(born, "female" if n % 2 else "male", n % 9000)


def _request(port: int, method: str, path: str, body: dict | None = None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        headers = (
            {"Content-Type": "application/json", "Accept": "application/json"} if payload else {}
        )
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def _wait_ready(port: int, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit("gunicorn exited during start-up")
        try:
            if _request(port, "GET", "/api/v1/bodies") == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not become ready")


def _start_redis() -> tuple[subprocess.Popen, str]:
    """A ``redis-server`` of the benchmark's own, on a free port, without persistence."""
    from redis import Redis

    port = _free_port()
    proc = subprocess.Popen(
        [
            *("redis-server", "--port", str(port), "--bind", "127.0.0.1"),
            *("--save", "", "--appendonly", "no"),
        ],
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


def _serve(app: str, env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    proc = subprocess.Popen(
        [
            *(
                str(ROOT / ".venv/bin/gunicorn"),
                "--workers",
                str(WORKERS),
                "--worker-class",
                "sync",
            ),
            # No control socket: its one default path is shared by every gunicorn on the machine.
            *("--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--no-control-socket", app),
        ],
        cwd=ROOT,
        env=env,
    )
    return proc, port


def _wait_port(port: int, proc: subprocess.Popen, method: str, path: str, body=None) -> None:
    deadline = time.time() + 120  # a loaded shared machine starts 4 workers slowly
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit("gunicorn exited during start-up")
        try:
            _request(port, method, path, body)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not become ready")


def _wrk(port: int, mode: str, targets: list[dict], run: int, seconds: float) -> dict:
    env = {
        **os.environ,
        "BENCH_MODE": mode,
        "BENCH_RUN": str(run),
        "BENCH_PETITIONS": ",".join(f"{t['id']}:{t['district_id']}" for t in targets),
    }
    result = subprocess.run(
        [
            *(WRK, "-t", str(WRK_THREADS), "-c", str(CONNECTIONS), "-d", f"{seconds:g}s"),
            *("-s", str(ROOT / "benchmarks/signing.lua"), f"http://127.0.0.1:{port}"),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    line = next((x for x in result.stdout.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(f"wrk gave no result:\n{result.stdout}\n{result.stderr}")
    outcome = json.loads(line[len("RESULT ") :])
    if outcome["non2xx"] or outcome["errors"]:
        raise SystemExit(
            f"{mode} run {run}: {outcome['non2xx']} non-2xx, {outcome['errors']} errors"
        )
    return outcome


def _processes_where(wanted, file: str) -> list[int]:
    """The pids whose ``/proc/<pid>/<file>`` text ``wanted`` accepts (processes that end while
    being read are left out)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                text = (entry / file).read_text()
            except OSError:
                continue
            if wanted(text):
                found.append(int(entry.name))
    return found


def _children(pid: int) -> list[int]:
    """The pids whose parent is ``pid`` (gunicorn's workers)."""
    return _processes_where(lambda stat: int(stat.rsplit(")", 1)[1].split()[1]) == pid, "stat")


def processes_named(name: str) -> list[int]:
    """The pids whose command name is ``name``."""
    return _processes_where(lambda comm: comm.strip() == name, "comm")


def _cpu_ticks(pids) -> dict[int, int]:
    """User plus system clock ticks each pid has used so far (pids that are gone are left out)."""
    ticks = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks[pid] = int(fields[11]) + int(fields[12])
    return ticks


class _ServerCpu:
    """CPU used on the server side of a phase, in three parts: the gunicorn workers of both
    servers, the benchmark database's PostgreSQL backends and the benchmark's redis-server (not
    wrk). On a shared machine rates follow the others' load; CPU per request follows the code."""

    PARTS = ("app", "postgres", "redis")

    def __init__(self, db_name: str, db_url: str, masters: list[int], redis_pid: int):
        self.masters, self.redis_pid = masters, redis_pid
        self.engine = sa.create_engine(db_url, poolclass=sa.pool.NullPool)
        self.query = sa.text("SELECT pid FROM pg_stat_activity WHERE datname = :name")
        self.db_name = db_name

    def _ticks(self) -> dict[str, dict[int, int]]:
        with self.engine.connect() as conn:
            backends = conn.execute(self.query, {"name": self.db_name}).scalars().all()
        workers = [pid for master in self.masters for pid in _children(master)]
        return {
            "app": _cpu_ticks(workers),
            "postgres": _cpu_ticks(backends),
            "redis": _cpu_ticks([self.redis_pid]),
        }

    def start(self) -> None:
        self.before = self._ticks()

    def seconds(self) -> dict[str, float]:
        """CPU seconds per part since :meth:`start`."""
        after, tick = self._ticks(), os.sysconf("SC_CLK_TCK")
        return {
            part: sum(t - self.before[part].get(pid, 0) for pid, t in after[part].items()) / tick
            for part in self.PARTS
        }


def _count_rows(db_url: str) -> int:
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        count = conn.execute(sa.text("SELECT count(*) FROM signatures")).scalar_one()
    engine.dispose()
    return count


def main() -> int:
    import shutil

    if shutil.which(WRK) is None:
        raise SystemExit("wrk is not installed (apt-get install -y wrk; `make bench` does it)")
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    db_name = f"recall_bench_{os.getpid()}"
    db_url = f"{PG}/{db_name}"
    _admin(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{db_name}"')
    redis_proc, redis_url = _start_redis()
    servers: list[subprocess.Popen] = []
    try:
        global REDIS
        REDIS = redis_url
        env = _environment(db_url, use_redis=True)
        env.update(
            {
                "RATELIMIT_ENABLED": "true",
                # Counted in Redis as in production (two limits, as the default); high enough for one address.
                "SIGNING_RATE_LIMIT": "100000000 per minute;1000000000 per day",
                "RECALL_BENCHMARK_ENDPOINTS": "0",
            }
        )
        petitions = _seed(env)
        app_proc, app_port = _serve("wsgi:app", env)
        servers.append(app_proc)
        minimal_env = {
            **env,
            "MINIMAL_DATABASE_URL": db_url.replace("postgresql+psycopg://", "postgresql://"),
        }
        minimal_proc, minimal_port = _serve("benchmarks.minimal_app:app", minimal_env)
        servers.append(minimal_proc)
        _wait_port(app_port, app_proc, "GET", "/healthz")
        _wait_port(minimal_port, minimal_proc, "GET", "/")
        cpu = _ServerCpu(db_name, db_url, [p.pid for p in servers], redis_proc.pid)
        hot, spread = petitions[:1], petitions[1:]
        print(
            f"recall signing benchmark: wrk {WRK_THREADS} threads, {CONNECTIONS} connections; "
            f"gunicorn {WORKERS} sync workers for the app and for the minimal endpoint; "
            f"{len(petitions)} petitions, Redis for events and rate limits"
        )
        phases = [
            ("plain", minimal_port, "plain", petitions),
            ("sign_spread", app_port, "sign", spread),
            ("sign_hot", app_port, "sign", hot),
        ]
        run = 0
        for _name, port, mode, targets in phases:  # warm-up, not counted
            _wrk(port, mode, targets, run, 1)
            run += 1
        done = {name: [0, 0.0, dict.fromkeys(_ServerCpu.PARTS, 0.0)] for name, *_ in phases}
        for round_no in range(ROUNDS):
            for name, port, mode, targets in phases[round_no:] + phases[:round_no]:
                cpu.start()
                outcome = _wrk(port, mode, targets, run, PHASE_SECONDS / ROUNDS)
                for part, used in cpu.seconds().items():
                    done[name][2][part] += used
                run += 1
                done[name][0] += outcome["requests"]
                done[name][1] += outcome["seconds"]
        rows = _count_rows(db_url)
        expected = sum(count for count, *_ in done.values())
        rates = {name: count / elapsed for name, (count, elapsed, _) in done.items()}
        cpu_per = {
            name: {part: 1000 * used / count for part, used in parts.items()}
            for name, (count, _, parts) in done.items()
        }
        print("rates; server CPU per request in ms (gunicorn workers + PostgreSQL + Redis):")
        for name, (count, elapsed, _) in done.items():
            parts = cpu_per[name]
            print(
                f"  {name:<12} {count:>7} in {elapsed:5.1f} s  {rates[name]:8.1f} req/s"
                f"  {sum(parts.values()):5.2f} = "
                + " + ".join(f"{parts[part]:.2f}" for part in _ServerCpu.PARTS)
            )
        cpu_ratio = sum(cpu_per["plain"].values()) / sum(cpu_per["sign_spread"].values())
        print(f"server CPU per plain insert / per signature: {cpu_ratio:.2f} (informative)")
        ratios = {
            "signing / plain insert": (rates["sign_spread"] / rates["plain"], 0.5),
            "sign: hot / spread": (rates["sign_hot"] / rates["sign_spread"], 0.8),
        }
        print("ratios (target):")
        ok = True
        for name, (ratio, target) in ratios.items():
            verdict = "ok" if ratio >= target else "BELOW TARGET"
            ok = ok and ratio >= target
            print(f"  {name:<24} {ratio:5.2f}  (>= {target})  {verdict}")
        # Warm-up requests are rows too; every 202 must be one (nothing acknowledged and lost).
        print(f"rows in signatures: {rows} (>= {expected} counted requests)")
        ok = ok and rows >= expected
        print(
            f"total {time.perf_counter() - started:.1f} s; load (1 min) "
            f"{load_before:.2f} -> {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
        )
        return 0 if ok else 1
    finally:
        for proc in servers:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
        _admin(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        redis_proc.terminate()
        redis_proc.wait(10)


if __name__ == "__main__":
    sys.exit(main())
