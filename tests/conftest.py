"""Test fixtures: a real PostgreSQL database and a real Redis, both our own.

* PostgreSQL: a database ``recall_test_<pid>`` is created at 127.0.0.1:5432 (user postgres) for
  the session and dropped at the end; tables are created once and emptied after every test.
* Redis: database number ``RECALL_TEST_REDIS_DB`` (default 13) on 127.0.0.1:6379, flushed before
  each test that asks for it. Under pytest-xdist (``make test`` runs ``-n 3``) worker ``gwK`` takes
  that number plus K, so parallel workers never flush each other's queues.

Locally a missing service skips the tests that need it; with ``CI=true`` it fails the run.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import socket
import tempfile
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from jinja2.bccache import Bucket, BytecodeCache
from sqlalchemy.dialects import postgresql

from recall import create_app
from recall.extensions import db

PG_HOST = os.environ.get("RECALL_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("RECALL_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("RECALL_TEST_PG_USER", "postgres")
REDIS_HOST = os.environ.get("RECALL_TEST_REDIS_HOST", "127.0.0.1")
REDIS_PORT = int(os.environ.get("RECALL_TEST_REDIS_PORT", "6379"))
REDIS_DB = int(os.environ.get("RECALL_TEST_REDIS_DB", "13"))
# pytest-xdist names its workers gw0, gw1, ...; each gets its own Redis database (16 by default).
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if XDIST_WORKER.startswith("gw"):
    REDIS_DB = (REDIS_DB + int(XDIST_WORKER[2:])) % 16
IN_CI = os.environ.get("CI", "").lower() == "true"
# Mail written without MAIL_SERVER goes here, never into instance/ (one folder per test process).
MAIL_FOLDER = tempfile.mkdtemp(prefix="recall-test-mail-")


def _memoize_url_builders() -> None:
    """Compile each URL rule's builder functions once per test process, not once per app.

    Every test gets a fresh app (``create_app``), and werkzeug compiles two builder functions
    for each of the app's ~200 rules from a generated syntax tree: 85% of ``create_app``'s
    80 ms, about a fifth of the suite's CPU time. The function depends only on what the key
    holds (the rule, its parsed parts, its defaults), and each rule binds it to itself as ever,
    so URLs are built by the same code as without the cache. If werkzeug no longer has the
    method, the apps are built the slow way.
    """
    from werkzeug.routing.rules import Rule

    compile_builder = getattr(Rule, "_compile_builder", None)
    if compile_builder is None:
        return
    builders: dict[tuple, object] = {}

    def cached(self: Rule, append_unknown: bool = True):
        defaults = self.defaults or {}
        key = (
            append_unknown,
            self.rule,
            tuple(self._trace),
            tuple(defaults),
            tuple(
                self._converters[data].to_url(defaults[data])
                for dynamic, data in self._trace
                if dynamic and data in defaults
            ),
        )
        if key not in builders:
            builders[key] = compile_builder(self, append_unknown)
        return builders[key]

    Rule._compile_builder = cached


_memoize_url_builders()


class _TemplateCode(BytecodeCache):
    """Compiled templates kept in memory for every app of the test process.

    Each test's fresh app has a fresh Jinja environment, which compiled every template it
    rendered again (15-25 ms for a page and its layout, against 2-8 ms loading the compiled
    code). Jinja keeps the code by template name and checks it against the template's source,
    so an edited or test-supplied template is compiled anew; the apps' environments are built
    alike by ``create_app``, as Jinja asks of environments sharing a cache.
    """

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_CODE = _TemplateCode()


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _require(service: str, host: str, port: int) -> None:
    if _reachable(host, port):
        return
    message = f"{service} is not reachable at {host}:{port}"
    if IN_CI:
        pytest.fail(f"{message}; CI=true, so this is an error, not a skip.", pytrace=False)
    pytest.skip(message)


def pg_url(database: str) -> str:
    return f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{database}"


@contextlib.contextmanager
def server_connection() -> Iterator[sa.Connection]:
    """A connection of its own to the server's ``postgres`` database, in autocommit: outside any
    test's session and transaction."""
    engine = sa.create_engine(pg_url("postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def server_scalar(sql: str, **params):
    """The scalar of one statement run on the server's ``postgres`` database."""
    with server_connection() as conn:
        return conn.scalar(sa.text(sql), params)


def create_database(name: str) -> None:
    with server_connection() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))


