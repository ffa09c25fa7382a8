"""Appeals are counted as recall petitions are (issue 15): a confirmation adds one to a random
shard (``appeal_count_shards``, and ``appeal_district_counts`` per shard) instead of the appeal
row, and reads sum at most 16 rows. The appeals' counts so far become shard 0.

Revision ID: 0045
Revises: 0044
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0045"
down_revision = "0044"
branch_labels = None
depends_on = None

_GROUP = (
    "FROM appeal_district_counts g WHERE g.appeal_id = appeal_district_counts.appeal_id "
    "AND g.district_id = appeal_district_counts.district_id"
)


def upgrade():
    op.create_table(
        "appeal_count_shards",
        sa.Column("appeal_id", sa.Integer(), nullable=False),
        sa.Column("shard", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("constituents", sa.Integer(), nullable=False),
        sa.Column("supporters", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["appeal_id"],
            ["appeals.id"],
            name=op.f("fk_appeal_count_shards_appeal_id_appeals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("appeal_id", "shard", name=op.f("pk_appeal_count_shards")),
    )
    op.execute(
        "INSERT INTO appeal_count_shards (appeal_id, shard, constituents, supporters) "
        "SELECT id, 0, constituent_count, supporter_count FROM appeals "
        "WHERE constituent_count > 0 OR supporter_count > 0"
    )
    with op.batch_alter_table("appeal_district_counts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("shard", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
    with op.batch_alter_table("appeal_district_counts", schema=None) as batch_op:
        batch_op.alter_column("shard", server_default=None)
        batch_op.drop_constraint("pk_appeal_district_counts", type_="primary")
        batch_op.create_primary_key(
            "pk_appeal_district_counts", ["appeal_id", "district_id", "shard"]
        )


def downgrade():
    op.execute(f"UPDATE appeal_district_counts SET confirmed = (SELECT sum(g.confirmed) {_GROUP})")
    op.execute(f"DELETE FROM appeal_district_counts WHERE shard <> (SELECT min(g.shard) {_GROUP})")
    with op.batch_alter_table("appeal_district_counts", schema=None) as batch_op:
        batch_op.drop_constraint("pk_appeal_district_counts", type_="primary")
        batch_op.create_primary_key("pk_appeal_district_counts", ["appeal_id", "district_id"])
        batch_op.drop_column("shard")
    op.execute(
        "UPDATE appeals SET "
        "constituent_count = COALESCE((SELECT sum(s.constituents) FROM appeal_count_shards s "
        "WHERE s.appeal_id = appeals.id), 0), "
        "supporter_count = COALESCE((SELECT sum(s.supporters) FROM appeal_count_shards s "
        "WHERE s.appeal_id = appeals.id), 0)"
    )
    op.drop_table("appeal_count_shards")
