"""Logs written by the app keep no signer's address, receipt code or confirmation link (issue 19).

A log line shipped to a collector is a copy the purge cannot reach, so none is written: real
gunicorn with an access log, a real ``flask worker`` at INFO and a real SMTP server that refuses
one address (its refusal quotes the address). The signers open their links and look up their
receipts through gunicorn; then every log file is searched for what it must not hold.
"""

from __future__ import annotations

import re

import pytest
import requests

from recall.extensions import db
from recall.notifications.rules import ensure_default_rules
from tests.notifications.conftest import WebServer, Workers, mail_config
from tests.signing.conftest import collecting_petition, payload, sign_url  # noqa: F401 (fixture)

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

ACCEPTED = "log-reader@example.org"
REFUSED = "bounce-me@example.org"


@pytest.fixture
def app_config(smtp_server, redis_url):
    return mail_config(smtp_server, REDIS_URL=redis_url)


def _body(message) -> str:
    parts = message.walk() if message.is_multipart() else [message]
    return "".join(
        p.get_payload(decode=True).decode("utf-8") for p in parts if not p.is_multipart()
    )


def test_no_log_holds_an_address_a_receipt_or_a_link(
    app, collecting_petition, smtp_server, pg_database, redis_url, redis_conn, tmp_path
):
    ensure_default_rules()
    petition = collecting_petition()
    db.session.commit()
    workers = Workers(pg_database, redis_url, smtp_server, tmp_path)
    access_log = tmp_path / "access.log"
    web = WebServer(
        workers.env, tmp_path, args=("--access-logfile", str(access_log), "--log-level", "info")
    )
    web.start()
    try:
        smtp_server.handler.refuse[REFUSED] = ["550 5.1.1 <bounce-me@example.org>: no such user"]
        receipts = []
        for email in (ACCEPTED, REFUSED):
            response = requests.post(
                web.url + sign_url(petition), json=payload(petition, email=email), timeout=30
            )
            assert response.status_code == 202, response.text
            receipts.append(response.json()["receipt"])
        worker_log = workers.run_burst()
        [mail] = smtp_server.wait_for(1)
        link = re.search(r"http://\S+/signatures/confirm/[\w.-]+", _body(mail.message)).group(0)
        token = link.rsplit("/", 1)[1]
        path = link.split("/", 3)[3]
        assert requests.get(f"{web.url}/{path}", timeout=30).status_code == 200
        for receipt in receipts:
            requests.get(f"{web.url}/receipts", params={"code": receipt}, timeout=30)
            requests.get(f"{web.url}/api/v1/receipts/{receipt}", timeout=30)
    finally:
        web.stop()
        workers.stop_all()

    logs = {
        "access": access_log.read_text(),
        "gunicorn": web.log_path.read_text(errors="replace"),
        "worker": worker_log,
    }
    # The test sees what it claims to: the requests were logged, the refusal and the send too.
    assert logs["access"].count("/receipts") == 4 and "/signatures/confirm/" in logs["access"]
    assert "failed permanently: SMTP 550: [redacted]" in logs["worker"]
    for name, text in logs.items():
        for secret in (ACCEPTED, REFUSED, token, *receipts):
            assert secret not in text, (name, secret)