def drop_database(name: str) -> None:
    with server_connection() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


TEST_DATABASE = re.compile(r"recall_test_(\d+)_\w+")


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def drop_stale_test_databases() -> list[str]:
    """Drop the test databases of test processes that are gone (a run killed or interrupted
    before its teardown leaves its ``recall_test_<pid>_...`` databases behind); returns their
    names. Only when PostgreSQL runs on this machine: a process id says nothing about another
    machine's runs, and a live process's databases (another run at the same time) are kept."""
    if PG_HOST not in ("127.0.0.1", "localhost", "::1"):
        return []
    with server_connection() as conn:
        databases = list(conn.scalars(sa.text("SELECT datname FROM pg_database ORDER BY datname")))
    names = [
        name
        for name in databases
        if (found := TEST_DATABASE.fullmatch(name)) and not _process_alive(int(found.group(1)))
    ]
    for name in names:
        drop_database(name)
    return names


def base_config(**overrides) -> dict:
    """Configuration for a test app: explicit, never read from the developer's environment."""
    config = {
        "SKIP_ENV_CONFIG": True,
        "TESTING": True,
        "RECALL_ENV": "test",
        "SECRET_KEY": "test-secret-key",
        "IIN_HASH_KEY": "test-iin-hash-key",
        "AUDIT_KEY": "test-audit-key",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": None,
        "RQ_QUEUE_NAME": "recall-test",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "LOGIN_RATE_LIMIT": "5 per minute",
        "SIGNING_RATE_LIMIT": "5 per minute",
        "MAIL_SERVER": None,
        "MAIL_PORT": 25,
        "MAIL_USERNAME": None,
        "MAIL_PASSWORD": None,
        "MAIL_USE_TLS": False,
        "MAIL_USE_SSL": False,
        "MAIL_TIMEOUT": 5,
        "MAIL_DEFAULT_SENDER": "recall <no-reply@test.invalid>",
        "WEBHOOK_TIMEOUT": 5,
        "MAIL_FOLDER": MAIL_FOLDER,
        "DELIVERY_MAX_ATTEMPTS": 3,
        "DELIVERY_RETRY_BASE_SECONDS": 1,
        "DELIVERY_JOB_TIMEOUT": 10,
        "DELIVERY_LEASE_SECONDS": 15,
        "OUTBOX_REDISPATCH_AFTER": 0,
        "WEBHOOK_ALLOW_PRIVATE": True,
        "PUBLIC_BASE_URL": "http://recall.test",
        "SIGNATURE_CONFIRMATION_HOURS": 72,
        "IDENTITY_CONFIRMATION": "email_link",
        "BENCHMARK_ENDPOINTS": False,
        "PRIVACY_PURGE_DAYS": 180,
        "MISUSE_REPORT_RATE_LIMIT": "3 per minute",
        "REVIEW_CLAIM_MINUTES": 10,
        "VOTER_ROLL_JOB_TIMEOUT": 600,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Almaty",
        "LANGUAGES": ("kk", "ru", "en"),
        "DEMO_DATA": False,
        "SERVER_NAME": None,
    }
    config.update(overrides)
    return config


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in its own app context, as in production.

    The ``app`` fixture keeps an app context pushed for the test body; without this, requests
    would reuse it and share ``g`` (the signed-in user, the locale) and the test's database
    session. Commit test data before a request; ``db.session.refresh(obj)`` to see its effects.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """The session's own PostgreSQL database, with every table created once."""
    _require("PostgreSQL", PG_HOST, PG_PORT)
    drop_stale_test_databases()
    name = f"recall_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    create_database(name)
    app = create_app(base_config(SQLALCHEMY_DATABASE_URI=pg_url(name)))
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    yield name
    drop_database(name)


