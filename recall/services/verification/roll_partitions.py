"""PostgreSQL: each import's roll entries in a partition of their own (migration 0048).

An import is loaded into a table of its own with no index (:func:`prepare`), then indexed in one
sorted pass, analyzed and attached as the partition of its import id (:func:`attach`).
Maintaining the shared ``(import_id, iin_hash)`` B-tree row by row, in the random order of the
keyed hashes, was most of the database's work in a million-row import (about 6 s of 10 s of
server CPU), and grew with every roll kept as history; building it afterwards costs a quarter of
that. Until it is attached the table is invisible to every reader of ``voter_roll_entries``; once
attached its rows belong to an inactive import, which no reader uses until the import is
activated, as before. ``ATTACH PARTITION`` locks the parent in SHARE UPDATE EXCLUSIVE mode:
readers and writers of other partitions go on, another attach waits for the commit.

Every other database (SQLite) keeps one table: these functions then do nothing, or delete rows.
"""

from __future__ import annotations

import sqlalchemy as sa

from recall.extensions import db
from recall.models.verification import VoterRollEntry

PARENT = VoterRollEntry.__tablename__


def partition_name(import_id: int) -> str:
    return f"{PARENT}_{int(import_id)}"


def _postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _state(import_id: int) -> str | None:
    """ "attached", "loose" (created, not attached yet) or None (no table of its own)."""
    attached = db.session.scalar(
        sa.text("SELECT relispartition FROM pg_class WHERE oid = to_regclass(:name)"),
        {"name": partition_name(import_id)},
    )
    return None if attached is None else "attached" if attached else "loose"


def prepare(import_id: int) -> str:
    """The table a PostgreSQL load of ``import_id`` writes to, emptied first.

    Normally a new table of its own with the parent's columns and defaults (the id sequence),
    no index, and a CHECK on its import id that lets ATTACH skip scanning it. A table left
    loose by an interrupted load is dropped first. When the import already has an attached
    partition (a load that stopped after attaching, retried), that partition is emptied and
    the rows go through the parent, indexes maintained row by row: slower, never wrong.
    """
    name = partition_name(import_id)
    state = _state(import_id)
    if state == "attached":
        db.session.execute(sa.text(f"TRUNCATE {name}"))
        return PARENT
    if state == "loose":
        db.session.execute(sa.text(f"DROP TABLE {name}"))
    db.session.execute(
        sa.text(
            f"CREATE TABLE {name} (LIKE {PARENT} INCLUDING DEFAULTS,"
            f" CONSTRAINT {name}_import CHECK (import_id = {int(import_id)}))"
        )
    )
    return name


def attach(import_id: int, target: str) -> None:
    """After the load into ``target`` (what :func:`prepare` returned): the import's primary key
    and hash index built in one pass each, its statistics (a fresh import has none, and the
    statements after the load plan by them), then attached; ATTACH adopts the two indexes as
    partitions of the parent's. Through the parent: the partition is analyzed only."""
    name = partition_name(import_id)
    if target == name:
        db.session.execute(sa.text(f"ALTER TABLE {name} ADD PRIMARY KEY (import_id, id)"))
        db.session.execute(sa.text(f"CREATE INDEX {name}_hash ON {name} (import_id, iin_hash)"))
    db.session.execute(sa.text(f"ANALYZE {name}"))
    if target == name:
        db.session.execute(
            sa.text(
                f"ALTER TABLE {PARENT} ATTACH PARTITION {name} FOR VALUES IN ({int(import_id)})"
            )
        )


def drop_entries(import_id: int) -> None:
    """Every entry of ``import_id`` goes (a refused, discarded or failed import): its loose table
    is dropped, its partition emptied (TRUNCATE locks that partition only, not the parent, and
    leaves no million dead rows behind), rows elsewhere (the default partition, SQLite) deleted."""
    if _postgresql():
        state = _state(import_id)
        if state == "loose":
            db.session.execute(sa.text(f"DROP TABLE {partition_name(import_id)}"))
            return
        if state == "attached":
            db.session.execute(sa.text(f"TRUNCATE {partition_name(import_id)}"))
            return
    db.session.execute(
        sa.delete(VoterRollEntry)
        .where(VoterRollEntry.import_id == import_id)
        .execution_options(synchronize_session=False)
    )
