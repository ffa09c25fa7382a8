"""Fixtures for notification tests: a real SMTP server, a webhook receiver, real RQ worker processes."""

from __future__ import annotations

import asyncio
import email
import json
import os
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import pg_url

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout: float = 15.0, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: Message
    peer: tuple = ()  # the client's (address, port): one per SMTP connection


@dataclass
class SmtpHandler:
    """Records accepted messages. ``rcpt_replies`` are answered to the next RCPT commands instead of 250;
    ``mail_delay`` makes the next MAIL command hang that long (``mail_started`` is set when it begins),
    ``hang_at`` the MAIL command with that number."""

    messages: list[Received] = field(default_factory=list)
    rcpt_replies: list[str] = field(default_factory=list)
    refuse: dict[str, list[str]] = field(
        default_factory=dict
    )  # address -> replies for its next RCPTs
    mail_delay: float = 0.0
    mail_started: threading.Event = field(default_factory=threading.Event)
    attempts: int = 0
    hang_at: int = 0  # the MAIL command with this number (1, 2, ...) hangs for 30 s

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.attempts += 1
        if self.hang_at and self.attempts == self.hang_at:
            self.mail_started.set()
            await asyncio.sleep(30)
        if self.mail_delay:
            delay, self.mail_delay = self.mail_delay, 0.0
            self.mail_started.set()
            await asyncio.sleep(delay)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_replies:
            return self.rcpt_replies.pop(0)
        if self.refuse.get(address):
            return self.refuse[address].pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            Received(
                envelope.mail_from,
                list(envelope.rcpt_tos),
                email.message_from_bytes(envelope.original_content),
                tuple(session.peer),
            )
        )
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: SmtpHandler

    @property
    def messages(self) -> list[Received]:
        return self.handler.messages

    def wait_for(self, count: int, timeout: float = 15.0) -> list[Received]:
        wait_until(lambda: len(self.handler.messages) >= count, timeout)
        return self.handler.messages


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on a free port, in a thread of this process."""
    handler = SmtpHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield SmtpServer("127.0.0.1", port, handler)
    controller.stop()


@dataclass
class WebhookReceiver:
    url: str
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    status: int = 200


@pytest.fixture
def webhook_receiver():
    """A small HTTP server that records POSTed bodies and headers."""
    receiver = WebhookReceiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(receiver.status)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()


def write_catalogs(folder: Path, translations: dict[str, dict[str, str]]) -> str:
    """Compile ``{locale: {msgid: msgstr}}`` into ``folder`` as Flask-Babel reads it; returns the
    folder for ``BABEL_TRANSLATION_DIRECTORIES`` (tests check the mechanism, not the translators)."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    for locale, messages in translations.items():
        catalog = Catalog(locale=locale)
        for msgid, msgstr in messages.items():
            catalog.add(msgid, msgstr)
        target = folder / locale / "LC_MESSAGES"
        target.mkdir(parents=True)
        with open(target / "messages.mo", "wb") as handle:
            write_mo(handle, catalog)
    return str(folder)


def mail_config(smtp: SmtpServer, **extra) -> dict:
    return {"MAIL_SERVER": smtp.host, "MAIL_PORT": smtp.port, "MAIL_USE_TLS": False, **extra}


