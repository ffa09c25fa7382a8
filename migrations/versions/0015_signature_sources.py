"""Pattern data of online signatures and claims: keyed address and block hashes, e-mail domain,
keyed canonical e-mail, user-agent family (issue 18).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("source_address_hash", 64),
    ("source_block_hash", 64),
    ("email_domain", 253),
    ("email_canonical_hash", 64),
    ("user_agent_family", 40),
)


def upgrade():
    for table in ("signatures", "signature_claims"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, length in _COLUMNS:
                batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=True))
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.create_index(
            "ix_signatures_petition_created", ["petition_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_signatures_petition_block", ["petition_id", "source_block_hash"], unique=False
        )


def downgrade():
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.drop_index("ix_signatures_petition_block")
        batch_op.drop_index("ix_signatures_petition_created")
    for table in ("signature_claims", "signatures"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _length in reversed(_COLUMNS):
                batch_op.drop_column(name)
