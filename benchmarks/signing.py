"""Signing throughput through the real HTTP stack (run by `make bench`).

What it does, in about 20 seconds, on loopback only:

1. creates a fresh PostgreSQL database (``recall_bench_<pid>`` on ``BENCH_PG``, default
   ``postgresql+psycopg://postgres@127.0.0.1:5432``), its tables, and ``PETITIONS`` collecting
   petitions, each in its own district;
2. starts gunicorn on a free port with that database, ``RECALL_BENCHMARK_ENDPOINTS=1`` (which adds
   the minimal endpoint) and rate limits off; events go to Redis (``BENCH_REDIS``, default DB 9)
   as in production, or are delivered inline when Redis is not reachable;
3. drives it with ``CLIENTS`` concurrent clients for ``PHASE_SECONDS`` per phase:
   * ``plain``: the minimal endpoint, one plain INSERT of a signature row and a commit;
   * ``sign spread`` / ``sign hot``: ``POST /api/v1/petitions/<id>/signatures`` with every check,
     spread over all petitions / all on one petition;
   * ``confirm spread`` / ``confirm hot``: opening the e-mailed confirmation links of those
     signatures, which is where the count changes (the sharded counters);
4. prints the rates and the ratios against the targets, drops the database, stops gunicorn.

Targets (issue 5): signing >= 0.5 x plain; hot >= 0.8 x spread.
"""

from __future__ import annotations

