"""The signing statement's parameters are worked out once per process
(``online._signature_with_event``): they must be what SQLAlchemy's ``construct_params`` and the
column types' bind processors make of the same values, or a signature would be stored wrong."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg

from recall.models import SignatureStatus
from recall.models.signature import CheckStatus
from recall.services.signing import online

COLUMNS = (
    "birth_date",
    "check_status",
    "confirm_nonce",
    "created_at",
    "district_id",
    "email",
    "email_canonical_hash",
    "email_count",
    "email_domain",
    "expires_at",
    "full_name",
    "iin_hash",
    "petition_id",
    "receipt_hash",
    "source",
    "source_address_hash",
    "source_block_hash",
    "status",
    "user_agent_family",
)


def _values(missing_pattern: bool) -> dict:
    now = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)
    row = {
        "birth_date": date(1990, 1, 1),
        "check_status": CheckStatus.UNCHECKED,
        "confirm_nonce": "0" * 32,
        "created_at": now,
        "district_id": 7,
        "email": "signer@example.org",
        "email_canonical_hash": None if missing_pattern else "c" * 64,
        "email_count": 1,
        "email_domain": "example.org",
        "expires_at": now + timedelta(hours=72),
        "full_name": "Әлия Қасымова",
        "iin_hash": "a" * 64,
        "petition_id": 3,
        "receipt_hash": "b" * 64,
        "source": "online",
        "source_address_hash": None if missing_pattern else "d" * 64,
        "source_block_hash": None if missing_pattern else "e" * 64,
        "status": SignatureStatus.PENDING,
        "user_agent_family": None if missing_pattern else "firefox",
    }
    event = {
        "kind": "signature.confirmation_requested",
        "subject_type": "signature",
        "payload": {"petition_id": 3, "sealed": "xyz"},
        "actor_id": None,
        "locale": "kk",
        "created_at": now,
    }
    return {
        **{f"s_{name}": value for name, value in row.items()},
        **{f"e_{name}": value for name, value in event.items()},
    }


def _comparable(params: dict) -> dict:
    # The type too (a str enum equals its value); psycopg's JSON wrapper has no equality of its
    # own: what it wraps.
    return {
        name: (type(value).__name__, getattr(value, "obj", value)) for name, value in params.items()
    }


@pytest.mark.parametrize("alone", [False, True])
@pytest.mark.parametrize("missing_pattern", [False, True])
def test_parameters_are_sqlalchemys(alone, missing_pattern):
    dialect = PGDialect_psycopg()
    sql, parameters = online._signature_with_event(COLUMNS, dialect, alone)
    compiled = online._signature_with_event_statement(COLUMNS, alone).compile(dialect=dialect)
    assert sql == compiled.string
    values = _values(missing_pattern)
    expected = compiled.construct_params(values)
    processors = {
        name: processor
        for bind, name in compiled.bind_names.items()
        if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None
    }
    for name, processor in processors.items():
        expected[name] = processor(expected[name])
    assert _comparable(parameters(values)) == _comparable(expected)
