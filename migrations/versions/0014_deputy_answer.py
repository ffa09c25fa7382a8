"""Petitions keep the deputy's answer to the grounds (where the rule provides one: California EC
11023, up to 200 words filed within 7 days), who recorded it and when.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deputy_answer", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("deputy_answer_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("deputy_answer_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_petitions_deputy_answer_by_id_users"),
            "users",
            ["deputy_answer_by_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_petitions_deputy_answer_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("deputy_answer_by_id")
        batch_op.drop_column("deputy_answer_at")
        batch_op.drop_column("deputy_answer")
