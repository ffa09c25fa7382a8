"""Factory functions for test data. Each takes overrides and flushes; tests commit when they need to."""

from __future__ import annotations

import itertools
from datetime import date

from recall.extensions import db
from recall.models import (
    Body,
    BodyLevel,
    Deputy,
    DeputyStatus,
    District,
    MandateType,
    Organization,
    Party,
    Role,
    User,
)

_seq = itertools.count(1)
PASSWORD = "correct horse battery"
_hash_cache: dict[str, str] = {}


def _password_hash(password: str) -> str:
    # scrypt is slow on purpose; hash the shared test password once per process.
    if password not in _hash_cache:
        probe = User(email="x@x", display_name="x", password_hash="")
        probe.set_password(password)
        _hash_cache[password] = probe.password_hash
    return _hash_cache[password]


def body(**overrides) -> Body:
    n = next(_seq)
    values = {
        "slug": f"body-{n}",
        "name": f"Test Body {n}",
        "level": BodyLevel.MAZHILIS,
        "seats_total": 98,
        "seats_party_list": 69,
    }
    values.update(overrides)
    obj = Body(**values)
    db.session.add(obj)
    db.session.flush()
    return obj


def district(body: Body | None = None, **overrides) -> District:
    body = body or globals()["body"]()
    n = next(_seq)
    values = {
        "body": body,
        "number": n,
        "name": f"District {n}",
        "region": "Almaty",
        "registered_voters": 100_000,
        "voters_as_of": date(2023, 3, 19),
    }
    values.update(overrides)
    obj = District(**values)
    db.session.add(obj)
    db.session.flush()
    return obj


def party(**overrides) -> Party:
    n = next(_seq)
    values = {"name": f"Party {n}", "short_name": f"P{n}"}
    values.update(overrides)
    obj = Party(**values)
    db.session.add(obj)
    db.session.flush()
    return obj


def deputy(district: District | None = None, **overrides) -> Deputy:
    """A serving single-mandate deputy (pass ``mandate_type=MandateType.PARTY_LIST`` for a list one)."""
    n = next(_seq)
    mandate = overrides.pop("mandate_type", MandateType.SINGLE_MANDATE)
    if mandate == MandateType.SINGLE_MANDATE:
        district = district or globals()["district"]()
        body_obj = overrides.pop("body", district.body)
    else:
        body_obj = overrides.pop("body", None) or globals()["body"]()
        district = None
    values = {
        "full_name": f"Deputy {n}",
        "body": body_obj,
        "mandate_type": mandate,
        "district": district,
        "term_start": date(2023, 3, 29),
        "term_end": date(2028, 3, 28),
        "status": DeputyStatus.SERVING,
        "external_id": f"test-{n}",
    }
    values.update(overrides)
    obj = Deputy(**values)
    db.session.add(obj)
    db.session.flush()
    return obj


def organization(**overrides) -> Organization:
    n = next(_seq)
    values = {"name": f"Watchdog {n}"}
    values.update(overrides)
    obj = Organization(**values)
    db.session.add(obj)
    db.session.flush()
    return obj


def user(role: Role | str = Role.CITIZEN, password: str = PASSWORD, **overrides) -> User:
    """A user holding ``role`` (monitors get a new organization, commissioners a new body unless given)."""
    n = next(_seq)
    role = Role(role)
    values = {
        "email": f"user{n}@example.org",
        "display_name": f"User {n}",
        "locale": "en",
        "password_hash": _password_hash(password),
    }
    if role == Role.MONITOR and "organization" not in overrides:
        values["organization"] = organization()
    if role == Role.COMMISSIONER and "commission_body" not in overrides:
        values["commission_body"] = body()
    if role == Role.ADMIN:
        values["is_admin"] = True
    values.update(overrides)
    obj = User(**values)
    db.session.add(obj)
    db.session.flush()
    return obj
