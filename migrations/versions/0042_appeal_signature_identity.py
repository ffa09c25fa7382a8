"""Appeals are signed with an e-mailed link or a digital signature, as recall petitions are
(issue 15): ``appeal_signatures.identity_provider`` records which (``email_link``,
``online_strong``; empty for signatures from before).

Revision ID: 0042
Revises: 0041
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0042"
down_revision = "0041"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("appeal_signatures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("identity_provider", sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table("appeal_signatures", schema=None) as batch_op:
        batch_op.drop_column("identity_provider")
