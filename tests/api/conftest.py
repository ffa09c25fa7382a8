"""Fixtures for the API tests: one app on the test PostgreSQL with the demo data, per module."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from recall import create_app
from recall.demo.loader import load_demo
from recall.extensions import db
from tests.conftest import IsolatedClient, _empty_tables, base_config, pg_url


@pytest.fixture(scope="module")
def demo_app(pg_database):
    """An app whose database holds the demo data (deputies, promises, petitions in every stage,
    a drawn sample, the audit chain), loaded once for the module; tables emptied afterwards."""
    app = create_app(base_config(SQLALCHEMY_DATABASE_URI=pg_url(pg_database)))
    app.test_client_class = IsolatedClient
    with app.app_context():
        _empty_tables()
        result = load_demo()
        db.session.commit()
        app.extensions["demo_result"] = result
        yield app
        db.session.rollback()
        _empty_tables()
        db.session.remove()
        db.engine.dispose()


def first_id(model) -> int:
    """The smallest id of ``model``'s rows (the demo data has some of each)."""
    return db.session.scalar(sa.select(sa.func.min(model.id)))
