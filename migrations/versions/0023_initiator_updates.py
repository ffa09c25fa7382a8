"""Updates from the initiators of appeals and recall petitions to their followers, moderated
(issue 15).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "initiator_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_type", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "published",
                "rejected",
                name="update_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("moderated_by_id", sa.Integer(), nullable=True),
        sa.Column("rejection_reason", sa.Text(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "subject_type IN ('appeal', 'petition')", name=op.f("ck_initiator_updates_subject_kind")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_initiator_updates_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["moderated_by_id"],
            ["users.id"],
            name=op.f("fk_initiator_updates_moderated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_initiator_updates")),
    )
    with op.batch_alter_table("initiator_updates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_initiator_updates_author_id"), ["author_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_initiator_updates_state"), ["state"], unique=False)
        batch_op.create_index(
            "ix_initiator_updates_subject", ["subject_type", "subject_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("initiator_updates", schema=None) as batch_op:
        batch_op.drop_index("ix_initiator_updates_subject")
        batch_op.drop_index(batch_op.f("ix_initiator_updates_state"))
        batch_op.drop_index(batch_op.f("ix_initiator_updates_author_id"))

    op.drop_table("initiator_updates")
