"""The audit log's keyed chain: ``keyed_hash`` on every entry and on the chain head.

``keyed_hash = HMAC-SHA256(AUDIT_KEY, prev keyed_hash + hash)``: whoever can write the database
but does not hold ``AUDIT_KEY`` can no longer delete, renumber and rehash entries unnoticed
(issue 19). Entries written before this revision have none; ``flask audit key-existing`` keys
them once (after checking the plain chain), and until then ``flask audit verify`` says so.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("keyed_hash", sa.String(length=64), nullable=True))
    with op.batch_alter_table("audit_chain_head", schema=None) as batch_op:
        batch_op.add_column(sa.Column("keyed_hash", sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table("audit_chain_head", schema=None) as batch_op:
        batch_op.drop_column("keyed_hash")
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_column("keyed_hash")
