"""Fixtures for the API tests: one app on the test PostgreSQL with the demo data, per module."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from recall import create_app
from recall.extensions import db
from tests.conftest import IsolatedClient, base_config, pg_url
from tests.demo_db import demo_copy


@pytest.fixture(scope="module")
def demo_app(pg_database, request):
    """An app whose database is a copy of the demo data (deputies, promises, petitions in every
    stage, a drawn sample, the audit chain), made once for the module (tests/demo_db.py)."""
    with demo_copy(pg_database, request.config) as (copy, result):
        app = create_app(base_config(SQLALCHEMY_DATABASE_URI=pg_url(copy)))
        app.test_client_class = IsolatedClient
        with app.app_context():
            app.extensions["demo_result"] = result()
            yield app
            db.session.remove()
            db.engine.dispose()


def first_id(model) -> int:
    """The smallest id of ``model``'s rows (the demo data has some of each)."""
    return db.session.scalar(sa.select(sa.func.min(model.id)))
