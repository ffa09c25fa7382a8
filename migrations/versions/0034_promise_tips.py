"""Tips and evidence citizens send about a promise, for monitors to triage (issue 14).

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "promise_tips",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("promise_id", sa.Integer(), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("link", sa.String(length=1000), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("observed_on", sa.Date(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "new",
                "accepted",
                "dismissed",
                name="promise_tip_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("dismiss_reason", sa.Text(), nullable=True),
        sa.Column("triaged_by_id", sa.Integer(), nullable=True),
        sa.Column("triaged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status <> 'dismissed' OR dismiss_reason IS NOT NULL",
            name=op.f("ck_promise_tips_dismissed_with_reason"),
        ),
        sa.CheckConstraint(
            "link IS NOT NULL OR description IS NOT NULL",
            name=op.f("ck_promise_tips_link_or_description"),
        ),
        sa.ForeignKeyConstraint(
            ["promise_id"],
            ["promises.id"],
            name=op.f("fk_promise_tips_promise_id_promises"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"],
            ["users.id"],
            name=op.f("fk_promise_tips_submitted_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["triaged_by_id"],
            ["users.id"],
            name=op.f("fk_promise_tips_triaged_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promise_tips")),
    )
    with op.batch_alter_table("promise_tips", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_promise_tips_promise_id"), ["promise_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_promise_tips_status"), ["status"], unique=False)


def downgrade():
    with op.batch_alter_table("promise_tips", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_promise_tips_status"))
        batch_op.drop_index(batch_op.f("ix_promise_tips_promise_id"))

    op.drop_table("promise_tips")
