"""Recall petitions cite unanswered appeals to their deputy, as they cite promises (issue 15).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "petition_appeals",
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("appeal_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["appeal_id"],
            ["appeals.id"],
            name=op.f("fk_petition_appeals_appeal_id_appeals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["petition_id"],
            ["petitions.id"],
            name=op.f("fk_petition_appeals_petition_id_petitions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("petition_id", "appeal_id", name=op.f("pk_petition_appeals")),
    )
    with op.batch_alter_table("petition_appeals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_petition_appeals_appeal_id"), ["appeal_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("petition_appeals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_petition_appeals_appeal_id"))

    op.drop_table("petition_appeals")
