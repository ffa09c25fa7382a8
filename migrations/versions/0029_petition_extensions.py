"""Signing-period extensions (issue 10): the commission's decisions extending a collecting
petition's period, each naming its cause (an outage, or another) and the period before and after;
bounded in all by the rule's ``max_extension_days`` (rule data, no column) and audited. The
petition keeps the days added so far (``extension_days``): the page reads the extensions only
when there are some.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "petition_extensions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("cause", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("previous_closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("days > 0", name=op.f("ck_petition_extensions_extension_days_positive")),
        sa.ForeignKeyConstraint(
            ["petition_id"],
            ["petitions.id"],
            name=op.f("fk_petition_extensions_petition_id_petitions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_petition_extensions_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_petition_extensions")),
    )
    with op.batch_alter_table("petition_extensions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_petition_extensions_petition_id"), ["petition_id"], unique=False
        )
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("extension_days", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade():
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.drop_column("extension_days")
    with op.batch_alter_table("petition_extensions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_petition_extensions_petition_id"))
    op.drop_table("petition_extensions")
