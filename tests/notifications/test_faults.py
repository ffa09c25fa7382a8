"""Faults under real processes: gunicorn web processes, ``flask worker`` processes, the test
PostgreSQL and Redis, a real SMTP server.

* Two web processes and two workers at once: every confirmation mail goes out exactly once.
* PostgreSQL drops every connection of the app (``pg_terminate_backend``, what a restart does to
  them) several times under signing load: the requests caught in it answer 503 with the JSON
  error, never 500; the processes reconnect; every signature acknowledged with 202 is stored.
  (The shared PostgreSQL server itself is not restarted: other suites run on it.)

* Redis (a ``redis-server`` of the test's own) stopped and started again under gunicorn and
  workers: signing, receipts and log-in keep answering; what was signed meanwhile is mailed
  once Redis is back, and nothing twice (the in-process variant: ``test_redis_outage.py``).
"""

from __future__ import annotations

import re
import threading
import time

import pytest
import requests
import sqlalchemy as sa
from rq import Worker

from recall.extensions import db
from recall.models.notifications import Delivery, DeliveryStatus
from recall.models.signature import Signature
from recall.notifications.rules import ensure_default_rules
from recall.services.signing.receipts import find_by_receipt
from tests.conftest import server_scalar
from tests.notifications.conftest import WebServer, Workers, mail_config, wait_until
from tests.notifications.test_redis_outage import redis_server  # noqa: F401 (fixture)
from tests.signing.conftest import collecting_petition, payload, sign_url  # noqa: F401 (fixture)

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


@pytest.fixture
def app_config(smtp_server, redis_url):
    return mail_config(smtp_server, REDIS_URL=redis_url)


@pytest.fixture
def processes(pg_database, redis_url, redis_conn, smtp_server, tmp_path):
    workers = Workers(pg_database, redis_url, smtp_server, tmp_path)
    webs: list[WebServer] = []

    def web(count: int = 1, **extra: str) -> list[WebServer]:
        """``count`` gunicorns, started side by side (each takes seconds to answer)."""
        servers = [WebServer(workers.env, tmp_path, **extra) for _ in range(count)]
        webs.extend(servers)
        for server in servers:
            server.launch()
        for server in servers:
            server.wait_ready()
        return servers

    yield workers, web
    for server in webs:  # all stopping at once; stop() then waits for each
        server.terminate()
    workers.stop_all()
    for server in webs:
        server.stop()


def _sign_all(urls: list[str], petition, emails: list[str], threads: int = 6) -> list[int]:
    pending = [payload(petition, email=email) for email in emails]  # IINs need the app context
    statuses: list[int] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        session = requests.Session()
        while True:
            with lock:
                if not pending:
                    return
                body = pending.pop()
            url = urls[(n + len(pending)) % len(urls)] + sign_url(petition)
            response = session.post(url, json=body, timeout=30)
            with lock:
                statuses.append(response.status_code)

    pool = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return statuses


def test_two_web_processes_and_two_workers_send_every_confirmation_exactly_once(
    app, collecting_petition, smtp_server, processes, redis_conn
):
    workers, web = processes
    ensure_default_rules()
    petition = collecting_petition()
    db.session.commit()
    webs = web(2)
    workers.start(OUTBOX_BATCH_SIZE="5")
    workers.start(OUTBOX_BATCH_SIZE="5")
    assert wait_until(lambda: len(Worker.all(connection=redis_conn)) == 2, timeout=30)

    emails = [f"both-{n:02}@example.org" for n in range(60)]
    statuses = _sign_all([w.url for w in webs], petition, emails)
    assert statuses == [202] * 60

    smtp_server.wait_for(60, timeout=60)
    time.sleep(1.5)  # a second copy of any message would have arrived by now
    recipients = sorted(m.rcpt_tos[0] for m in smtp_server.messages)
    assert recipients == sorted(emails)
    assert len({m.message["Message-ID"] for m in smtp_server.messages}) == 60
    db.session.expire_all()
    deliveries = db.session.scalars(sa.select(Delivery)).all()
    assert len(deliveries) == 60
    assert {(d.status, d.attempts) for d in deliveries} == {(DeliveryStatus.SENT, 1)}


def _app_connections(database: str) -> int:
    return server_scalar(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = :name AND application_name = 'recall-web'",
        name=database,
    )


def _terminate_app_connections(database: str) -> int:
    return server_scalar(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
        " WHERE datname = :name AND application_name = 'recall-web'",
        name=database,
    )


