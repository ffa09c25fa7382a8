"""A periodic task for the runner tests: records that it ran."""

from __future__ import annotations

CALLS: list = []


def count(now) -> None:
    CALLS.append(now)


def other(now) -> None:
    """A second task with its own lock; records nothing."""


def backend_pid() -> int:
    """An RQ job: the PostgreSQL backend serving this work horse's database session."""
    import sqlalchemy as sa

    from recall.extensions import db

    return db.session.scalar(sa.text("SELECT pg_backend_pid()"))
