"""A deputy's right of reply to a rating of one of their promises (issue 15).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "rating_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status_change_id", sa.Integer(), nullable=False),
        sa.Column("deputy_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_rating_replies_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["deputy_id"], ["deputies.id"], name=op.f("fk_rating_replies_deputy_id_deputies")
        ),
        sa.ForeignKeyConstraint(
            ["status_change_id"],
            ["promise_status_changes.id"],
            name=op.f("fk_rating_replies_status_change_id_promise_status_changes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating_replies")),
        sa.UniqueConstraint("status_change_id", name=op.f("uq_rating_replies_status_change_id")),
    )
    with op.batch_alter_table("rating_replies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rating_replies_deputy_id"), ["deputy_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("rating_replies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rating_replies_deputy_id"))
    op.drop_table("rating_replies")
