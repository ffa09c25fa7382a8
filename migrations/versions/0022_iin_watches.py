"""Voters watching over their own IIN (issue 18).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "iin_watches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("iin_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_iin_watches")),
        sa.UniqueConstraint("iin_hash", name=op.f("uq_iin_watches_iin_hash")),
    )


def downgrade():
    op.drop_table("iin_watches")
