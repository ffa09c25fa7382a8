"""Initiative group members give their IIN (issue 10): kept as the signers' keyed hash with the
birth date it encodes, so the commission sees each member's check (age, registration in the
district on the roll in force) and the minimum group size counts eligible members only. One IIN
per group: a partial unique index over the members who gave one.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

INDEX = "uq_initiative_members_petition_iin"


def upgrade():
    with op.batch_alter_table("initiative_members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("iin_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("birth_date", sa.Date(), nullable=True))
    op.create_index(
        INDEX,
        "initiative_members",
        ["petition_id", "iin_hash"],
        unique=True,
        postgresql_where=sa.text("iin_hash IS NOT NULL"),
        sqlite_where=sa.text("iin_hash IS NOT NULL"),
    )


def downgrade():
    op.drop_index(INDEX, table_name="initiative_members")
    with op.batch_alter_table("initiative_members", schema=None) as batch_op:
        batch_op.drop_column("birth_date")
        batch_op.drop_column("iin_hash")
