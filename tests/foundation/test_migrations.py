"""The migration chain gives exactly the models' schema, and goes back down to nothing."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from recall import create_app
from recall.extensions import db
from tests.conftest import base_config, create_database, drop_database, pg_url


@pytest.fixture
def empty_pg(pg_database):
    name = f"recall_migr_{uuid.uuid4().hex[:8]}"
    create_database(name)
    yield name
    drop_database(name)


def _diff(engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_upgrade_head_matches_models_and_downgrade_to_base(empty_pg):
    app = create_app(base_config(SQLALCHEMY_DATABASE_URI=pg_url(empty_pg)))
    with app.app_context():
        try:
            upgrade()
            assert _diff(db.engine) == []
            downgrade(revision="base")
            tables = set(sa.inspect(db.engine).get_table_names())
            assert tables <= {"alembic_version"}
        finally:
            db.engine.dispose()


def test_upgrade_runs_on_sqlite(tmp_path):
    """`make run` migrates a SQLite file; the same chain must work there."""
    app = create_app(base_config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'm.db'}"))
    with app.app_context():
        try:
            upgrade()
            assert "deputies" in sa.inspect(db.engine).get_table_names()
            downgrade(revision="base")
        finally:
            db.engine.dispose()
