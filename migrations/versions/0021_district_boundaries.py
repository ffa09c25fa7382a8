"""Districts keep their outline (GeoJSON, ``flask districts import-boundaries``) for the maps drawn
on the server (issue 15).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("districts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("boundary", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("districts", schema=None) as batch_op:
        batch_op.drop_column("boundary")
