"""Roll lines removed from the roll, with their reason (issue 18: a deceased list).

A roll file may carry a ``removal_reason`` column: a line with one (``deceased``, ``moved``,
``incapacitated``, ``other``) is kept, hashed like any other, but is not a voter. The checks reject a
signature whose IIN the roll in force lists only as deceased with the reason ``deceased`` (now
produced by the automatic checks), and the per-collector report counts them. The import row keeps
how many lines were removed and how many of them deceased.

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0038"
down_revision = "0037"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("voter_roll_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("removal_reason", sa.String(length=20), nullable=True))
    with op.batch_alter_table("voter_roll_imports", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("rows_removed", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("rows_deceased", sa.Integer(), nullable=False, server_default="0")
        )
    op.execute("UPDATE reason_codes SET automatic = true WHERE code = 'deceased'")


def downgrade():
    op.execute("UPDATE reason_codes SET automatic = false WHERE code = 'deceased'")
    with op.batch_alter_table("voter_roll_imports", schema=None) as batch_op:
        batch_op.drop_column("rows_deceased")
        batch_op.drop_column("rows_removed")
    with op.batch_alter_table("voter_roll_entries", schema=None) as batch_op:
        batch_op.drop_column("removal_reason")
