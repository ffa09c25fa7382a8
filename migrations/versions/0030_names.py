"""Names in every language (issue 11): ``names`` (language -> name) and ``search_key`` (every name
folded to one script, for search) on bodies, districts, parties and deputies; regions as rows.

Existing rows get their search key from their legacy name, and a region row for every region
string bodies and districts already use, so search and region names work at once.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

from recall.rules.names import search_key

# revision identifiers, used by Alembic.
revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

# table -> its legacy single-name column
NAMED = {"bodies": "name", "districts": "name", "parties": "name", "deputies": "full_name"}


def _name_columns() -> list[sa.Column]:
    return [
        sa.Column("names", sa.JSON(), server_default=sa.text("'{}'"), nullable=False),
        sa.Column("search_key", sa.Text(), server_default="", nullable=False),
    ]


def _backfill_keys(conn, table: str, legacy: str) -> None:
    rows = conn.execute(sa.text(f"SELECT id, {legacy} FROM {table}")).all()
    for row_id, name in rows:
        conn.execute(
            sa.text(f"UPDATE {table} SET search_key = :key WHERE id = :id"),
            {"key": search_key([name]), "id": row_id},
        )


def upgrade():
    op.create_table(
        "regions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        *_name_columns(),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regions")),
        sa.UniqueConstraint("name", name=op.f("uq_regions_name")),
    )
    for table in NAMED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in _name_columns():
                batch_op.add_column(column)
    conn = op.get_bind()
    for table, legacy in NAMED.items():
        _backfill_keys(conn, table, legacy)
    used = conn.execute(
        sa.text(
            "SELECT region FROM districts UNION SELECT region FROM bodies WHERE region IS NOT NULL"
        )
    ).scalars()
    for name in sorted(set(used)):
        conn.execute(
            sa.text(
                "INSERT INTO regions (name, names, search_key, created_at) "
                "VALUES (:name, '{}', :key, CURRENT_TIMESTAMP)"
            ),
            {"name": name, "key": search_key([name])},
        )


def downgrade():
    for table in NAMED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("search_key")
            batch_op.drop_column("names")
    op.drop_table("regions")
