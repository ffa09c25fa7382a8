"""Accounts confirm their e-mail address before they can sign in.

``/register`` answers the same whether an address has an account or not (issue 13): a new
account waits for its owner to follow a link sent to the address. Accounts that exist already
count as confirmed from their creation.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("email_confirmed_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("confirm_token_hash", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_users_confirm_token_hash"), ["confirm_token_hash"]
        )
    op.execute("UPDATE users SET email_confirmed_at = created_at")


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_users_confirm_token_hash"), type_="unique")
        batch_op.drop_column("confirm_token_hash")
        batch_op.drop_column("email_confirmed_at")
