"""Deputies remember the opening day of the recall window their followers were told about
(issue 10: followers are told when the day comes; the periodic ``deputies.announce_recall_openable``
tells them once per window).

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("deputies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recall_openable_announced_on", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("deputies", schema=None) as batch_op:
        batch_op.drop_column("recall_openable_announced_on")
