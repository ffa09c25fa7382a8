"""A trigram index on the localities' search key (issue 11), on PostgreSQL.

"Where do you live?" matches every word of a query anywhere in the key (``LIKE '%word%'``); without
an index that reads the whole table: 200,000 streets took ~100 ms a search against ~6 ms with a
GIN trigram index (benchmarks/localities.py). SQLite, for ``make run``, does without.

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-03

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0037"
down_revision = "0036"
branch_labels = None
depends_on = None

INDEX = "ix_localities_search_key_trgm"


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_index(
        INDEX,
        "localities",
        ["search_key"],
        postgresql_using="gin",
        postgresql_ops={"search_key": "gin_trgm_ops"},
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index(INDEX, table_name="localities")  # the extension stays: others may use it
