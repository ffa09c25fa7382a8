"""Localities (issue 11): a town or village, optionally a street or micro-district of it, and the
district its voters belong to, for "Where do you live?" (``flask districts import-localities``).

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "localities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("street", sa.String(length=200), nullable=True),
        sa.Column("names", sa.JSON(), server_default=sa.text("'{}'"), nullable=False),
        sa.Column("search_key", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_localities_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_localities")),
    )
    with op.batch_alter_table("localities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_localities_district_id"), ["district_id"], unique=False
        )


def downgrade():
    op.drop_table("localities")
