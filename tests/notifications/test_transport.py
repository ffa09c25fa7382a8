"""Transport settings: SMTP with STARTTLS and credentials, and webhook posts that stay bounded.

A real aiosmtpd server with a self-signed certificate (trusted through ``SSL_CERT_FILE``) that
requires STARTTLS and a login; real HTTP receivers that redirect or hang.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from recall.extensions import db
from recall.models.notifications import (
    Channel,
    Delivery,
    DeliveryStatus,
    NotificationRule,
    Recipient,
    WebhookEndpoint,
)
from recall.notifications.rules import ensure_default_rules
from recall.services.outbox import record_event
from tests.notifications.conftest import SmtpHandler, free_port


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(folder / "key.pem"),
            "-out",
            str(folder / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )
    return folder / "cert.pem", folder / "key.pem"


@pytest.fixture
def tls_smtp(certificate, monkeypatch):
    """An SMTP server that refuses mail before STARTTLS and a login as mailer / s3cret."""
    cert, key = certificate
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # ssl.create_default_context() trusts it
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    logins: list[tuple[bytes, bytes, bool]] = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password, session.ssl is not None))
        return AuthResult(
            success=(auth_data.login, auth_data.password) == (b"mailer", b"s3cret"), handled=False
        )

    handler = SmtpHandler()
    port = free_port()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        auth_required=True,
        authenticator=authenticator,
    )
    controller.start()
    yield handler, port, logins
    controller.stop()


@pytest.fixture
def app_config():
    return {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_USE_TLS": True,
        "MAIL_USERNAME": "mailer",
        "MAIL_PASSWORD": "s3cret",
    }


def _withdrawal(make, address: str) -> None:
    signature = make.signature(make.petition(), email=address)
    record_event("signature.withdrawn", "signature", signature.id, {})


def _delivery() -> Delivery:
    db.session.expire_all()
    return db.session.scalars(sa.select(Delivery)).one()


def test_mail_goes_over_starttls_with_the_configured_login(app, make, tls_smtp):
    handler, port, logins = tls_smtp
    app.config["MAIL_PORT"] = port
    ensure_default_rules()
    _withdrawal(make, "secure@example.org")
    db.session.commit()
    assert [m.rcpt_tos for m in handler.messages] == [["secure@example.org"]]
    assert logins == [(b"mailer", b"s3cret", True)]  # the login came after STARTTLS
    assert _delivery().status == DeliveryStatus.SENT


def test_a_wrong_smtp_password_fails_the_delivery_for_the_administrator(app, make, tls_smtp):
    handler, port, logins = tls_smtp
    app.config.update(MAIL_PORT=port, MAIL_PASSWORD="wrong")
    ensure_default_rules()
    _withdrawal(make, "secure@example.org")
    db.session.commit()
    assert handler.messages == [] and set(logins) == {
        (b"mailer", b"wrong", True)
    }  # each mechanism tried
    delivery = _delivery()
    assert (delivery.status, delivery.last_error) == (
        DeliveryStatus.FAILED,
        "SMTP 535: 5.7.8 Authentication credentials invalid",
    )


class _Server:
    def __init__(self, handler_class):
        self.requests: list[str] = []
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler_class)
        self.httpd.owner = self
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class _Quiet(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def servers():
    started: list[_Server] = []

    def _start(handler_class) -> _Server:
        started.append(_Server(handler_class))
        return started[-1]

    yield _start
    for server in started:
        server.close()


def _webhook(make, url: str) -> None:
    db.session.add(WebhookEndpoint(organization_id=make.organization().id, url=url, secret="s"))
    db.session.add(
        NotificationRule(
            event_kind="promise.created",
            recipient=Recipient.ORGANIZATION_WEBHOOKS,
            channel=Channel.WEBHOOK,
        )
    )
    record_event("promise.created", "deputy", make.deputy().id, {})


def test_a_webhook_redirect_is_not_followed(app, make, servers):
    class Target(_Quiet):
        def do_GET(self):
            self.server.owner.requests.append(self.path)
            self.send_response(200)
            self.end_headers()

        do_POST = do_GET

    target = servers(Target)

    class Redirect(_Quiet):
        def do_POST(self):
            self.server.owner.requests.append(self.path)
            self.send_response(302)
            self.send_header("Location", target.url + "?internal")
            self.end_headers()

    redirecting = servers(Redirect)
    _webhook(make, redirecting.url)
    db.session.commit()
    assert redirecting.requests == ["/hook"] and target.requests == []
    delivery = _delivery()
    assert (delivery.status, delivery.last_error) == (DeliveryStatus.FAILED, "webhook HTTP 302")


def test_a_hanging_webhook_receiver_is_given_up_after_the_timeout(app, make, servers):
    release = threading.Event()

    class Hang(_Quiet):
        def do_POST(self):
            release.wait(10)
            self.send_response(200)
            self.end_headers()

    hanging = servers(Hang)
    app.config["WEBHOOK_TIMEOUT"] = 1
    _webhook(make, hanging.url)
    started = time.monotonic()
    db.session.commit()
    elapsed = time.monotonic() - started
    release.set()
    delivery = _delivery()
    assert 1 <= elapsed < 3
    assert delivery.status == DeliveryStatus.PENDING and "timed out" in delivery.last_error


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_with_private_addresses_refused_a_webhook_never_connects_to_one(app, make, servers, host):
    """Refused when sending too (an endpoint registered earlier, or a name that now resolves
    inward). The check sits in the connection itself, on the address it connects to."""

    class Receiver(_Quiet):
        def do_POST(self):
            self.server.owner.requests.append(self.path)
            self.send_response(200)
            self.end_headers()

    receiver = servers(Receiver)
    app.config["WEBHOOK_ALLOW_PRIVATE"] = False
    _webhook(make, receiver.url.replace("127.0.0.1", host))
    db.session.commit()
    assert receiver.requests == []
    delivery = _delivery()
    assert (delivery.status, delivery.last_error) == (
        DeliveryStatus.FAILED,
        "webhook URL points at a private address",
    )
