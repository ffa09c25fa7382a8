"""SQL that reads the same on PostgreSQL and SQLite, for the checks and the commission's export:
the signing day in the application's time zone, dates as YYYYMMDD keys, and names in the form
they are compared in (case-folded, single-spaced, ё as е)."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from recall.extensions import db
from recall.i18n import local_zone


def normalise_name(name: str | None) -> str:
    """Case-folded, single-spaced, ё as е: the form names are compared in (Python side)."""
    return " ".join((name or "").lower().replace("ё", "е").split())


def dialect() -> str:
    return db.session.get_bind().dialect.name


def norm_name(col):
    """SQL expression for the normalised name (see :func:`normalise_name`)."""
    if dialect() == "postgresql":
        folded = sa.func.translate(sa.func.lower(sa.func.btrim(col)), "ё", "е")
        return sa.func.regexp_replace(folded, r"\s+", " ", "g")
    return sa.func.recall_norm_name(col)


def register_sqlite_functions() -> None:
    """SQLite's lower() is ASCII-only: compare names with the Python normaliser instead.

    SQLite has no time zones either: ``recall_local_date`` gives a stored UTC timestamp's date in
    the application's time zone, so the age check sees the signing day as signing did.
    """
    dbapi = db.session.connection().connection.dbapi_connection
    dbapi.create_function("recall_norm_name", 1, normalise_name, deterministic=True)
    zone = local_zone()

    def local_day_of(value: str | None) -> str | None:
        if value is None:
            return None
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:  # stored as UTC without an offset
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(zone).date().isoformat()

    dbapi.create_function("recall_local_date", 1, local_day_of, deterministic=True)


def day_key(expr):
    """An integer YYYYMMDD of a date or a UTC timestamp (tuple order of dates as a number)."""
    if dialect() == "postgresql":
        return sa.cast(sa.func.to_char(expr, "YYYYMMDD"), sa.Integer)
    return sa.cast(sa.func.strftime("%Y%m%d", expr), sa.Integer)


def local_date(col):
    """The signing day in the application's time zone (as signing and counts per day use).

    On SQLite through ``recall_local_date`` (see :func:`register_sqlite_functions`).
    """
    if dialect() == "postgresql":
        return sa.func.timezone(local_zone().key, col)
    return sa.func.recall_local_date(col)


def date_key(day) -> int:
    """A date as the integer YYYYMMDD (what :func:`day_key` gives in SQL)."""
    return day.year * 10000 + day.month * 100 + day.day
