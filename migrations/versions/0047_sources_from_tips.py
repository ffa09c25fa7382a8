"""A citizen's tip that a monitor takes as evidence becomes one of the promise's sources
(issue 14): ``promise_sources.tip_id`` names the tip, one source per tip.

Revision ID: 0047
Revises: 0046
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0047"
down_revision = "0046"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("promise_sources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tip_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_promise_sources_tip_id_promise_tips",
            "promise_tips",
            ["tip_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_unique_constraint("uq_promise_sources_tip_id", ["tip_id"])


def downgrade():
    with op.batch_alter_table("promise_sources", schema=None) as batch_op:
        batch_op.drop_constraint("uq_promise_sources_tip_id", type_="unique")
        batch_op.drop_constraint("fk_promise_sources_tip_id_promise_tips", type_="foreignkey")
        batch_op.drop_column("tip_id")