@pytest.fixture(scope="session")
def redis_url() -> str:
    _require("Redis", REDIS_HOST, REDIS_PORT)
    return f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}"


@pytest.fixture
def redis_conn(redis_url):
    """A client on the test Redis database, flushed before the test."""
    from redis import Redis

    conn = Redis.from_url(redis_url)
    conn.flushdb()
    yield conn
    conn.close()


# Import ids start again at 1: the roll partitions of a test's imports (attached or left loose)
# go, so the next test's imports load into tables of their own as in use.
_DROP_ROLL_PARTITIONS = """DO $$ DECLARE name text; BEGIN
    FOR name IN SELECT relname FROM pg_class
        WHERE relkind = 'r' AND relname ~ '^voter_roll_entries_[0-9]+$'
    LOOP EXECUTE 'DROP TABLE ' || quote_ident(name); END LOOP;
END $$"""


@functools.cache
def _emptying_sql() -> str:
    """Every table's DELETE in dependency order, the sequences' restart and the partitions'
    drop, as one script: sent statement by statement, their round trips were three quarters
    of the time (20 ms a test against 6). No "%" in it: psycopg reads one as a placeholder."""
    quote = postgresql.dialect().identifier_preparer.format_table
    return ";\n".join(
        [
            *(f"DELETE FROM {quote(table)}" for table in reversed(db.metadata.sorted_tables)),
            "SELECT setval(c.oid, 1, false) FROM pg_class c WHERE c.relkind = 'S'",
            _DROP_ROLL_PARTITIONS,
        ]
    )


def _empty_tables() -> None:
    """Delete every row and restart the id sequences, in one transaction.

    DELETE in dependency order, not TRUNCATE: on tables this small TRUNCATE costs ~40x more
    (it takes exclusive locks and recreates files for every table), which dominated the suite.
    """
    db.session.remove()
    with db.engine.begin() as conn:
        conn.exec_driver_sql(_emptying_sql())


@pytest.fixture
def app_config() -> dict:
    """Override in a test module (or parametrize) to change the app's configuration."""
    return {}


@pytest.fixture
def app(pg_database, app_config):
    """An app on the PostgreSQL test database, inside an app context; tables emptied afterwards."""
    app = create_app(base_config(SQLALCHEMY_DATABASE_URI=pg_url(pg_database), **app_config))
    app.test_client_class = IsolatedClient
    app.jinja_env.bytecode_cache = TEMPLATE_CODE
    with app.app_context():
        yield app
        db.session.rollback()
        _empty_tables()
        db.session.remove()
        for engine in db.engines.values():  # the primary, and the replica bind when configured
            engine.dispose()


@pytest.fixture
def sqlite_app(tmp_path):
    """An app on a SQLite file: the embedded default that `make run` uses."""
    app = create_app(base_config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'recall.db'}"))
    app.test_client_class = IsolatedClient
    app.jinja_env.bytecode_cache = TEMPLATE_CODE
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make():
    """Factories for test data: ``make.deputy(...)``, ``make.user(role=...)``, ..."""
    from tests import factories

    return factories


@pytest.fixture
def ca(app, tmp_path):
    """A certification authority the app trusts (installed under ``tmp_path``), to issue the
    certificates of digital-signature tests."""
    from tests import factories

    authority = factories.CertificationAuthority()
    authority.install(app, tmp_path)
    return authority


@pytest.fixture
def login(client):
    """Sign ``user`` in on the test client (through the session, as Flask-Login would)."""

    def _login(user, test_client=None):
        target = test_client or client
        with target.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return target

    return _login
