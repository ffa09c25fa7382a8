"""Voter roll entries partitioned by import on PostgreSQL (issue 17: a national roll).

Each import becomes a partition of its own (``voter_roll_entries_<import id>``) which the
importer loads with no index and then indexes in one sorted pass before attaching it: the
random-order inserts into the shared ``(import_id, iin_hash)`` B-tree were most of the
database's work in a million-row import, and grew with every roll kept as history. Existing
rows are moved into one partition per import; rows of no listed import go to the default
partition. The primary key becomes (import_id, id) there (a partitioned table's key includes the
partition key); the block-range index on ``import_id`` goes (a partition is one import). SQLite
keeps one table and reads whole imports through the (import, hash) index, whose first column
is the import: only its ``import_id`` index goes.

Revision ID: 0048
Revises: 0047
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0048"
down_revision = "0047"
branch_labels = None
depends_on = None

_COLUMNS = """
    id BIGINT NOT NULL DEFAULT nextval('voter_roll_entries_id_seq'),
    import_id INTEGER NOT NULL,
    line_number INTEGER NOT NULL,
    iin_hash VARCHAR(64) NOT NULL,
    full_name VARCHAR(200) NOT NULL,
    district_number INTEGER NOT NULL,
    address VARCHAR(500) NOT NULL,
    birth_date DATE NOT NULL,
    removal_reason VARCHAR(20)
"""
_NAMES = (
    "id, import_id, line_number, iin_hash, full_name, district_number, address, birth_date,"
    " removal_reason"
)


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _move(old: str) -> None:
    """Rows of ``old`` into the new voter_roll_entries, then ``old`` goes (its sequence stays)."""
    op.execute("ALTER SEQUENCE voter_roll_entries_id_seq OWNED BY voter_roll_entries.id")
    op.execute(f"INSERT INTO voter_roll_entries ({_NAMES}) SELECT {_NAMES} FROM {old}")
    op.execute(f"DROP TABLE {old}")


def upgrade():
    if not _postgresql():
        with op.batch_alter_table("voter_roll_entries", schema=None) as batch_op:
            batch_op.drop_index("ix_voter_roll_entries_import")
        return
    op.execute("ALTER TABLE voter_roll_entries RENAME TO voter_roll_entries_old")
    op.execute("ALTER INDEX pk_voter_roll_entries RENAME TO pk_voter_roll_entries_old")
    op.execute("DROP INDEX ix_voter_roll_entries_import_hash")
    op.execute("DROP INDEX ix_voter_roll_entries_import")
    op.execute(
        f"CREATE TABLE voter_roll_entries ({_COLUMNS},"
        " CONSTRAINT pk_voter_roll_entries PRIMARY KEY (import_id, id))"
        " PARTITION BY LIST (import_id)"
    )
    op.execute(
        "CREATE INDEX ix_voter_roll_entries_import_hash ON voter_roll_entries (import_id, iin_hash)"
    )
    op.execute("CREATE TABLE voter_roll_entries_default PARTITION OF voter_roll_entries DEFAULT")
    imports = op.get_bind().scalars(
        sa.text(
            "SELECT DISTINCT import_id FROM voter_roll_entries_old"
            " WHERE import_id IN (SELECT id FROM voter_roll_imports)"
        )
    )
    for import_id in imports:
        op.execute(
            f"CREATE TABLE voter_roll_entries_{int(import_id)} PARTITION OF voter_roll_entries"
            f" FOR VALUES IN ({int(import_id)})"
        )
    _move("voter_roll_entries_old")


def downgrade():
    if not _postgresql():
        with op.batch_alter_table("voter_roll_entries", schema=None) as batch_op:
            batch_op.create_index(
                "ix_voter_roll_entries_import", ["import_id"], unique=False, postgresql_using="brin"
            )
        return
    op.execute("ALTER TABLE voter_roll_entries RENAME TO voter_roll_entries_partitioned")
    op.execute("ALTER INDEX pk_voter_roll_entries RENAME TO pk_voter_roll_entries_partitioned")
    op.execute("DROP INDEX ix_voter_roll_entries_import_hash")
    op.execute(
        f"CREATE TABLE voter_roll_entries ({_COLUMNS},"
        " CONSTRAINT pk_voter_roll_entries PRIMARY KEY (id))"
    )
    _move("voter_roll_entries_partitioned")  # its partitions go with it
    op.execute(
        "CREATE INDEX ix_voter_roll_entries_import_hash ON voter_roll_entries (import_id, iin_hash)"
    )
    op.execute(
        "CREATE INDEX ix_voter_roll_entries_import ON voter_roll_entries USING brin (import_id)"
    )
