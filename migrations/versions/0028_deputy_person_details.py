"""Deputies keep what a Popolo person says of them (issue 11): ``birth_date`` as the source gives
it (Popolo allows a partial date: ``1961``, ``1961-05``) and the person's ``identifiers``.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("deputies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("birth_date", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("identifiers", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("deputies", schema=None) as batch_op:
        batch_op.drop_column("identifiers")
        batch_op.drop_column("birth_date")
