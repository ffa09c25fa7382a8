"""Redis stopped and started again under real processes: a ``redis-server`` of the test's own on
a free port, the app with its rate limits and RQ on that server, real ``flask worker`` processes
delivering to a real SMTP server.

While Redis is down, signing, log-in and receipt look-up keep answering (the limiter counts in
memory and says so in the log; the after-commit enqueue fails quietly); once Redis is back (empty:
it kept nothing), redispatch hands the events over and every confirmation mail is sent exactly once.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

import pytest
from redis import Redis

from recall.extensions import db
from recall.notifications.dispatch import redispatch
from recall.notifications.rules import ensure_default_rules
from tests.notifications.conftest import Workers, free_port, mail_config, wait_until
from tests.signing.conftest import collecting_petition, payload, sign_url  # noqa: F401 (fixture)

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


class RedisServer:
    """A ``redis-server`` process on a free loopback port, without persistence."""

    def __init__(self, log_dir: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log_dir = log_dir
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.log_dir)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = Redis.from_url(self.url, socket_connect_timeout=0.5)
        assert wait_until(lambda: self._answers(client), timeout=10), "redis-server did not start"
        client.close()

    @staticmethod
    def _answers(client: Redis) -> bool:
        try:
            return client.ping()
        except Exception:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@pytest.fixture
def redis_server(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def app_config(smtp_server, redis_server):
    return mail_config(
        smtp_server,
        REDIS_URL=redis_server.url,
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=redis_server.url,
        RATELIMIT_STORAGE_OPTIONS={"socket_connect_timeout": 1, "socket_timeout": 1},
        SIGNING_RATE_LIMIT="12 per minute",
        LOGIN_RATE_LIMIT="12 per minute",
    )


def _sign(client, petition, email: str, address: str) -> str:
    response = client.post(
        sign_url(petition),
        json=payload(petition, email=email),
        environ_base={"REMOTE_ADDR": address},
    )
    assert response.status_code == 202, response.get_data(as_text=True)
    return response.get_json()["receipt"]


def test_signing_log_in_and_receipts_survive_a_redis_restart_and_every_mail_goes_once(
    app,
    client,
    make,
    collecting_petition,
    smtp_server,
    redis_server,
    pg_database,
    tmp_path,
    caplog,
    monkeypatch,
):
    # Alembic's fileConfig (migration tests earlier in the session) disables existing loggers.
    for name in ("flask-limiter", "recall", "recall.notifications.dispatch", "recall.rate_limits"):
        monkeypatch.setattr(logging.getLogger(name), "disabled", False)
    ensure_default_rules()
    user = make.user(email="voter@example.org")
    petition = collecting_petition()
    db.session.commit()
    workers = Workers(pg_database, redis_server.url, smtp_server, tmp_path)
    try:
        _sign(client, petition, "before-1@example.org", "203.0.113.1")
        _sign(client, petition, "before-2@example.org", "203.0.113.1")
        workers.run_burst()
        assert sorted(m.rcpt_tos[0] for m in smtp_server.wait_for(2)) == [
            "before-1@example.org",
            "before-2@example.org",
        ]

        redis_server.stop()
        with caplog.at_level(logging.WARNING):
            receipts = [
                _sign(client, petition, f"during-{n}@example.org", "203.0.113.2") for n in range(3)
            ]
            receipt = client.get(f"/api/v1/receipts/{receipts[0]}")
            assert receipt.status_code == 200, receipt.get_data(as_text=True)
            log_in = client.post(
                "/login",
                data={"email": user.email, "password": make.PASSWORD},
                environ_base={"REMOTE_ADDR": "203.0.113.2"},
            )
            assert log_in.status_code == 302, log_in.get_data(as_text=True)
            # The limits still hold, counted in this process's memory meanwhile.
            statuses = [
                client.post(
                    "/login", data={}, environ_base={"REMOTE_ADDR": "203.0.113.3"}
                ).status_code
                for _ in range(13)
            ]
            assert statuses == [422] * 12 + [429]
            # Signing's budget (recall.rate_limits, not Flask-Limiter) holds as well.
            anonymous = app.test_client()  # ``client`` is signed in now: the API wants CSRF
            refused = [
                anonymous.post(
                    sign_url(petition), json={}, environ_base={"REMOTE_ADDR": "203.0.113.4"}
                ).status_code
                for _ in range(13)
            ]
            assert refused == [422] * 12 + [429]
        fell_back = [r.name for r in caplog.records if "falling back to in-memory" in r.message]
        assert {"flask-limiter", "recall.rate_limits"} <= set(fell_back)
        assert "left for redispatch" in caplog.text
        assert len(smtp_server.messages) == 2

        redis_server.start()  # empty: whatever was queued before is gone as well
        redispatch(older_than=0)
        db.session.commit()
        workers.run_burst()
        assert wait_until(lambda: len(smtp_server.messages) >= 5)
        # A second pass finds nothing left to hand over, and sends nothing again.
        assert redispatch(older_than=0).events == []
        db.session.commit()
        workers.run_burst()
    finally:
        workers.stop_all()
    recipients = sorted(m.rcpt_tos[0] for m in smtp_server.messages)
    assert recipients == sorted(
        ["before-1@example.org", "before-2@example.org"]
        + [f"during-{n}@example.org" for n in range(3)]
    )
    message_ids = {m.message["Message-ID"] for m in smtp_server.messages}
    assert len(message_ids) == 5
