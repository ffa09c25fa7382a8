"""The migration chain gives exactly the models' schema, and goes back down to nothing."""

from __future__ import annotations

import uuid
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from recall import create_app
from recall.extensions import db
from recall.models.base import utcnow
from recall.rules.recall_rules import RecallRule
from recall.rules.rule_presets import PRESETS
from tests.conftest import base_config, create_database, drop_database, pg_url


@pytest.fixture
def empty_pg(pg_database):
    name = f"recall_migr_{uuid.uuid4().hex[:8]}"
    create_database(name)
    yield name
    drop_database(name)


def _not_a_partition(name, type_, parent_names) -> bool:
    """The roll's partitions (one per import, and the default) are no model's table: the
    parent ``voter_roll_entries`` is, and is compared."""
    return not (type_ == "table" and name.startswith("voter_roll_entries_"))


def _diff(engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": _not_a_partition}
        )
        return compare_metadata(context, db.metadata)


def test_upgrade_head_matches_models_and_downgrade_to_base(empty_pg):
    app = create_app(base_config(SQLALCHEMY_DATABASE_URI=pg_url(empty_pg)))
    with app.app_context():
        try:
            with _rule_rows_through_0040():
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
            with _rule_rows_through_0040():
                upgrade()
                assert "deputies" in sa.inspect(db.engine).get_table_names()
            downgrade(revision="base")
        finally:
            db.engine.dispose()


def _schema_3_rule(key: str, channels: list[str], providers: list[str]) -> dict:
    """A preset as schema 3 stored it, with the given channels and identity providers."""
    data = PRESETS["kz_mazhilis_single_mandate"].to_dict()
    return data | {
        "key": key,
        "schema_version": 3,
        "signing_channels": channels,
        "identity_providers": providers,
        "unverified_fields": ["identity_providers"],
    }


# Fields schema 2 did not have.
_SCHEMA_3_ONLY = (
    "signing_channels",
    "identity_providers",
    "deputy_answer_max_words",
    "deputy_answer_days",
)

# (channels, providers) stored under schema 3 -> the schema-4 channels the app reads them as.
_RULE_ROWS = {
    "both": (["online_email", "online_strong", "paper"], ["email_link", "online_strong"]),
    "strong_only": (["online_email", "online_strong", "paper"], ["online_strong"]),
    "email_only": (["online_email", "online_strong", "paper"], ["email_link"]),
    "unsignable": (["online_email"], ["online_strong"]),
}
_MERGED = {
    "both": ["online_email", "online_strong", "paper"],
    "strong_only": ["online_strong", "paper"],
    "email_only": ["online_email", "paper"],
    "unsignable": ["online_strong"],
}


def _rule_data(engine) -> dict[str, dict]:
    table = sa.table("recall_rule_versions", sa.column("key"), sa.column("data", sa.JSON))
    with engine.connect() as conn:
        return dict(conn.execute(sa.select(table.c.key, table.c.data)).all())


@contextmanager
def _rule_rows_through_0040():
    """Stores schema-3 rule versions at 0039, lets the body upgrade to head, then checks that
    every stored version is still exactly as written (a rule version is evidence: its audit entry
    holds the digest of its JSON) and reads with one channel list (run within both chain tests, so
    on PostgreSQL and SQLite)."""
    upgrade(revision="0039")
    table = sa.table(
        "recall_rule_versions",
        *(sa.column(n) for n in ("key", "version", "name", "is_preset", "created_at")),
        sa.column("data", sa.JSON),
    )
    rows = [{"key": key, "data": _schema_3_rule(key, *pair)} for key, pair in _RULE_ROWS.items()]
    # A schema 2 row names no channels: it stays as it is.
    older = {k: v for k, v in rows[0]["data"].items() if k not in _SCHEMA_3_ONLY}
    rows.append({"key": "older", "data": older | {"key": "older", "schema_version": 2}})
    extra = {"version": 1, "is_preset": False, "created_at": utcnow()}
    with db.engine.begin() as conn:
        conn.execute(table.insert(), [r | extra | {"name": r["key"]} for r in rows])
    stored = _rule_data(db.engine)

    yield
    migrated = _rule_data(db.engine)
    assert migrated == stored
    for key, channels in _MERGED.items():
        rule = RecallRule.from_dict(migrated[key])
        assert rule.signing_channels == tuple(channels)
        assert "signing_channels" in rule.unverified_fields