import http.client
import json
import os
import random
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
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
WORKERS = int(os.environ.get("BENCH_WORKERS", str(max(2, (os.cpu_count() or 2) * 2))))
PHASE_SECONDS = float(os.environ.get("BENCH_PHASE_SECONDS", "3"))  # per phase, split into rounds
ROUNDS = 3
PETITIONS = 16
# Diagnostic: serve benchmarks/wsgi_without_dispatch.py (events recorded but never handed to Redis).
WITHOUT_DISPATCH = os.environ.get("BENCH_WITHOUT_DISPATCH") == "1"


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
    from recall.rules.recall_rules import PRESETS

    app = create_app()
    with app.app_context():
        db.create_all()
        rule = PRESETS["california_local"].to_dict()
        version = RecallRuleVersion(key="bench", name=rule["name"], data=rule, is_preset=True)
        body = Body(
            slug="bench",
            name="Bench body",
            level=BodyLevel.MAZHILIS,
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


def _phase(name: str, port: int, make_request, seconds: float) -> tuple[int, float]:
    """Run CLIENTS threads calling ``make_request()`` -> (method, path, body) until time is up (or it
    returns None); return (successful requests, elapsed seconds)."""
    done, errors = [0], [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client():
        while time.perf_counter() < deadline:
            request = make_request()
            if request is None:
                return
            status = _request(port, *request)
            with lock:
                if status in (200, 202):
                    done[0] += 1
                else:
                    errors[0] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if errors[0]:
        raise SystemExit(f"{name}: {errors[0]} requests failed")
    return done[0], elapsed


def _tokens(db_url: str, petition_ids: list[int]) -> list[str]:
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        rows = (
            conn.execute(
                sa.text(
                    "SELECT payload FROM events WHERE kind = 'signature.confirmation_requested'"
                )
            )
            .scalars()
            .all()
        )
    engine.dispose()
    wanted = set(petition_ids)
    payloads = [p if isinstance(p, dict) else json.loads(p) for p in rows]
    return [
        p["confirm_url"].split("/signatures/confirm/", 1)[1]
        for p in payloads
        if p["petition_id"] in wanted
    ]


def _wait_ready(port: int, proc: subprocess.Popen, timeout: float = 20) -> None:
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


def main() -> int:
    started = time.perf_counter()
    db_name = f"recall_bench_{os.getpid()}"
    db_url = f"{PG}/{db_name}"
    use_redis = _redis_reachable()
    _admin(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{db_name}"')
    proc = None
    try:
        env = _environment(db_url, use_redis)
        petitions = _seed(env)
        port = _free_port()
        proc = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "--workers",
                str(WORKERS),
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "benchmarks.wsgi_without_dispatch:app" if WITHOUT_DISPATCH else "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
        )
        _wait_ready(port, proc)
        print(
            f"recall signing benchmark: gunicorn {WORKERS} sync workers, {CLIENTS} concurrent clients, "
            f"{PETITIONS} petitions, events "
            f"{'NOT DISPATCHED (diagnostic)' if WITHOUT_DISPATCH else 'to Redis' if use_redis else 'delivered inline'}"
        )
        iins = _Iins()
        hot = petitions[0]
        rng = random.Random(5)

        def sign(target):
            return (
                "POST",
                f"/api/v1/petitions/{target['id']}/signatures",
                {
                    "full_name": "Әлия Қасымова",
                    "iin": iins.next(),
                    "email": "signer@example.org",
                    "district_id": target["district_id"],
                    "consent": True,
                },
            )

        def plain():
            target = rng.choice(petitions)
            return (
                "POST",
                "/api/v1/bench/plain-signature",
                {
                    "petition_id": target["id"],
                    "district_id": target["district_id"],
                    "iin": iins.next(),
                    "full_name": "Әлия Қасымова",
                    "email": "signer@example.org",
                },
            )

        spread_targets = petitions[1:]
        # Phases alternate in short rounds so that noise on a shared machine hits every phase alike.
        done = {
            name: [0, 0.0]
            for name in ("plain", "sign_spread", "sign_hot", "confirm_spread", "confirm_hot")
        }

        def run(name, make_request, seconds):
            count, elapsed = _phase(name, port, make_request, seconds)
            done[name][0] += count
            done[name][1] += elapsed

        _phase("warm-up", port, lambda: sign(rng.choice(spread_targets)), 1)  # not counted
        phases = [
            ("plain", plain),
            ("sign_spread", lambda: sign(rng.choice(spread_targets))),
            ("sign_hot", lambda: sign(hot)),
        ]
        for round_no in range(ROUNDS):
            for name, make in (
                phases[round_no:] + phases[:round_no]
            ):  # rotate: no phase always goes first
                run(name, make, PHASE_SECONDS / ROUNDS)

        def confirmer(tokens: list[str]):
            lock = threading.Lock()

            def make():
                with lock:
                    return ("GET", f"/signatures/confirm/{tokens.pop()}", None) if tokens else None

            return make

        spread_tokens = _tokens(db_url, [p["id"] for p in spread_targets])
        hot_tokens = _tokens(db_url, [hot["id"]])
        rng.shuffle(spread_tokens)
        confirm_phases = [
            ("confirm_spread", confirmer(spread_tokens)),
            ("confirm_hot", confirmer(hot_tokens)),
        ]
        for round_no in range(ROUNDS):
            for name, make in confirm_phases[round_no % 2 :] + confirm_phases[: round_no % 2]:
                run(name, make, PHASE_SECONDS / ROUNDS)
        rates = {name: count / elapsed for name, (count, elapsed) in done.items()}
        print("rates:")
        for name, (count, elapsed) in done.items():
            print(f"  {name:<15} {count:>6} in {elapsed:5.1f} s  {rates[name]:8.1f} req/s")

        ratios = {
            "signing / plain insert": (rates["sign_spread"] / rates["plain"], 0.5),
            "sign: hot / spread": (rates["sign_hot"] / rates["sign_spread"], 0.8),
            "confirm: hot / spread": (rates["confirm_hot"] / rates["confirm_spread"], 0.8),
        }
        print("ratios (target):")
        ok = True
        for name, (ratio, target) in ratios.items():
            verdict = "ok" if ratio >= target else "BELOW TARGET"
            ok = ok and ratio >= target
            print(f"  {name:<24} {ratio:5.2f}  (>= {target})  {verdict}")
        print(f"total {time.perf_counter() - started:.1f} s")
        return 0 if ok else 1
    finally:
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        _admin(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        if use_redis:
            from redis import Redis

            Redis.from_url(REDIS).flushdb()


if __name__ == "__main__":
    sys.exit(main())
