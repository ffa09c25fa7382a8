"""What confirmed an online signature: the e-mail link or a digital signature (issue 13).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("identity_provider", sa.String(length=20), nullable=True))
    # Confirmed online signatures so far were all confirmed by the e-mailed link.
    op.execute(
        "UPDATE signatures SET identity_provider = 'email_link' "
        "WHERE source = 'online' AND status IN ('confirmed', 'withdrawn') "
        "AND confirmed_at IS NOT NULL"
    )


def downgrade():
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.drop_column("identity_provider")
