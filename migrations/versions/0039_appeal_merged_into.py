"""A duplicate appeal merged by a moderator points at the open appeal it repeats (issue 15):
``appeals.merged_into_id``.

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0039"
down_revision = "0038"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_appeals_merged_into_id_appeals",
            "appeals",
            ["merged_into_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.drop_constraint("fk_appeals_merged_into_id_appeals", type_="foreignkey")
        batch_op.drop_column("merged_into_id")