def test_database_connections_dropped_under_load_give_503_not_500_and_lose_nothing(
    app, collecting_petition, processes, pg_database
):
    _workers, web = processes
    petition = collecting_petition()
    db.session.commit()
    [server] = web(workers="3")
    results: list[tuple[int, dict, dict]] = []
    lock = threading.Lock()
    stop = threading.Event()
    bodies = [payload(petition, email=f"load-{n}@example.org") for n in range(20000)]
    db.session.remove()  # no transaction of this process stays open across the faults

    def client(n: int) -> None:
        session = requests.Session()
        while not stop.is_set():
            with lock:
                body = bodies.pop()
            response = session.post(server.url + sign_url(petition), json=body, timeout=30)
            try:
                data = response.json()
            except ValueError:
                data = {"raw": response.text[:200]}
            with lock:
                results.append((response.status_code, data, dict(response.headers)))

    pool = [threading.Thread(target=client, args=(n,)) for n in range(6)]
    for thread in pool:
        thread.start()
    killed = []
    try:
        for _ in range(4):
            time.sleep(0.8)
            # The web processes have reconnected (on a loaded machine that can take a moment).
            assert wait_until(lambda: _app_connections(pg_database) > 0, timeout=20)
            killed.append(_terminate_app_connections(pg_database))
        time.sleep(0.8)
    finally:
        stop.set()
        for thread in pool:
            thread.join()
    assert all(count >= 1 for count in killed), killed  # each time the app's connections died

    statuses = {status for status, _data, _headers in results}
    assert statuses <= {202, 503}, [r for r in results if r[0] not in (202, 503)][:3]
    for status, data, headers in results:
        if status == 503:
            assert data["error"]["status"] == 503 and headers["Retry-After"], data
            assert data["error"]["request_id"] == headers["X-Request-ID"]
    # Reconnected: the next requests all succeed.
    after = [
        requests.post(server.url + sign_url(petition), json=bodies.pop(), timeout=30).status_code
        for _ in range(8)
    ]
    assert after == [202] * 8
    # Nothing acknowledged was lost: every 202's receipt names a stored signature.
    accepted = [data["receipt"] for status, data, _headers in results if status == 202]
    assert len(accepted) > 20
    missing = [code for code in accepted if find_by_receipt(code) is None]
    assert missing == []
    stored = db.session.scalar(sa.select(sa.func.count()).select_from(Signature))
    assert stored >= len(accepted) + 8
    print(f"{len(results)} requests: {sum(1 for r in results if r[0] == 503)} answered 503")


def _csrf(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=10).text
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page
    )
    assert match, page[:500]
    return match.group(1)


def test_redis_stopped_and_started_under_web_and_worker_processes(
    app, make, collecting_petition, smtp_server, redis_server, pg_database, tmp_path, runner
):
    """A ``redis-server`` of the test's own (the machine's is shared) behind gunicorn and workers."""
    ensure_default_rules()
    make.user(email="voter@example.org")
    petition = collecting_petition()
    db.session.commit()
    workers = Workers(pg_database, redis_server.url, smtp_server, tmp_path)
    server = WebServer(
        workers.env, tmp_path, RATELIMIT_ENABLED="1", SIGNING_RATE_LIMIT="50 per minute"
    )
    bodies = [payload(petition, email=f"redis-{n}@example.org") for n in range(6)]
    db.session.remove()
    server.start()
    try:
        http = requests.Session()
        sign = server.url + sign_url(petition)
        assert [http.post(sign, json=bodies[n], timeout=10).status_code for n in (0, 1)] == [
            202
        ] * 2
        workers.run_burst()
        assert len(smtp_server.wait_for(2)) == 2

        redis_server.stop()
        during = [http.post(sign, json=bodies[n], timeout=10) for n in (2, 3, 4)]
        assert [r.status_code for r in during] == [202] * 3, during[0].text
        receipt = http.get(f"{server.url}/api/v1/receipts/{during[0].json()['receipt']}")
        assert receipt.status_code == 200, receipt.text
        browser = requests.Session()
        log_in = browser.post(
            f"{server.url}/login",
            data={
                "email": "voter@example.org",
                "password": make.PASSWORD,
                "csrf_token": _csrf(browser, f"{server.url}/login"),
            },
            allow_redirects=False,
            timeout=10,
        )
        assert log_in.status_code == 302, log_in.text[:500]
        assert len(smtp_server.messages) == 2  # nothing could be handed over meanwhile

        redis_server.start()  # empty: it kept nothing
        assert http.post(sign, json=bodies[5], timeout=10).status_code == 202
        app.config["REDIS_URL"] = redis_server.url
        result = runner.invoke(args=["outbox", "redispatch", "--older-than", "0"])
        assert result.exit_code == 0, result.output
        workers.run_burst()
        smtp_server.wait_for(6)
        workers.run_burst()  # a second pass sends nothing again
        time.sleep(1)
    finally:
        server.stop()
        workers.stop_all()
    log = server.log_path.read_text(errors="replace")
    assert " 500 " not in log
    recipients = sorted(m.rcpt_tos[0] for m in smtp_server.messages)
    assert recipients == sorted(body["email"] for body in bodies)
