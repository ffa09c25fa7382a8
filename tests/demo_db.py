"""The demo data, loaded once per test run and copied into a database of its own per test.

Loading the demo costs seconds of CPU in Python and in PostgreSQL, and several areas test what it
holds; PostgreSQL copies a database from a template in a fraction of that. A test that takes the
``demo`` fixture runs on its own copy (the ``app``, ``client`` and ``runner`` fixtures included),
so it may change what it likes. Tests of the ``flask demo load`` command itself still run it.

Under pytest-xdist the workers of one run share one template (named after the run's id): the
first worker to need it loads it under a PostgreSQL advisory lock, the others wait and copy it
(each worker loaded its own before, 10-35 s each on a loaded machine). What ``load_demo()``
returned travels with it as the template's comment. Each worker using it holds a shared lock
for its session; the last one to finish drops it.

Import both fixtures into a test module that uses them:
``from tests.demo_db import demo, pg_database  # noqa: F401 (fixtures)``; a fixture of a wider
scope makes its own copy with ``demo_copy`` (tests/api/conftest.py).
"""

from __future__ import annotations

import base64
import dataclasses
import os
import pickle
import uuid
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from recall import create_app
from recall.demo.loader import DemoResult, load_demo
from recall.extensions import db
from tests.conftest import base_config, create_database, drop_database, pg_url

# The session's database -> (the template holding the demo, what load_demo returned, as ids).
_templates: dict[str, tuple[str, dict]] = {}


def _as_ids(value):
    """A DemoResult field with every row replaced by (its model, its id): rows outlive no session."""
    if isinstance(value, db.Model):
        return (type(value), value.id)
    if isinstance(value, dict):
        return {key: _as_ids(item) for key, item in value.items()}
    return value


def _as_rows(value):
    if isinstance(value, tuple) and isinstance(value[0], type) and issubclass(value[0], db.Model):
        return db.session.get(*value)
    if isinstance(value, dict):
        return {key: _as_rows(item) for key, item in value.items()}
    return value


def _load(name: str) -> dict:
    """Load the demo into a new database ``name``; what load_demo returned, as ids."""
    create_database(name)
    app = create_app(base_config(SQLALCHEMY_DATABASE_URI=pg_url(name)))
    with app.app_context():
        db.create_all()
        result = load_demo()
        db.session.commit()
        fields = {
            f.name: _as_ids(getattr(result, f.name))
            for f in dataclasses.fields(result)
            if f.name != "rng"  # the generator's state after loading: no test needs it
        }
        db.session.remove()
        db.engine.dispose()  # a template takes no connections while it is copied
    return fields


def _template(pg_database: str, config) -> tuple[str, dict]:
    if pg_database in _templates:
        return _templates[pg_database]
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    name = f"recall_demo_{run[:16]}" if run else f"{pg_database}_demo"
    key = zlib.crc32(name.encode()) & 0x7FFFFFFF  # the advisory locks' key (an int4)
    # AUTOCOMMIT: session-level advisory locks, held by this connection until it closes.
    engine = sa.create_engine(pg_url("postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    conn = engine.connect()
    conn.execute(sa.text("SELECT pg_advisory_lock_shared(1, :key)"), {"key": key})  # in use
    conn.execute(sa.text("SELECT pg_advisory_lock(2, :key)"), {"key": key})  # loading
    try:
        comment = conn.scalar(
            sa.text(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database"
                " WHERE datname = :name"
            ),
            {"name": name},
        )
        if comment is None:  # not loaded yet (or its loader died before finishing: again)
            drop_database(name)
            fields = _load(name)
            comment = base64.b64encode(pickle.dumps(fields)).decode()
            conn.execute(sa.text(f"COMMENT ON DATABASE \"{name}\" IS '{comment}'"))
    finally:
        conn.execute(sa.text("SELECT pg_advisory_unlock(2, :key)"), {"key": key})

    def release() -> None:
        conn.execute(sa.text("SELECT pg_advisory_unlock_shared(1, :key)"), {"key": key})
        if conn.scalar(sa.text("SELECT pg_try_advisory_lock(1, :key)"), {"key": key}):
            drop_database(name)  # no other worker uses it any more
        conn.close()
        engine.dispose()

    config.add_cleanup(release)
    _templates[pg_database] = (name, pickle.loads(base64.b64decode(comment)))
    return _templates[pg_database]


@contextmanager
def demo_copy(pg_database: str, config) -> Iterator[tuple[str, Callable[[], DemoResult]]]:
    """(the name of a fresh copy of the loaded demo, a function giving what ``load_demo()``
    returned with its rows read in the current session); the copy is dropped afterwards."""
    template, fields = _template(pg_database, config)
    copy = f"{template}_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(pg_url("postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{copy}" TEMPLATE "{template}"'))
    engine.dispose()
    try:
        yield copy, lambda: DemoResult(**_as_rows(fields))
    finally:
        drop_database(copy)


@pytest.fixture
def pg_database(pg_database, request):
    """The session's database; for a test that takes ``demo``, a fresh copy of the loaded demo."""
    if "demo" not in request.fixturenames:
        yield pg_database
        return
    with demo_copy(pg_database, request.config) as (copy, result):
        request.node.demo_result = result
        yield copy


@pytest.fixture
def demo(app, pg_database, request) -> DemoResult:
    """What ``load_demo()`` returned, its rows read from this test's copy of the demo."""
    return request.node.demo_result()