class Workers:
    """Starts ``flask worker`` subprocesses against the test databases; stops them all at the end."""

    def __init__(self, database: str, redis_url: str, smtp: SmtpServer, log_dir: Path):
        self.env = {
            **os.environ,
            "DATABASE_URL": pg_url(database),
            "REDIS_URL": redis_url,
            "RQ_QUEUE_NAME": "recall-test",
            "SECRET_KEY": "test-secret-key",
            "IIN_HASH_KEY": "test-iin-hash-key",
            "AUDIT_KEY": "test-audit-key",
            "RECALL_ENV": "test",
            "RECALL_DEMO": "0",
            "MAIL_SERVER": smtp.host,
            "MAIL_PORT": str(smtp.port),
            "MAIL_USE_TLS": "0",
            "MAIL_DEFAULT_SENDER": "recall <no-reply@test.invalid>",
            "MAIL_TIMEOUT": "5",
            "PUBLIC_BASE_URL": "http://recall.test",
            "DELIVERY_MAX_ATTEMPTS": "3",
            "DELIVERY_RETRY_BASE_SECONDS": "1",
            "DELIVERY_JOB_TIMEOUT": "10",
            "DELIVERY_LEASE_SECONDS": "15",
            "WEBHOOK_ALLOW_PRIVATE": "1",
            "PYTHONUNBUFFERED": "1",
        }
        self.log_dir = log_dir
        self.processes: list[subprocess.Popen] = []

    def start(self, *args: str, **env: str) -> subprocess.Popen:
        log = open(self.log_dir / f"worker-{len(self.processes)}.log", "wb")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(
            [str(ROOT / ".venv/bin/flask"), "--app", "wsgi", "worker", *args],
            cwd=ROOT,
            env={**self.env, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        process.log_file = log
        process.log_path = Path(log.name)
        self.processes.append(process)
        return process

    def run_burst(self, timeout: float = 30, **env: str) -> str:
        """Run one worker in burst mode until the queue is empty; return its log."""
        process = self.start("--burst", "--no-scheduler", **env)
        process.wait(timeout)
        return process.log_path.read_text(errors="replace")

    @staticmethod
    def horse_pids(process: subprocess.Popen) -> list[int]:
        pids = []
        for task in Path(f"/proc/{process.pid}/task").iterdir():
            pids += [int(p) for p in (task / "children").read_text().split()]
        return pids

    def kill_hard(self, process: subprocess.Popen) -> None:
        """SIGKILL the worker and its work horses at once, as a machine crash would."""
        for pid in self.horse_pids(process):
            os.kill(pid, signal.SIGKILL)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)

    def stop_all(self) -> None:
        # Every worker is told at once, then waited for: each takes seconds to stop (its
        # scheduler too), which one after another added up in every test's teardown.
        running = [process for process in self.processes if process.poll() is None]
        for process in running:
            os.killpg(process.pid, signal.SIGTERM)
        for process in running:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)
        for process in self.processes:
            process.log_file.close()


@pytest.fixture
def workers(pg_database, redis_url, redis_conn, smtp_server, tmp_path):
    pool = Workers(pg_database, redis_url, smtp_server, tmp_path)
    yield pool
    pool.stop_all()


def webhook_json(body: bytes) -> dict:
    return json.loads(body.decode("utf-8"))


class WebServer:
    """``gunicorn wsgi:app`` (sync workers) on a free port, with the environment of ``Workers``."""

    def __init__(
        self,
        env: dict[str, str],
        log_dir: Path,
        workers: int = 2,
        args: tuple[str, ...] = (),
        **extra: str,
    ):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_dir / f"gunicorn-{self.port}.log"
        # PGAPPNAME names the web processes' database connections (tests kill exactly those).
        self.env = {**env, "RATELIMIT_ENABLED": "0", "PGAPPNAME": "recall-web", **extra}
        self.workers = workers
        self.args = args  # more gunicorn options (an access log file, a log level)
        self.process: subprocess.Popen | None = None
        self.terminated = False

    def start(self) -> None:
        self.launch()
        self.wait_ready()

    def launch(self) -> None:
        """Start gunicorn without waiting for it (``wait_ready``): several start side by side."""
        log = open(self.log_path, "wb")  # noqa: SIM115 (closed with the process)
        self.process = subprocess.Popen(
            [
                *(str(ROOT / ".venv/bin/gunicorn"), "--workers", str(self.workers)),
                *("--bind", f"127.0.0.1:{self.port}", "--log-level", "warning"),
                *self.args,
                "wsgi:app",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.process.log_file = log

    def wait_ready(self) -> None:
        import requests

        def ready() -> bool:
            try:
                return requests.get(f"{self.url}/healthz", timeout=2).status_code == 200
            except requests.RequestException:
                return False

        assert wait_until(ready, timeout=30), self.log_path.read_text(errors="replace")

    def terminate(self) -> None:
        """Ask gunicorn to stop without waiting for it (``stop`` waits): several stop side by side."""
        if self.process is not None and self.process.poll() is None and not self.terminated:
            self.process.terminate()
            self.terminated = True

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        if self.process is not None:
            self.process.log_file.close()
