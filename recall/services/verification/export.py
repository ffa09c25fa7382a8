"""The commission's export of a petition's signatures: one CSV row per signature, streamed.

Each row: the signature, how and when it was given (channel, paper sheet and line), its verdict
and reason code, and its match on the roll in force on its signing day. It holds personal data (names, the
last four IIN digits), so only commissioners of the petition's body (or the server operator)
get it. Rows are streamed from a server-side cursor (``yield_per``) and never held in memory
together: a million signatures export in constant memory.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

from recall.extensions import db
from recall.models.body import District
from recall.models.signature import Signature
from recall.models.user import User
from recall.models.verification import VoterRollEntry
from recall.services.verification.access import get_petition
from recall.services.verification.portable_sql import (
    date_key,
    day_key,
    dialect,
    local_date,
    register_sqlite_functions,
)
from recall.services.verification.roll_lookup import RollPeriod, rolls_in_force

EXPORT_HEADER = (
    "signature_id",
    "signed_at",
    "channel",
    "paper_sheet",
    "paper_line",
    "status",
    "check_status",
    "reason_code",
    "duplicate_of_id",
    "roll_match",
    "roll_line",
    "roll_district",
    "iin_ref",
    "full_name",
    "roll_full_name",
)
BATCH_ROWS = 5000


def export_signatures(actor: User | None, petition_id: int) -> Iterator[tuple[Any, ...]]:
    """Rows of :data:`EXPORT_HEADER`, one per signature of the petition, in id order.

    ``actor`` must be a commissioner of the petition's body (None: the server operator). The
    access check runs at once (NotFound, Forbidden), the rows are read lazily as the iterator is
    consumed, in batches of :data:`BATCH_ROWS` from a server-side cursor. ``roll_match`` is
    ``in_district``, ``other_district``, ``not_on_roll``, ``deceased`` or ``removed`` (the roll
    lists the IIN only as removed, issue 18), or empty when the body has no roll; it is judged, as
    the checks judge, against the roll in force on the signature's signing day
    (``roll_lookup.rolls_in_force``), and ``roll_*`` come from that roll's entry. Reads only.
    """
    petition = get_petition(actor, petition_id)
    return _rows(petition.id, *_roll_of(petition))


def _roll_of(petition) -> tuple[list[RollPeriod], int | None]:
    """The body's rolls in force over time and the petition's district number."""
    if dialect() == "sqlite":
        register_sqlite_functions()  # the local signing day
    district_number = db.session.scalar(
        sa.select(District.roll_key).where(District.id == petition.district_id)
    )
    return rolls_in_force(petition.body_id), district_number


def export_csv(actor: User | None, petition_id: int) -> Iterator[str]:
    """The export as CSV text in chunks of about :data:`CHUNK_BYTES`: the header, then one line
    per signature, in id order (what the page and ``flask verification export`` send).

    Access is checked at once, as for :func:`export_signatures`. On PostgreSQL the same query runs
    as ``COPY (...) TO STDOUT (FORMAT csv)``: the server formats the CSV and Python only passes
    the bytes on (about the cost of COPY itself; a row-by-row ``csv.writer`` costs 4-5 times
    that), in constant memory. Elsewhere (SQLite) the rows go through ``csv.writer``.
    """
    petition = get_petition(actor, petition_id)
    roll = _roll_of(petition)
    header = ",".join(EXPORT_HEADER) + "\n"
    if db.session.get_bind().dialect.name != "postgresql":
        return _csv_chunks(header, _rows(petition.id, *roll))
    return _copy_chunks(header, _query(petition.id, *roll))


CHUNK_BYTES = 64 * 1024


def _csv_chunks(header: str, rows: Iterator[tuple]) -> Iterator[str]:
    buffer = io.StringIO()
    buffer.write(header)
    writer = csv.writer(buffer, lineterminator="\n")
    for n, row in enumerate(rows, 1):
        writer.writerow(row)
        if n % 1000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _copy_chunks(header: str, query: sa.Select) -> Iterator[str]:
    # Every value bound here is an integer, a constant string of ours or a district code (rendered
    # as an escaped SQL string literal): safe to inline.
    sql = str(query.compile(db.session.get_bind(), compile_kwargs={"literal_binds": True}))
    cursor = db.session.connection().connection.dbapi_connection.cursor()
    yield header
    with cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)") as copy:
        parts: list[bytes] = []
        size = 0
        for data in copy:  # one row per message from the server: gather them into chunks
            parts.append(bytes(data))
            size += len(data)
            if size >= CHUNK_BYTES:
                yield b"".join(parts).decode("utf-8")
                parts, size = [], 0
        yield b"".join(parts).decode("utf-8")
    cursor.close()


def signature_count(actor: User | None, petition_id: int) -> int:
    """How many rows :func:`export_signatures` gives (for progress). Same access check. Reads only."""
    petition = get_petition(actor, petition_id)
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Signature)
        .where(Signature.petition_id == petition.id)
    )


def _signed_at(col):
    """The signing moment as ISO 8601 UTC text, formatted by the database (no per-row Python)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.func.to_char(sa.func.timezone("UTC", col), 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
    return sa.func.strftime("%Y-%m-%dT%H:%M:%SZ", col)


def _rows(
    petition_id: int, periods: list[RollPeriod], district_number: int | None
) -> Iterator[tuple]:
    query = _query(petition_id, periods, district_number)
    # Core rows from a server-side cursor, BATCH_ROWS per round trip (no ORM loading per row).
    result = db.session.connection().execution_options(yield_per=BATCH_ROWS).execute(query)
    for batch in result.partitions():
        yield from map(tuple, batch)


def _roll_district(column, periods: list[RollPeriod]):
    """``roll_district`` as pages name the district: its number, or for a district known only by
    its code (filed under minus its id, ``District.roll_key``) the code, as a CASE over the few
    such districts the rolls cover. A body without them keeps the plain column."""
    coded = sorted({p.district_number for p in periods if p.district_number < 0})
    if not coded:
        return column
    codes = dict(
        db.session.execute(
            sa.select(-District.id, District.code).where(District.id.in_([-k for k in coded]))
        ).all()
    )
    return sa.case(
        *((column == key, sa.literal(code)) for key, code in codes.items()),
        else_=sa.cast(column, sa.String),
    )


def _query(petition_id: int, periods: list[RollPeriod], district_number: int | None) -> sa.Select:
    sig, entry = Signature, VoterRollEntry
    # The entry of the signer on the roll in force for its district on the signing day (the
    # periods are few: imports x districts, inlined as literals), the petition's district first
    # should a voter be on two districts' rolls that day: a correlated index probe per signature.
    day = day_key(local_date(sig.created_at))
    in_force = sa.or_(
        sa.false(),
        *(
            sa.and_(
                entry.import_id == p.import_id,
                entry.district_number == p.district_number,
                day >= (date_key(p.start) if p.start else 0),
                day < (date_key(p.end) if p.end else 99991231),
            )
            for p in periods
        ),
    )
    probe = (
        sa.select(
            entry.id,
            entry.line_number,
            entry.district_number,
            entry.full_name,
            entry.removal_reason,
        )
        .where(
            entry.import_id.in_(sorted({p.import_id for p in periods}) or [0]),
            entry.iin_hash == sig.iin_hash,
            in_force,
        )
        .order_by(
            entry.removal_reason.is_not(None),  # a voter's line before a removed one
            sa.case((entry.district_number == district_number, 0), else_=1),
            entry.id,
        )
        .limit(1)
        .correlate(sig)
    )
    if dialect() == "postgresql":
        # LEFT JOIN LATERAL: one index probe per signature, whatever the planner's statistics
        # say (a join on a probed id let it hash the whole roll instead).
        found = probe.lateral("e")
        joined = sa.select(sig).select_from(sig).outerjoin(found, sa.true())
    else:
        # SQLite has no LATERAL: the probe's id per signature, then its entry by primary key.
        ids = (
            sa.select(sig, probe.with_only_columns(entry.id).scalar_subquery().label("entry_id"))
            .where(sig.petition_id == petition_id)
            .subquery("s")
        )
        found = sa.select(entry).subquery("e")
        joined = sa.select(ids).select_from(ids).outerjoin(found, found.c.id == ids.c.entry_id)
    e = found.c
    b = sig if dialect() == "postgresql" else ids.c
    match = sa.case(
        (sa.literal(not periods), ""),
        (e.id.is_(None), "not_on_roll"),
        (e.removal_reason == "deceased", "deceased"),
        (e.removal_reason.is_not(None), "removed"),
        (e.district_number == district_number, "in_district"),
        else_="other_district",
    )

    def text(col):  # enum columns as their stored strings: no per-row conversion
        return sa.type_coerce(col, sa.String)

    query = joined.with_only_columns(
        b.id,
        _signed_at(b.created_at),
        text(b.source),
        b.paper_sheet,
        b.paper_line,
        text(b.status),
        text(b.check_status),
        b.reason_code,
        b.duplicate_of_id,
        match,
        e.line_number,
        _roll_district(e.district_number, periods),
        sa.func.substr(b.iin_hash, 1, 8),
        b.full_name,
        e.full_name,
        maintain_column_froms=True,
    ).order_by(b.id)
    if dialect() == "postgresql":
        query = query.where(sig.petition_id == petition_id)
    return query
