"""Confirmation links name a signature by a random nonce, not by its sequential id.

Two links with ids far apart told how many signatures were taken between them, even while a
petition's count is sealed. Existing rows get a random nonce; links e-mailed before the upgrade
stop working (their signatures expire unconfirmed and can be signed again).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("signatures", sa.Column("confirm_nonce", sa.String(length=32), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        random_hex = "md5(random()::text || clock_timestamp()::text || id::text)"
    else:
        random_hex = "lower(hex(randomblob(16)))"
    op.execute(f"UPDATE signatures SET confirm_nonce = {random_hex}")
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.alter_column("confirm_nonce", existing_type=sa.String(length=32), nullable=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_signatures_confirm_nonce"), ["confirm_nonce"]
        )


def downgrade():
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_signatures_confirm_nonce"), type_="unique")
        batch_op.drop_column("confirm_nonce")
